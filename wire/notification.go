package wire

import "time"

// Variant says what a notification is about.
type Variant string

// The variants of a notification. VariantEvent is that of an event with recipients
// whose type implies none of the others.
const (
	VariantAccessRequested   Variant = "ACCESS_REQUESTED"
	VariantPermissionGranted Variant = "PERMISSION_GRANTED"
	VariantPermissionRevoked Variant = "PERMISSION_REVOKED"
	VariantPermissionUpdated Variant = "PERMISSION_UPDATED"
	VariantAnnouncement      Variant = "ANNOUNCEMENT"
	VariantDeliveryExhausted Variant = "DELIVERY_EXHAUSTED"
	VariantTriggerDisabled   Variant = "TRIGGER_DISABLED"
	VariantMessageDropped    Variant = "MESSAGE_DROPPED"
	VariantEvent             Variant = "EVENT"
)

// Variants lists every variant.
var Variants = []Variant{
	VariantAccessRequested, VariantPermissionGranted, VariantPermissionRevoked, VariantPermissionUpdated,
	VariantAnnouncement, VariantDeliveryExhausted, VariantTriggerDisabled, VariantMessageDropped, VariantEvent,
}

// RefType says what a Ref points at.
type RefType string

// The kinds of reference.
const (
	RefUser     RefType = "USER"
	RefResource RefType = "RESOURCE"
)

// Ref points from a notification to a user or a resource it is about.
type Ref struct {
	Type  RefType `json:"type"`
	Name  string  `json:"name"`  // what the value is: "actor", a resource type, …
	Value string  `json:"value"` // the user id or the resource path
}

// Content is what a notification says: the part its maker chooses, and the body of
// creating notifications (POST /v1/notifications) besides the recipients. The message
// is 1 to 2000 bytes; there are at most 20 refs.
type Content struct {
	Variant Variant `json:"variant"`
	Message string  `json:"message"`
	Refs    []Ref   `json:"refs"`
}

// Notification is one notification in a user's inbox.
type Notification struct {
	ID     string `json:"id"` // a ULID: ids sort by creation time
	UserID string `json:"user_id"`
	Content
	EventUUID      string     `json:"event_uuid"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"` // nil while unacknowledged
	// ExpiresAt is when the notification is deleted; zero (absent) while it is
	// unacknowledged and the deployment keeps those until acknowledged.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Acknowledged reports whether the notification has been acknowledged.
func (n *Notification) Acknowledged() bool { return n.AcknowledgedAt != nil }

// State selects notifications by whether they were acknowledged, in
// GET /v1/me/notifications?state=….
type State string

// The states a listing selects.
const (
	StateUnacknowledged State = "unacknowledged" // the default
	StateAcknowledged   State = "acknowledged"
	StateAll            State = "all"
)

// InboxAcknowledgement says which notifications were acknowledged, in the acknowledged
// frames of the inbox stream (GET /v1/me/notifications/stream): the ids listed, or
// every notification up to and including Before (All when the request was for all of
// them and none is left).
type InboxAcknowledgement struct {
	IDs    []string `json:"ids,omitempty"`
	Before string   `json:"before,omitempty"`
	All    bool     `json:"all,omitempty"`
}

// Covers reports whether the acknowledgement covers the notification id.
func (a *InboxAcknowledgement) Covers(id string) bool {
	if a.Before != "" && id <= a.Before {
		return true
	}
	for _, x := range a.IDs {
		if x == id {
			return true
		}
	}
	return false
}
