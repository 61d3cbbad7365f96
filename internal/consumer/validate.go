package consumer

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// Normalize fills in the defaults of the settings left out (deliver_policy "all",
// ack_wait_ms 30000, max_deliver -1, idle_expiry "168h") and checks the spec. It
// returns a fault Invalid naming every field that breaks a rule, or nil:
//
//   - target names exactly one of resources, user, announcements and all;
//   - target.resources has 1 to MaxResources entries, each with a valid path
//     (see event.ValidPath); entries may repeat or cover each other;
//   - target.user is a user id that fits in a path segment, as users/<id> is the path
//     of the events about that user;
//   - event_types has at most MaxEventTypes entries, each "*", "<domain>.*", a valid
//     event type "<domain>.<Name>", or one whose name holds "*" ("item.Item*", which
//     reads the whole domain from JetStream and hides the other names). A "*" in the
//     domain is refused ("*.<Name>", "it*.Created"): a NATS subject filter cannot
//     express it, and reading every domain to keep a few would cost every fetch;
//   - the event types and resources make at most MaxFilterSubjects filter subjects
//     (see FilterSubjects);
//   - deliver_policy is one of the Deliver constants; start_time is set exactly when it
//     is "by_start_time", and start_sequence (at least 1) exactly when it is
//     "by_start_sequence";
//   - ack_wait_ms is between MinAckWaitMS and MaxAckWaitMS, max_deliver is -1 or between
//     1 and MaxMaxDeliver, and idle_expiry is a Go duration between MinIdleExpiry and
//     MaxIdleExpiry;
//   - back_off has at most MaxBackOff entries, each a Go duration within the bounds of
//     ack_wait_ms, and no more entries than max_deliver allows deliveries (JetStream's
//     rule: each entry is the wait after one delivery); an empty list is none;
//   - max_ack_pending (default DefaultMaxAckPending) is between 1 and MaxMaxAckPending;
//   - filter is a valid filter (match.Compile), its errors named under "filter"; null
//     and {} are no filter.
//
// Lists longer than their limit get one error for the length and none for their
// entries, so that the error stays small whatever the body holds. On error the spec may
// have been partly filled in; it is meant to be discarded then.
func (s *Spec) Normalize() error {
	var v validator
	v.target(&s.Target)
	v.eventTypes(s.EventTypes)
	if len(v.fields) == 0 {
		// Counted only for valid lists: covering is meaningless between bad paths.
		if n := s.filterCount(); n > MaxFilterSubjects {
			v.fail("event_types", "together with target.resources makes "+strconv.Itoa(n)+
				" filter subjects (event types times resources, leaving out those another covers), more than "+
				strconv.Itoa(MaxFilterSubjects)+": use fewer event types or resources, \"<domain>.*\", "+
				"or a resource with include_subresources that covers several")
		}
	}

	if s.DeliverPolicy == "" {
		s.DeliverPolicy = DeliverAll
	}
	v.deliver(s)

	if s.AckWaitMS == nil {
		s.AckWaitMS = new(int64(DefaultAckWaitMS))
	} else if ms := *s.AckWaitMS; ms < MinAckWaitMS || ms > MaxAckWaitMS {
		v.fail("ack_wait_ms", "must be between "+strconv.Itoa(MinAckWaitMS)+" and "+
			strconv.Itoa(MaxAckWaitMS)+" (12h)")
	}
	if s.MaxDeliver == nil {
		s.MaxDeliver = new(DefaultMaxDeliver)
	} else if n := *s.MaxDeliver; n != -1 && (n < 1 || n > MaxMaxDeliver) {
		v.fail("max_deliver", "must be -1 (unlimited) or between 1 and "+strconv.Itoa(MaxMaxDeliver))
	}
	if s.IdleExpiry == "" {
		s.IdleExpiry = defaultIdleExpiryText
	}
	v.idleExpiry(s.IdleExpiry)
	v.backOff(s)
	if s.MaxAckPending == nil {
		s.MaxAckPending = new(DefaultMaxAckPending)
	} else if n := *s.MaxAckPending; n < 1 || n > MaxMaxAckPending {
		v.fail("max_ack_pending", "must be between 1 and "+strconv.Itoa(MaxMaxAckPending))
	}
	s.Filter = v.filter(s.Filter)

	return fault.Fields(v.fields)
}

// validator collects every broken rule of one spec.
type validator struct {
	fields []fault.FieldError
}

func (v *validator) fail(field, msg string) {
	v.fields = append(v.fields, fault.FieldError{Field: field, Message: msg})
}

// failWith adds the field errors of err, a fault without fields from package event,
// under the name field.
func (v *validator) failWith(field string, err error) {
	var f *fault.Error
	if errors.As(fault.Prefix(err, field), &f) {
		v.fields = append(v.fields, f.Fields...)
		return
	}
	v.fail(field, err.Error())
}

func (v *validator) target(t *Target) {
	switch kinds := t.kinds(); len(kinds) {
	case 0:
		v.fail("target", "must name one of resources, user, announcements and all")
		// Some body fields were set but empty; say which, so "resources": [] is not a mystery.
		if t.Resources != nil {
			v.fail("target.resources", "must have at least one entry")
		}
		return
	case 1:
	default:
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		v.fail("target", "must name only one of resources, user, announcements and all, not "+
			strings.Join(names, " and "))
	}
	if n := len(t.Resources); n > MaxResources {
		v.fail("target.resources", "must have at most "+strconv.Itoa(MaxResources)+" entries, not "+strconv.Itoa(n))
	} else {
		for i, r := range t.Resources {
			if err := event.ValidPath(r.Path); err != nil {
				v.failWith("target.resources["+strconv.Itoa(i)+"].path", err)
			}
		}
	}
	if t.User != "" {
		// The id becomes one path segment: users/<id>. A "/" would make it another
		// resource's path, so it is refused along with everything else a segment cannot hold.
		if strings.Contains(t.User, "/") || event.ValidPath(UserPath(t.User)) != nil {
			v.fail("target.user", "must be a user id of the characters [A-Za-z0-9_~:-], at most "+
				strconv.Itoa(event.MaxPathBytes-len(userPrefix))+" bytes: events about a user are stored under users/<id>")
		}
	}
}

// patternRule says which event type patterns there are.
const patternRule = `must be "*" (every event type), "<domain>.*" (every type of a domain), "<domain>.<Name>", or "<domain>.<Na*>" (a "*" inside the name)`

func (v *validator) eventTypes(types []string) {
	if n := len(types); n > MaxEventTypes {
		v.fail("event_types", "must have at most "+strconv.Itoa(MaxEventTypes)+" entries, not "+strconv.Itoa(n))
		return
	}
	for i, p := range types {
		field := "event_types[" + strconv.Itoa(i) + "]"
		if err := checkPattern(p); err != "" {
			v.fail(field, err)
		}
	}
}

// checkPattern returns why p is not an event type pattern, or "" when it is.
func checkPattern(p string) string {
	if p == "*" {
		return ""
	}
	if domain, ok := strings.CutSuffix(p, ".*"); ok && !strings.ContainsAny(domain, ".*>") {
		// A domain is valid exactly when it makes a valid event type with some name.
		if domain != "" && event.ValidEventType(domain+".N") == nil {
			return ""
		}
		return patternRule + `; the domain must be [A-Za-z0-9_-]+`
	}
	switch {
	case p == "":
		return "is required"
	case p == "*.*":
		return `must be written "*"`
	case strings.HasPrefix(p, "*.") && !strings.ContainsAny(p[2:], "*>"):
		// "*.Created" and "item.*" would both match item.Created: JetStream refuses
		// overlapping filters, and splitting them up is not worth a rare pattern.
		return patternRule + `; "*.<Name>" is not supported: name each domain`
	case strings.Contains(p, ">"):
		return patternRule + `; ">" is not a pattern character`
	case strings.Contains(p, "*"):
		domain, name, _ := strings.Cut(p, ".")
		if strings.Contains(domain, "*") {
			// A domain wildcard would read every domain from JetStream to keep a few.
			return patternRule + `; the domain must be written out whole: a "*" may stand for part of the name only`
		}
		// The name is checked with its stars as letters: "Job*" is valid when "JobX" is.
		if name == "" || event.ValidEventType(domain+"."+strings.ReplaceAll(name, "*", "X")) != nil {
			return patternRule + `; the domain and the name must be [A-Za-z0-9_-]+, the name may hold "*"`
		}
		return ""
	}
	if err := event.ValidEventType(p); err != nil {
		var f *fault.Error
		if errors.As(err, &f) {
			return f.Detail
		}
		return err.Error()
	}
	return ""
}

func (v *validator) deliver(s *Spec) {
	known := true
	switch s.DeliverPolicy {
	case DeliverAll, DeliverNew, DeliverLast, DeliverLastPerSubject, DeliverByStartTime, DeliverByStartSequence:
	default:
		v.fail("deliver_policy", `must be "all", "new", "last", "last_per_subject", "by_start_time" or "by_start_sequence"`)
		known = false
	}
	// With an unknown policy, whether a start field belongs is anyone's guess (a typo
	// of "by_start_time"?); only the fields' own values are checked then.
	switch {
	case known && s.DeliverPolicy == DeliverByStartTime && s.StartTime == nil:
		v.fail("start_time", `is required when deliver_policy is "by_start_time"`)
	case known && s.DeliverPolicy != DeliverByStartTime && s.StartTime != nil:
		v.fail("start_time", `is only allowed when deliver_policy is "by_start_time"`)
	case s.StartTime != nil && s.StartTime.IsZero():
		v.fail("start_time", "must be a time, not the zero time")
	}
	switch {
	case known && s.DeliverPolicy == DeliverByStartSequence && s.StartSequence == nil:
		v.fail("start_sequence", `is required when deliver_policy is "by_start_sequence"`)
	case known && s.DeliverPolicy != DeliverByStartSequence && s.StartSequence != nil:
		v.fail("start_sequence", `is only allowed when deliver_policy is "by_start_sequence"`)
	case s.StartSequence != nil && *s.StartSequence < 1:
		v.fail("start_sequence", "must be at least 1")
	}
}

func (v *validator) idleExpiry(s string) {
	d, err := time.ParseDuration(s)
	if err != nil {
		v.fail("idle_expiry", `must be a duration such as "30m", "24h" or "168h"`)
		return
	}
	if d < MinIdleExpiry || d > MaxIdleExpiry {
		v.fail("idle_expiry", "must be between 1m and 8760h")
	}
}

// backOff checks the back_off list of s against its max_deliver, which must be checked
// already; an empty list becomes none.
func (v *validator) backOff(s *Spec) {
	if len(s.BackOff) == 0 {
		s.BackOff = nil
		return
	}
	if n := len(s.BackOff); n > MaxBackOff {
		v.fail("back_off", "must have at most "+strconv.Itoa(MaxBackOff)+" entries, not "+strconv.Itoa(n))
		return
	}
	for i, b := range s.BackOff {
		d, err := time.ParseDuration(b)
		if err != nil || d < MinAckWaitMS*time.Millisecond || d > MaxAckWaitMS*time.Millisecond {
			v.fail("back_off["+strconv.Itoa(i)+"]", `must be a duration from 1s to 12h, such as "1s", "30s" or "5m"`)
		}
	}
	// JetStream's rule: each entry is the wait after one delivery, so there cannot be
	// more of them than deliveries.
	if md := s.maxDeliver(); md != -1 && md >= 1 && len(s.BackOff) > md {
		v.fail("back_off", "has "+strconv.Itoa(len(s.BackOff))+" entries, more than max_deliver ("+strconv.Itoa(md)+
			"): each entry is the wait after one delivery")
	}
}

// filter checks a consumer's filter and returns it as it is kept: nil for none (absent,
// null or {}), else the filter compacted.
func (v *validator) filter(raw json.RawMessage) json.RawMessage {
	if _, err := match.Compile(raw); err != nil {
		v.failWith("filter", err)
		return raw
	}
	var b bytes.Buffer
	if len(raw) == 0 || json.Compact(&b, raw) != nil || b.String() == "null" || b.String() == "{}" {
		return nil
	}
	return b.Bytes()
}
