package consumer

import (
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
	// DeliverNew, DeliverByStartTime with StartTime, or DeliverByStartSequence with
	// StartSequence.
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
}

// The deliver policies.
const (
	DeliverAll             = "all"               // everything still on the stream
	DeliverNew             = "new"               // only events stored after the consumer is created
	DeliverByStartTime     = "by_start_time"     // events stored at or after StartTime
	DeliverByStartSequence = "by_start_sequence" // events from stream sequence StartSequence on
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
