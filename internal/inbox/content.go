package inbox

import (
	"encoding/json"
	"strings"

	"github.com/heraldhq/herald/internal/event"
)

// variantOf maps event types to the variant they imply.
var variantOf = map[string]Variant{
	"user.PermissionGranted": PermissionGranted,
	"user.PermissionRevoked": PermissionRevoked,
	"user.PermissionUpdated": PermissionUpdated,
	"user.AccessRequested":   AccessRequested,
	"system.Announcement":    Announcement,
}

// FromEvent returns the content of the notifications ev makes for its recipients. Each
// part of ev's "notification" field (variant, message, refs) is used when it is valid;
// what is missing or invalid is derived from the event instead, and named in ignored
// so that the caller can log it. A notification is never lost to a publisher's mistake
// in that field.
//
// Derived content: the variant from the event type (user.PermissionGranted →
// PERMISSION_GRANTED, …, system.Announcement → ANNOUNCEMENT, anything else EVENT); a
// message naming the resource; refs to the resource (RESOURCE, named by its type) and
// to the acting user (USER "actor", from user.id). Permission events are about a user
// (their resource is the user); the resource the permission is on may be given as
// data.resource {"type", "path"}, and is then the one referred to.
func FromEvent(ev *event.Event) (c Content, ignored []string) {
	c = derive(ev)
	if len(ev.Notification) == 0 {
		return c, nil
	}
	var given struct {
		Variant Variant         `json:"variant"`
		Message string          `json:"message"`
		Refs    json.RawMessage `json:"refs"`
	}
	if err := json.Unmarshal(ev.Notification, &given); err != nil {
		return c, []string{"notification"}
	}
	if given.Variant != "" {
		if given.Variant.Valid() {
			c.Variant = given.Variant
		} else {
			ignored = append(ignored, "notification.variant")
		}
	}
	if given.Message != "" {
		probe := Content{Variant: c.Variant, Message: given.Message}
		if probe.Validate("") == nil {
			c.Message = given.Message
		} else {
			ignored = append(ignored, "notification.message")
		}
	}
	if len(given.Refs) > 0 && string(given.Refs) != "null" {
		var refs []Ref
		probe := Content{Variant: c.Variant, Message: c.Message}
		if json.Unmarshal(given.Refs, &refs) == nil {
			probe.Refs = refs
		}
		if probe.Refs != nil && probe.Validate("") == nil {
			c.Refs = refs
		} else {
			ignored = append(ignored, "notification.refs")
		}
	}
	return c, ignored
}

// derive returns the content FromEvent derives from ev alone.
func derive(ev *event.Event) Content {
	c := Content{Variant: Event, Refs: []Ref{}}
	if v, ok := variantOf[ev.Event]; ok {
		c.Variant = v
	}
	resType, resPath := subjectResource(ev)
	if resPath != "" {
		c.Refs = append(c.Refs, Ref{Type: RefResource, Name: orDefault(resType, "resource"), Value: resPath})
	}
	actor := ""
	if ev.User != nil && ev.User.ID != "" {
		actor = ev.User.ID
		c.Refs = append(c.Refs, Ref{Type: RefUser, Name: "actor", Value: actor})
	}
	res := orDefault(resPath, "a resource")
	switch c.Variant {
	case PermissionGranted:
		c.Message = "You were granted a permission on " + res + "."
	case PermissionRevoked:
		c.Message = "A permission of yours on " + res + " was revoked."
	case PermissionUpdated:
		c.Message = "Your permission on " + res + " was changed."
	case AccessRequested:
		if actor != "" {
			c.Message = actor + " requested access to " + res + "."
		} else {
			c.Message = "Access to " + res + " was requested."
		}
	case Announcement:
		c.Message = "Announcement."
		var data struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(ev.Data, &data) == nil && data.Message != "" {
			c.Message = data.Message
		}
	default:
		c.Message = ev.Event + " on " + res + "."
	}
	if len(c.Message) > MaxMessageBytes {
		c.Message = truncate(c.Message, MaxMessageBytes)
	}
	return c
}

// subjectResource returns the type and path of the resource a notification about ev
// refers to: data.resource when the event gives one (permission events), else the
// event's own resource. System events have none.
func subjectResource(ev *event.Event) (typ, path string) {
	var data struct {
		Resource *struct {
			Type string `json:"type"`
			Path string `json:"path"`
		} `json:"resource"`
	}
	if len(ev.Data) > 0 && json.Unmarshal(ev.Data, &data) == nil && data.Resource != nil && validRefValue(data.Resource.Path) {
		return clip(data.Resource.Type), data.Resource.Path
	}
	if ev.Domain() == event.SystemDomain || ev.Resource == nil {
		return "", ""
	}
	return clip(ev.Resource.Type), ev.Path()
}

func validRefValue(s string) bool { return s != "" && len(s) <= MaxRefBytes }

// clip cuts s to MaxRefBytes, for names taken from events.
func clip(s string) string { return truncate(s, MaxRefBytes) }

// truncate cuts s to at most n bytes, dropping a character cut in two at the end.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
