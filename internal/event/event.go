package event

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
)

// MaxSize is the largest encoded event, in bytes. SNS accepts 256 KiB per message;
// the difference leaves room for message attributes and the envelope SNS adds.
const MaxSize = 240 * 1024

// Domains with rules of their own.
const (
	// SystemDomain holds events about Herald or the platform as a whole, such as
	// announcements. They need no resource and are stored under the path [SystemPath].
	SystemDomain = "system"
	// UserDomain holds events about a user; they name that user as the resource.
	UserDomain = "user"
	// SystemPath is the path of every system event.
	SystemPath = "system"
)

// User is the user who caused an event.
type User struct {
	ID string `json:"id,omitempty"`

	// Extra holds the fields Herald does not know, passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// Resource is the thing an event is about.
type Resource struct {
	// Type is free-form, for example "itemsvc.Item", "job" or "collection".
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	// Path places the resource in its hierarchy, for example "projects/p1/collections/c1".
	// When a published event has none, Decode derives it from Type and ID (see DerivePath).
	Path       string   `json:"path,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	// Before and After are the resource's state around a change, as any JSON value.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`

	// Extra holds the fields Herald does not know, passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// Event is the envelope of one event. The JSON names follow the notification service
// of the object-model API, which is why they mix styles ("requestId", "_id").
type Event struct {
	// Event is the event type, "<domain>.<Name>", for example "resource.ResourceCreated".
	Event string `json:"event"`
	// UUID identifies the event and is the dedupe key everywhere: the NATS message id,
	// deliveries, personal notifications.
	UUID      string    `json:"uuid"`
	Timestamp time.Time `json:"timestamp"`
	RequestID string    `json:"requestId,omitempty"`
	User      *User     `json:"user,omitempty"`
	Resource  *Resource `json:"resource,omitempty"`
	// Recipients are the user ids that get a personal notification for this event.
	Recipients []string `json:"recipients,omitempty"`
	// Notification describes the personal notification; when present it is a JSON object.
	Notification json.RawMessage `json:"notification,omitempty"`
	// Data is publisher-specific payload; when present it is a JSON object.
	Data json.RawMessage `json:"data,omitempty"`
	// PublisherID is an id the publisher may attach for its own use.
	PublisherID string `json:"_id,omitempty"`

	// Extra holds the top-level fields Herald does not know, passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// Domain returns the part of the event type before the dot ("resource" in
// "resource.ResourceCreated"), or "" when the type has no dot.
func (e *Event) Domain() string {
	d, _, ok := strings.Cut(e.Event, ".")
	if !ok {
		return ""
	}
	return d
}

// Name returns the part of the event type after the dot ("ResourceCreated" in
// "resource.ResourceCreated"), or "" when the type has no dot.
func (e *Event) Name() string {
	_, n, _ := strings.Cut(e.Event, ".")
	return n
}

// Path returns the path the event is stored under: SystemPath for system events,
// otherwise the resource's path, derived from its type and id when the event was
// built in code without one. It returns "" when there is no resource to take it from.
func (e *Event) Path() string {
	if e.Domain() == SystemDomain {
		return SystemPath
	}
	return e.Resource.path()
}

// path returns the resource's path, deriving it when absent; "" for a nil resource
// or one with neither path nor both type and id.
func (r *Resource) path() string {
	switch {
	case r == nil:
		return ""
	case r.Path != "":
		return r.Path
	case r.Type != "" && r.ID != "":
		return DerivePath(r.Type, r.ID)
	}
	return ""
}

// Subject returns the NATS subject the event is stored on. It is meaningful only for
// an event that passes Validate.
func (e *Event) Subject() string { return Subject(e.Event, e.Path()) }

// HasRecipients reports whether the event asks for personal notifications. The
// fan-out publishes it as a message attribute so that only such events reach the inbox.
func (e *Event) HasRecipients() bool { return len(e.Recipients) > 0 }

// FillDefaults sets what Herald's HTTP publish API may fill in for the publisher:
// a random (version 4, lower-case) UUID when UUID is empty, and now in UTC when
// Timestamp is zero. Events read straight from NATS are not filled: their publisher
// owns the dedupe key, and inventing one per read would defeat deduplication.
func (e *Event) FillDefaults(now time.Time) {
	if e.UUID == "" {
		e.UUID = uuid.NewString()
	}
	if e.Timestamp.IsZero() {
		e.Timestamp = now.UTC()
	}
}
