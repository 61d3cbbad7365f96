package inbox

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// Variant says what a notification is about.
type Variant string

// The variants. The first five are the reference system's; DeliveryExhausted,
// TriggerDisabled and MessageDropped are Herald's notices to an owner about a trigger or
// a consumer; Event is Herald's for an event with recipients whose type implies none of
// them.
const (
	AccessRequested   Variant = "ACCESS_REQUESTED"
	PermissionGranted Variant = "PERMISSION_GRANTED"
	PermissionRevoked Variant = "PERMISSION_REVOKED"
	PermissionUpdated Variant = "PERMISSION_UPDATED"
	Announcement      Variant = "ANNOUNCEMENT"
	DeliveryExhausted Variant = "DELIVERY_EXHAUSTED"
	TriggerDisabled   Variant = "TRIGGER_DISABLED"
	MessageDropped    Variant = "MESSAGE_DROPPED"
	Event             Variant = "EVENT"
)

// Variants lists every variant, in the order documentation shows them.
var Variants = []Variant{AccessRequested, PermissionGranted, PermissionRevoked, PermissionUpdated, Announcement, DeliveryExhausted, TriggerDisabled, MessageDropped, Event}

// Valid reports whether v is one of Variants.
func (v Variant) Valid() bool {
	for _, k := range Variants {
		if v == k {
			return true
		}
	}
	return false
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
	Value string  `json:"value"` // the user id or resource path
}

// Limits of a notification's content.
const (
	MaxMessageBytes = 2000
	MaxRefs         = 20
	MaxRefBytes     = 512 // for each of a ref's name and value
)

// Content is what a notification says: the part its maker chooses.
type Content struct {
	Variant Variant `json:"variant"`
	Message string  `json:"message"`
	Refs    []Ref   `json:"refs"`
}

// Validate checks c, naming fields as paths under prefix ("" for the top level).
func (c *Content) Validate(prefix string) error {
	var fields []fault.FieldError
	fail := func(field, msg string) {
		fields = append(fields, fault.FieldError{Field: prefix + field, Message: msg})
	}
	if !c.Variant.Valid() {
		fail("variant", "must be one of "+variantList())
	}
	if c.Message == "" {
		fail("message", "must not be empty")
	} else if len(c.Message) > MaxMessageBytes || !utf8.ValidString(c.Message) {
		fail("message", "must be valid UTF-8 of at most "+strconv.Itoa(MaxMessageBytes)+" bytes")
	}
	if len(c.Refs) > MaxRefs {
		fail("refs", "must have at most "+strconv.Itoa(MaxRefs)+" entries")
	}
	for i, r := range c.Refs[:min(len(c.Refs), MaxRefs)] {
		at := "refs[" + strconv.Itoa(i) + "]."
		if r.Type != RefUser && r.Type != RefResource {
			fail(at+"type", `must be "USER" or "RESOURCE"`)
		}
		for _, f := range [...]struct{ name, v string }{{"name", r.Name}, {"value", r.Value}} {
			if f.v == "" || len(f.v) > MaxRefBytes || !utf8.ValidString(f.v) {
				fail(at+f.name, "must be valid UTF-8 of 1 to "+strconv.Itoa(MaxRefBytes)+" bytes")
			}
		}
	}
	return fault.Fields(fields)
}

// variantList is Variants as the error messages show them.
func variantList() string {
	s := ""
	for i, v := range Variants {
		if i > 0 {
			s += ", "
		}
		s += string(v)
	}
	return s
}

// Notification is one notification in a user's inbox, as the API shows it.
type Notification struct {
	ID     string `json:"id"` // a ULID; ids sort by creation time
	UserID string `json:"user_id"`
	Content
	EventUUID      string     `json:"event_uuid"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"` // nil while unacknowledged
	// ExpiresAt is when the notification is deleted; zero (and absent from JSON) while it
	// is unacknowledged and kept until acknowledged.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Acknowledged reports whether the notification has been acknowledged.
func (n *Notification) Acknowledged() bool { return n.AcknowledgedAt != nil }

// Unique returns ids (recipients, notification ids) without repeats, in first-seen
// order: a user named twice gets one notification, an id acknowledged twice in one
// request is reported once.
func Unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
