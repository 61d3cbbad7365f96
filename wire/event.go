package wire

import (
	"encoding/json"
	"time"
)

// Event is the envelope of one event, as published (POST /v1/events), tested or fired
// against a trigger, and carried by a consumer's messages. The JSON names mix styles
// ("requestId", "_id") because they follow an existing notification service.
//
// Its JSON is the server's: empty members are left out (the timestamp too when zero),
// the timestamp is written in UTC, members are matched case-sensitively, and unknown
// ones are kept in Extra and written back after the known ones.
type Event struct {
	// Event is the event type, "<domain>.<Name>", such as "job.JobFinished".
	Event string `json:"event"`
	// UUID identifies the event and is its dedupe key. Package client fills in a
	// random one before publishing an event without it.
	UUID string `json:"uuid"`
	// Timestamp is when the event happened; the server fills in now when it is zero.
	Timestamp time.Time `json:"timestamp"`
	RequestID string    `json:"requestId,omitempty"`
	User      *User     `json:"user,omitempty"`
	// Resource is what the event is about; every event but a system event has one.
	Resource *Resource `json:"resource,omitempty"`
	// Recipients are the user ids that get a personal notification for this event.
	Recipients []string `json:"recipients,omitempty"`
	// Notification describes the personal notification; when present, a JSON object.
	Notification json.RawMessage `json:"notification,omitempty"`
	// Data is the publisher's payload; when present, a JSON object.
	Data json.RawMessage `json:"data,omitempty"`
	// PublisherID is an id the publisher may attach for its own use.
	PublisherID string `json:"_id,omitempty"`

	// Extra holds the top-level members this type does not name (such as the
	// "origin" of an event a trigger's action made), passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// User is the user who caused an event.
type User struct {
	ID string `json:"id,omitempty"`

	// Extra holds the members this type does not name, passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// Resource is the thing an event is about.
type Resource struct {
	// Type is free-form: "itemsvc.Item", "job", "collection".
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	// Path places the resource in its hierarchy ("projects/p1/collections/c1"). The
	// server derives it from Type and ID when a published event has none; events it
	// hands out always have one.
	Path       string   `json:"path,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	// Before and After are the resource's state around a change, as any JSON value,
	// null included.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`

	// Extra holds the members this type does not name, passed through unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

// eventJSON is an Event's known members as the server writes them: a zero timestamp
// is left out, which plain encoding of a time.Time would not do.
type eventJSON struct {
	Event        string          `json:"event,omitempty"`
	UUID         string          `json:"uuid,omitempty"`
	Timestamp    *time.Time      `json:"timestamp,omitempty"`
	RequestID    string          `json:"requestId,omitempty"`
	User         *User           `json:"user,omitempty"`
	Resource     *Resource       `json:"resource,omitempty"`
	Recipients   []string        `json:"recipients,omitempty"`
	Notification json.RawMessage `json:"notification,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
	PublisherID  string          `json:"_id,omitempty"`
}

// userJSON and resourceJSON are the known members of a User and a Resource; types of
// their own, without the methods, so that encoding them does not recurse.
type (
	userJSON struct {
		ID string `json:"id,omitempty"`
	}
	resourceJSON struct {
		Type       string          `json:"type,omitempty"`
		ID         string          `json:"id,omitempty"`
		Path       string          `json:"path,omitempty"`
		Namespaces []string        `json:"namespaces,omitempty"`
		Before     json.RawMessage `json:"before,omitempty"`
		After      json.RawMessage `json:"after,omitempty"`
	}
)

// MarshalJSON writes the event as the server does. The receiver is a value so that an
// Event held by value in another struct is written this way too.
func (e Event) MarshalJSON() ([]byte, error) {
	known := eventJSON{
		Event: e.Event, UUID: e.UUID, RequestID: e.RequestID, User: e.User, Resource: e.Resource,
		Recipients: e.Recipients, Notification: e.Notification, Data: e.Data, PublisherID: e.PublisherID,
	}
	if !e.Timestamp.IsZero() {
		t := e.Timestamp.UTC()
		known.Timestamp = &t
	}
	return marshalWithExtra(known, e.Extra, eventMembers)
}

// UnmarshalJSON reads an event as the server does, keeping unknown members in Extra.
// A null member reads as an absent one (but for the resource's before and after,
// where null is a value). On error e is left unchanged.
func (e *Event) UnmarshalJSON(b []byte) error {
	m, err := splitMembers(b, "event")
	if err != nil || m == nil {
		return err
	}
	var known eventJSON
	if err := takeMembers(m, &known, "event"); err != nil {
		return err
	}
	out := Event{
		Event: known.Event, UUID: known.UUID, RequestID: known.RequestID, User: known.User, Resource: known.Resource,
		Recipients: nonEmpty(known.Recipients), Notification: nonNull(known.Notification), Data: nonNull(known.Data),
		PublisherID: known.PublisherID, Extra: extraOf(m),
	}
	if known.Timestamp != nil {
		out.Timestamp = known.Timestamp.UTC()
	}
	*e = out
	return nil
}

// MarshalJSON writes the user, then its Extra members.
func (u User) MarshalJSON() ([]byte, error) {
	return marshalWithExtra(userJSON{ID: u.ID}, u.Extra, userMembers)
}

// UnmarshalJSON reads a user, keeping unknown members in Extra.
func (u *User) UnmarshalJSON(b []byte) error {
	m, err := splitMembers(b, "user")
	if err != nil || m == nil {
		return err
	}
	var known userJSON
	if err := takeMembers(m, &known, "user"); err != nil {
		return err
	}
	*u = User{ID: known.ID, Extra: extraOf(m)}
	return nil
}

// MarshalJSON writes the resource, leaving out empty members, then its Extra members.
func (r Resource) MarshalJSON() ([]byte, error) {
	known := resourceJSON{Type: r.Type, ID: r.ID, Path: r.Path, Namespaces: r.Namespaces, Before: r.Before, After: r.After}
	return marshalWithExtra(known, r.Extra, resourceMembers)
}

// UnmarshalJSON reads a resource, keeping unknown members in Extra. Unlike the server
// it does not derive a missing path: it reads what was written.
func (r *Resource) UnmarshalJSON(b []byte) error {
	m, err := splitMembers(b, "resource")
	if err != nil || m == nil {
		return err
	}
	var known resourceJSON
	if err := takeMembers(m, &known, "resource"); err != nil {
		return err
	}
	*r = Resource{
		Type: known.Type, ID: known.ID, Path: known.Path, Namespaces: nonEmpty(known.Namespaces),
		Before: known.Before, After: known.After, Extra: extraOf(m),
	}
	return nil
}

// The known member names of each type with Extra, from their struct tags, so that the
// lists cannot drift from the fields.
var (
	eventMembers    = memberNames[eventJSON]()
	userMembers     = memberNames[userJSON]()
	resourceMembers = memberNames[resourceJSON]()
)
