package event

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// Limits on fields that Herald copies into every notification, delivery and log line.
const (
	MaxRecipients        = 1000
	MaxRecipientBytes    = 256
	MaxResourceTypeBytes = 256
)

// Validate checks the event against the rules of the envelope and returns a fault
// Invalid naming every field that breaks one, or nil when the event is valid:
//
//   - event is a valid event type (see ValidEventType);
//   - uuid is a UUID in its canonical text form (8-4-4-4-12 hex digits, any version,
//     either case);
//   - timestamp is set (and within the years 0000 to 9999 in UTC);
//   - resource is present unless the event is a system event; user events must have
//     one too, as they name the user as their resource. When present (in a system
//     event too), resource.type is set, at most MaxResourceTypeBytes and free of
//     control characters, resource.id or resource.path is set, and the path
//     (derived from type and id when absent) is valid (see ValidPath);
//   - recipients has at most MaxRecipients entries, each a non-empty string of at
//     most MaxRecipientBytes;
//   - notification and data, when present, are JSON objects;
//   - strings are valid UTF-8 (Decode checks the whole body; this catches strings
//     set in code).
//
// Errors for the elements of one list stop after ten. Validate does not change
// the event.
func (e *Event) Validate() error {
	if e == nil {
		e = &Event{}
	}
	var v validator

	if msg := checkEventType(e.Event); msg != "" {
		v.fail(keyEvent, msg)
	}
	switch {
	case e.UUID == "":
		v.fail(keyUUID, "is required")
	case !canonicalUUID(e.UUID):
		v.fail(keyUUID, "must be a UUID such as \"8f2792c7-b01a-4493-ba5a-d0588a4aad8e\"")
	}
	if e.Timestamp.IsZero() {
		v.fail(keyTimestamp, "is required")
	} else if y := e.Timestamp.UTC().Year(); y < 0 || y > 9999 {
		v.fail(keyTimestamp, "must be between the years 0000 and 9999")
	}
	v.utf8(keyRequestID, e.RequestID)
	v.utf8(keyPublisherID, e.PublisherID)
	if e.User != nil {
		v.utf8("user.id", e.User.ID)
	}
	if raw, ok := e.Extra[OriginKey]; ok {
		if msg := checkOrigin(raw); msg != "" {
			v.fail(OriginKey, msg)
		}
	}

	domain := e.Domain()
	switch {
	case e.Resource != nil:
		v.resource(e.Resource)
	case domain == SystemDomain:
		// System events are about no resource; they are stored under SystemPath.
	case domain == UserDomain:
		v.fail(keyResource, "is required; user events name the user as the resource")
	default:
		v.fail(keyResource, "is required")
	}

	if len(e.Recipients) > MaxRecipients {
		v.fail(keyRecipients, "must have at most "+strconv.Itoa(MaxRecipients)+" entries")
	} else {
		v.recipients(e.Recipients)
	}
	v.object(keyNotification, e.Notification)
	v.object(keyData, e.Data)
	return fault.Fields(v.fields)
}

// validator collects every broken rule of one event.
type validator struct {
	fields []fault.FieldError
}

func (v *validator) fail(field, msg string) {
	v.fields = append(v.fields, fault.FieldError{Field: field, Message: msg})
}

func (v *validator) recipients(recipients []string) {
	bad := 0
	for i, r := range recipients {
		var msg string
		switch {
		case r == "":
			msg = "must not be empty"
		case len(r) > MaxRecipientBytes:
			msg = "must be at most " + strconv.Itoa(MaxRecipientBytes) + " bytes"
		case !utf8.ValidString(r):
			msg = "must be valid UTF-8"
		default:
			continue
		}
		v.fail(keyRecipients+"["+strconv.Itoa(i)+"]", msg)
		if bad++; bad == maxElementErrors {
			return
		}
	}
}

func (v *validator) resource(r *Resource) {
	switch {
	case r.Type == "":
		v.fail("resource.type", "is required")
	case len(r.Type) > MaxResourceTypeBytes:
		v.fail("resource.type", "must be at most "+strconv.Itoa(MaxResourceTypeBytes)+" bytes")
	case !utf8.ValidString(r.Type):
		v.fail("resource.type", "must be valid UTF-8")
	case hasControl(r.Type):
		v.fail("resource.type", "must not contain control characters")
	}
	v.utf8("resource.id", r.ID)
	bad := 0
	for i, ns := range r.Namespaces {
		if !utf8.ValidString(ns) {
			v.fail("resource.namespaces["+strconv.Itoa(i)+"]", "must be valid UTF-8")
			if bad++; bad == maxElementErrors {
				break
			}
		}
	}
	switch {
	case r.Path != "":
		if msg := checkPath(r.Path); msg != "" {
			v.fail("resource.path", msg)
		}
	case r.ID == "":
		v.fail("resource.id", "is required when resource.path is absent")
	case r.Type != "":
		// The path is derived from type and id; a long id makes it too long. (It
		// cannot be too deep: derivation replaces any "/" in type and id.)
		if msg := checkPath(DerivePath(r.Type, r.ID)); msg != "" {
			v.fail("resource.path", msg+" (derived from resource.type and resource.id)")
		}
	}
}

// utf8 reports a string set in code that JSON could not carry unchanged; decoded
// events are checked as a whole by Decode.
func (v *validator) utf8(field, s string) {
	if !utf8.ValidString(s) {
		v.fail(field, "must be valid UTF-8")
	}
}

// object checks that a raw value, when present, is a JSON object. It looks at the
// first byte only: Decode has already checked the syntax of decoded events, and a
// broken value set in code makes MarshalJSON fail. Scanning a large data object again
// here would cost the relay on every event.
func (v *validator) object(field string, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		v.fail(field, "must be a JSON object")
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}

// canonicalUUID reports whether s is a UUID in the 8-4-4-4-12 form. Only this form is
// accepted (not braces or "urn:uuid:") because the uuid is compared as a string when
// deduplicating.
func canonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
