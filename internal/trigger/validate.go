package trigger

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// Limits of a spec.
const (
	MaxNameBytes     = 128
	MaxEvents        = 50
	MaxPatternBytes  = 128
	MaxActionBytes   = 64 * 1024
	MaxScheduleSteps = 20
	MinRetryStep     = time.Second
	MaxRetryStep     = 12 * time.Hour // the longest SQS visibility timeout
)

// Normalize fills in the defaults (mode async, enabled, the default retry schedule) and
// checks the spec, returning a fault Invalid naming every field that breaks a rule:
//
//   - name is 1 to MaxNameBytes of UTF-8;
//   - resource.path, when set, is a valid resource path (event.ValidPath); without it
//     the trigger spans every path, include_subresources is set to say so, and
//     Authorize decides who may have it. resource.type, when set, is a pattern of
//     letters, digits, "_", "-", "." and "*";
//   - events has at most MaxEvents patterns: "*", or "<domain>.<Name>" where either part
//     may hold "*". Without any, the filter's condition on "event" selects the events,
//     and without that the trigger is a placeholder (MatchEvents);
//   - filter compiles (package match), its errors named under "filter";
//   - action is an object of at most MaxActionBytes (package actionspec checks its
//     fields);
//   - mode is async or sync;
//   - retry.schedule has 1 to MaxScheduleSteps Go durations from MinRetryStep to
//     MaxRetryStep.
func (s *Spec) Normalize() error {
	var fields []fault.FieldError
	fail := func(field, msg string) { fields = append(fields, fault.FieldError{Field: field, Message: msg}) }

	if s.Name == "" || len(s.Name) > MaxNameBytes || !utf8.ValidString(s.Name) {
		fail("name", "must be 1 to "+strconv.Itoa(MaxNameBytes)+" bytes of UTF-8")
	}
	if s.AllPaths() {
		// Every path lies below the root: a trigger without a path includes them all.
		s.Resource.IncludeSubresources = true
	} else if err := event.ValidPath(s.Resource.Path); err != nil {
		fail("resource.path", err.Error())
	}
	if s.Resource.Type != "" && !validPattern(s.Resource.Type) {
		fail("resource.type", "must be 1 to "+strconv.Itoa(MaxPatternBytes)+" of letters, digits, _ - . and *")
	}
	if s.Events == nil {
		s.Events = []string{} // no events shows an empty list, not null
	}
	if len(s.Events) > MaxEvents {
		fail("events", "must have at most "+strconv.Itoa(MaxEvents)+" entries")
	} else {
		for i, e := range s.Events {
			if msg := checkEventPattern(e); msg != "" {
				fail("events["+strconv.Itoa(i)+"]", msg)
			}
		}
	}
	if _, err := match.Compile(s.Filter); err != nil {
		var fe *fault.Error
		if pe := fault.Prefix(err, "filter"); errors.As(pe, &fe) {
			fields = append(fields, fe.Fields...)
		}
	}
	fields = append(fields, checkAction(s.Action)...)
	switch s.Mode {
	case "":
		s.Mode = Async
	case Async, Sync:
	default:
		fail("mode", "must be async or sync")
	}
	if s.Retry != nil {
		if n := len(s.Retry.Schedule); n == 0 || n > MaxScheduleSteps {
			fail("retry.schedule", "must have 1 to "+strconv.Itoa(MaxScheduleSteps)+" entries")
		} else {
			for i, d := range s.Retry.Schedule {
				if v, err := time.ParseDuration(d); err != nil || v < MinRetryStep || v > MaxRetryStep {
					fail("retry.schedule["+strconv.Itoa(i)+"]", "must be a Go duration from 1s to 12h, such as \"30s\" or \"2h\"")
				}
			}
		}
	} else {
		s.Retry = &Retry{Schedule: DefaultSchedule}
	}
	if s.Enabled == nil {
		s.Enabled = new(true)
	}
	return fault.Fields(fields)
}

// validPattern reports whether p is a resource type pattern.
func validPattern(p string) bool {
	if p == "" || len(p) > MaxPatternBytes {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-.*", r)) {
			return false
		}
	}
	return true
}

// checkEventPattern returns why p is not an event type pattern, or "".
func checkEventPattern(p string) string {
	const msg = `must be "*" or "<domain>.<Name>", where either part may hold "*"`
	if p == "*" {
		return ""
	}
	if !validPattern(p) || strings.Count(p, ".") != 1 {
		return msg
	}
	if !strings.Contains(p, "*") {
		if err := event.ValidEventType(p); err != nil {
			return msg
		}
		return ""
	}
	domain, name, _ := strings.Cut(p, ".")
	if domain == "" || name == "" {
		return msg
	}
	return ""
}

// checkAction checks what the trigger itself needs of its action: an object of at most
// MaxActionBytes. Its fields are checked against the operator's policy by package
// actionspec, which the API runs after Normalize.
func checkAction(raw json.RawMessage) []fault.FieldError {
	fail := func(field, msg string) []fault.FieldError { return []fault.FieldError{{Field: field, Message: msg}} }
	if len(raw) == 0 || string(raw) == "null" {
		return fail("action", "is required")
	}
	if len(raw) > MaxActionBytes {
		return fail("action", "must be at most "+strconv.Itoa(MaxActionBytes)+" bytes")
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil || a == nil {
		return fail("action", "must be an object")
	}
	return nil
}
