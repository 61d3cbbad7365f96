package consumer

import (
	"encoding/json"
	"time"
)

// Spec is the create body of POST /v1/consumers. Callers decode it strictly (unknown
// fields rejected) and then call Normalize, which fills in the defaults and checks
// every rule; the other methods expect a normalized spec.
//
// The optional settings are pointers so that an explicit zero (an invalid
// "max_deliver": 0, say) is told apart from an absent field.
type Spec struct {
	Target     Target   `json:"target"`
	EventTypes []string `json:"event_types,omitempty"`

	// DeliverPolicy says where the consumer starts: DeliverAll (the default),
	// DeliverNew, DeliverLast, DeliverLastPerSubject, DeliverByStartTime with
	// StartTime, or DeliverByStartSequence with StartSequence.
	DeliverPolicy string `json:"deliver_policy,omitempty"`
	// StartTime is RFC 3339; fractions of a second are kept to the nanosecond, so a
	// time copied from an event's metadata starts at exactly that event.
	StartTime     *time.Time `json:"start_time,omitempty"`
	StartSequence *uint64    `json:"start_sequence,omitempty"`

	AckWaitMS  *int64 `json:"ack_wait_ms,omitempty"` // unacknowledged messages come back after this
	MaxDeliver *int   `json:"max_deliver,omitempty"` // delivery attempts per message; -1 is unlimited
	// IdleExpiry is a Go duration ("168h"): a consumer that is not used for this long is
	// removed, from JetStream and from Herald's records.
	IdleExpiry string `json:"idle_expiry,omitempty"`
	// BackOff lists Go durations ("1s", "30s"), JetStream's BackOff: the wait for the
	// acknowledgement of a message's first delivery, of its second, and so on, the last
	// repeating. While it is set it takes the place of the ack wait.
	BackOff []string `json:"back_off,omitempty"`
	// MaxAckPending bounds the messages delivered and not yet acknowledged: past it,
	// nothing more is delivered until some are acknowledged or their wait runs out.
	MaxAckPending *int `json:"max_ack_pending,omitempty"`
	// Filter is a filter in the trigger filter language (package match) that every
	// message shown must match besides the subjects: Herald acknowledges and hides the
	// others. Absent, null and {} all show every message.
	Filter json.RawMessage `json:"filter,omitempty"`
}

// The deliver policies.
const (
	DeliverAll             = "all"               // everything still on the stream
	DeliverNew             = "new"               // only events stored after the consumer is created
	DeliverByStartTime     = "by_start_time"     // events stored at or after StartTime
	DeliverByStartSequence = "by_start_sequence" // events from stream sequence StartSequence on
	DeliverLast            = "last"              // the last event stored on the consumer's subjects, and all after it
	DeliverLastPerSubject  = "last_per_subject"  // the last event of each subject, and all after them
)

// Limits and defaults of a Spec.
const (
	MaxResources  = 100 // entries of target.resources
	MaxEventTypes = 50  // entries of event_types
	// MaxFilterSubjects bounds the filter subjects of one consumer (event type patterns
	// times resources, after dropping covered ones). The server checks every pair of
	// filters for overlap on each create and on each restart: 1000 take it about 0.1 s,
	// the 5000 that the list limits alone would allow about 2 s, long enough to time out
	// the create request and hold up every other JetStream API call meanwhile.
	MaxFilterSubjects = 1000

	DefaultAckWaitMS = 30_000
	MinAckWaitMS     = 1_000
	MaxAckWaitMS     = 12 * 60 * 60 * 1000 // 12h: an ack wait longer than that is a lost message

	DefaultMaxDeliver = -1 // unlimited: a consumer never loses an event silently
	MaxMaxDeliver     = 1000

	DefaultIdleExpiry = 168 * time.Hour // written "168h" in a normalized spec
	MinIdleExpiry     = time.Minute
	MaxIdleExpiry     = 8760 * time.Hour // a year

	// MaxBackOff bounds the entries of back_off; each is between MinAckWaitMS and
	// MaxAckWaitMS, like an ack wait.
	MaxBackOff = 20

	// DefaultMaxAckPending is the max_ack_pending of a consumer that does not set it.
	// JetStream's default of 1000 would let one unacknowledged batch of the largest size
	// (1000) stop delivery until its ack wait runs out; ten times that never stalls a
	// fetch.
	DefaultMaxAckPending = 10_000
	// MaxMaxAckPending bounds max_ack_pending: the server keeps a record of every
	// pending message of every consumer in memory.
	MaxMaxAckPending = 100_000
)

// AckWait returns the ack wait as a duration, or the default when it is not set.
func (s *Spec) AckWait() time.Duration {
	ms := int64(DefaultAckWaitMS)
	if s.AckWaitMS != nil {
		ms = *s.AckWaitMS
	}
	return time.Duration(ms) * time.Millisecond
}

// IdleExpiryDuration returns the idle expiry as a duration, or the default when it is
// not set or does not parse (Normalize rejects the latter).
func (s *Spec) IdleExpiryDuration() time.Duration {
	if s.IdleExpiry == "" {
		return DefaultIdleExpiry
	}
	d, err := time.ParseDuration(s.IdleExpiry)
	if err != nil {
		return DefaultIdleExpiry
	}
	return d
}

// maxAckPending returns MaxAckPending, or the default when it is not set (records made
// before the setting existed).
func (s *Spec) maxAckPending() int {
	if s.MaxAckPending == nil {
		return DefaultMaxAckPending
	}
	return *s.MaxAckPending
}

// backOff returns BackOff as durations; entries that do not parse (Normalize rejects
// them) are left out.
func (s *Spec) backOff() []time.Duration {
	if len(s.BackOff) == 0 {
		return nil
	}
	out := make([]time.Duration, 0, len(s.BackOff))
	for _, b := range s.BackOff {
		if d, err := time.ParseDuration(b); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// maxDeliver returns MaxDeliver, or the default when it is not set.
func (s *Spec) maxDeliver() int {
	if s.MaxDeliver == nil {
		return DefaultMaxDeliver
	}
	return *s.MaxDeliver
}

// defaultIdleExpiryText is DefaultIdleExpiry as Normalize writes it: the way a person
// would, rather than time.Duration's "168h0m0s".
const defaultIdleExpiryText = "168h"
