package wire

import "time"

// The deliver policies of a consumer (ConsumerSpec.DeliverPolicy).
const (
	DeliverAll             = "all"               // everything still on the stream; the default
	DeliverNew             = "new"               // only events stored after the consumer is created
	DeliverByStartTime     = "by_start_time"     // events stored at or after StartTime
	DeliverByStartSequence = "by_start_sequence" // events from stream sequence StartSequence on
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
	// DeliverNew, DeliverByStartTime with StartTime, or DeliverByStartSequence with
	// StartSequence.
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
