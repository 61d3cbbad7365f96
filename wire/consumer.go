package wire

import (
	"bytes"
	"encoding/json"
	"time"
)

// The deliver policies of a consumer (ConsumerSpec.DeliverPolicy).
const (
	DeliverAll             = "all"               // everything still on the stream; the default
	DeliverNew             = "new"               // only events stored after the consumer is created
	DeliverByStartTime     = "by_start_time"     // events stored at or after StartTime
	DeliverByStartSequence = "by_start_sequence" // events from stream sequence StartSequence on
	DeliverLast            = "last"              // the last event stored on the consumer's subjects, and all after it
	DeliverLastPerSubject  = "last_per_subject"  // the last event of each subject, and all after them
)

// ConsumerSpec is the body of creating a consumer (POST /v1/consumers). The server
// refuses members it does not know and fills in the defaults of those left out.
//
// The optional settings are pointers so that an explicit zero is told apart from an
// absent member.
type ConsumerSpec struct {
	Target Target `json:"target"`
	// EventTypes are event type patterns ("job.*"); none is every type.
	EventTypes []string `json:"event_types,omitempty"`

	// DeliverPolicy says where the consumer starts: DeliverAll (the default),
	// DeliverNew, DeliverLast, DeliverLastPerSubject, DeliverByStartTime with
	// StartTime, or DeliverByStartSequence with StartSequence.
	DeliverPolicy string     `json:"deliver_policy,omitempty"`
	StartTime     *time.Time `json:"start_time,omitempty"`
	StartSequence *uint64    `json:"start_sequence,omitempty"`

	// AckWaitMS is how long a delivered message waits for its acknowledgement before
	// it comes back, in milliseconds (default 30000).
	AckWaitMS *int64 `json:"ack_wait_ms,omitempty"`
	// MaxDeliver bounds the deliveries of one message; -1, the default, is unlimited.
	MaxDeliver *int `json:"max_deliver,omitempty"`
	// IdleExpiry is a Go duration ("168h", the default): a consumer not used for this
	// long is removed.
	IdleExpiry string `json:"idle_expiry,omitempty"`
	// BackOff lists Go durations ("1s", "30s"): the wait for the acknowledgement after
	// a message's first delivery, after its second, and so on, the last repeating. While
	// set it takes the place of AckWaitMS.
	BackOff []string `json:"back_off,omitempty"`
	// MaxAckPending bounds the delivered messages not yet acknowledged (default 10000).
	MaxAckPending *int `json:"max_ack_pending,omitempty"`
	// Filter is a filter in the trigger filter language: Herald acknowledges and hides
	// the messages that do not match.
	Filter json.RawMessage `json:"filter,omitempty"`
}

// ConsumerChanges is the body of changing a consumer (PUT /v1/consumers/{id}): each
// member set is changed, every other kept. Reset names the members to put back to
// their defaults (sent as null): "filter", "back_off", "event_types", "ack_wait_ms",
// "max_deliver", "max_ack_pending", "idle_expiry". The target, deliver policy and start
// cannot change.
type ConsumerChanges struct {
	EventTypes    []string        `json:"event_types,omitempty"`
	Filter        json.RawMessage `json:"filter,omitempty"`
	AckWaitMS     *int64          `json:"ack_wait_ms,omitempty"`
	MaxDeliver    *int            `json:"max_deliver,omitempty"`
	BackOff       []string        `json:"back_off,omitempty"`
	MaxAckPending *int            `json:"max_ack_pending,omitempty"`
	IdleExpiry    string          `json:"idle_expiry,omitempty"`
	// Reset lists members sent as null, putting them back to their defaults; a member
	// both set and reset is reset.
	Reset []string `json:"-"`
}

// consumerChanges is ConsumerChanges without its JSON methods.
type consumerChanges ConsumerChanges

// MarshalJSON writes the members set, and null for each one in Reset.
func (c ConsumerChanges) MarshalJSON() ([]byte, error) {
	raw, err := json.Marshal(consumerChanges(c))
	if err != nil || len(c.Reset) == 0 {
		return raw, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, err
	}
	for _, name := range c.Reset {
		members[name] = json.RawMessage("null")
	}
	return json.Marshal(members)
}

// UnmarshalJSON reads the members given, and puts those given as null in Reset. A
// member that cannot be changed (target, deliver_policy…) or is unknown is an error, as
// the server would answer.
func (c *ConsumerChanges) UnmarshalJSON(b []byte) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return err
	}
	var out consumerChanges
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return err
	}
	for name, v := range members {
		if string(v) == "null" {
			out.Reset = append(out.Reset, name)
		}
	}
	*c = ConsumerChanges(out)
	return nil
}

// Target says which events a consumer gets: exactly one of its fields is set.
type Target struct {
	Resources     []ResourceTarget `json:"resources,omitempty"`
	User          string           `json:"user,omitempty"`
	Announcements bool             `json:"announcements,omitempty"`
	All           bool             `json:"all,omitempty"`
}

// ResourceTarget selects the events about one resource, and with IncludeSubresources
// also those about every resource below it (segment by segment: "projects/p1" has
// "projects/p1/c" below it, but not "projects/p10").
type ResourceTarget struct {
	Path                string `json:"path"`
	IncludeSubresources bool   `json:"include_subresources"`
}

// Consumer is a consumer as the API shows it: its spec with the defaults filled in,
// whose members appear at the top level, plus who owns it, the subjects it reads, and
// when it was made, last used and will expire.
type Consumer struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	ConsumerSpec
	FilterSubjects []string  `json:"filter_subjects"`
	CreatedAt      time.Time `json:"created_at"`
	LastUsedAt     time.Time `json:"last_used_at"`
	// ExpiresAt is LastUsedAt plus the idle expiry.
	ExpiresAt time.Time `json:"expires_at"`
	// DisabledReason says why the consumer delivers nothing (an administrator disabled
	// it); empty while it is enabled.
	DisabledReason string `json:"disabled_reason,omitempty"`
	// Warnings are in the answer to a create only: event types in the spec that
	// Herald knows nothing of, which are likely misspelt. The consumer is made all
	// the same.
	Warnings []Warning `json:"warnings,omitempty"`
}
