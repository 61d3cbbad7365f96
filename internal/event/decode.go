package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// Decode parses an encoded event. It checks the size (more than MaxSize bytes is a
// fault TooLarge), that the body is valid UTF-8 and a JSON object, and that every
// known field has the right JSON type; it keeps unknown fields in the Extra maps and
// derives resource.path from resource.type and resource.id when the path is absent.
// Every field of the wrong type is reported, as a fault Invalid.
//
// As in encoding/json, when a member appears twice the last one counts, and null
// reads as an absent field; unlike encoding/json, member names are matched exactly
// (JSON is case-sensitive), so "Event" is an unknown field. The JSON values kept in
// the event (Extra, Before, After, Notification, Data) are copies: data may be reused
// once Decode returns.
//
// Decode does not fill defaults and does not validate: call FillDefaults and
// Validate for that.
func Decode(data []byte) (*Event, error) {
	if len(data) > MaxSize {
		return nil, &fault.Error{
			Kind:   fault.TooLarge,
			Detail: "the event is larger than " + strconv.Itoa(MaxSize/1024) + " KiB",
			Fields: []fault.FieldError{{
				Field:   "",
				Message: "body is " + strconv.Itoa(len(data)) + " bytes; the limit is " + strconv.Itoa(MaxSize),
			}},
		}
	}
	e := new(Event)
	if err := e.decode(data); err != nil {
		return nil, err
	}
	return e, nil
}

// UnmarshalJSON decodes an event like Decode, without the size limit, so that an
// Event can sit inside other JSON documents (a batch of events, a stored delivery).
// On error e is left unchanged.
func (e *Event) UnmarshalJSON(b []byte) error {
	var out Event
	if err := out.decode(b); err != nil {
		return err
	}
	*e = out
	return nil
}

// UnmarshalJSON decodes a user, keeping unknown fields in Extra.
func (u *User) UnmarshalJSON(b []byte) error {
	obj, err := checkBody(b)
	if err != nil {
		return err
	}
	var d decoder
	var out User
	d.user(&out, obj)
	if err := d.err(); err != nil {
		return err
	}
	*u = out
	return nil
}

// UnmarshalJSON decodes a resource, keeping unknown fields in Extra and deriving Path
// from Type and ID when it is absent.
func (r *Resource) UnmarshalJSON(b []byte) error {
	obj, err := checkBody(b)
	if err != nil {
		return err
	}
	var d decoder
	var out Resource
	d.resource(&out, obj)
	if err := d.err(); err != nil {
		return err
	}
	*r = out
	return nil
}

func (e *Event) decode(data []byte) error {
	obj, err := checkBody(data)
	if err != nil {
		return err
	}
	var d decoder
	d.event(e, obj)
	return d.err()
}

// checkBody checks that data is valid UTF-8 and a JSON object, reporting against the
// field "" otherwise, and returns a private copy of the object: the decoded event
// keeps slices of it, and the caller's buffer may be reused.
func checkBody(data []byte) ([]byte, error) {
	// encoding/json silently replaces invalid UTF-8 with U+FFFD; an event is passed
	// through unchanged, so a body it would alter is refused instead.
	if !utf8.Valid(data) {
		return nil, fault.Field("", "body is not valid UTF-8")
	}
	// Only JSON's four whitespace bytes: bytes.TrimSpace would also drop "\f" and
	// Unicode spaces, and accept bodies that are not JSON.
	data = bytes.Trim(data, " \t\r\n")
	if len(data) == 0 {
		return nil, fault.Field("", "body is empty")
	}
	if !json.Valid(data) {
		return nil, syntaxError(data)
	}
	if data[0] != '{' {
		return nil, fault.Field("", "body must be a JSON object")
	}
	return bytes.Clone(data), nil
}

// syntaxError describes why data is not JSON. It runs only on failure, so it can
// afford to parse again to learn where.
func syntaxError(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fault.Field("", "body is not valid JSON: "+se.Error()+" (at byte "+strconv.FormatInt(se.Offset, 10)+")")
	}
	return fault.Field("", "body is not valid JSON")
}

// decoder collects the type errors of one decode, so that a publisher learns about
// every bad field at once.
type decoder struct {
	fields []fault.FieldError
	prefix string // of field names, such as "resource." inside the resource
}

// fail records a type error. The prefix is added here, on the error path, so that
// decoding a good event builds no field names.
func (d *decoder) fail(field, msg string) {
	d.fields = append(d.fields, fault.FieldError{Field: d.prefix + field, Message: msg})
}

func (d *decoder) err() error { return fault.Fields(d.fields) }

// Member names of the envelope.
const (
	keyEvent        = "event"
	keyUUID         = "uuid"
	keyTimestamp    = "timestamp"
	keyRequestID    = "requestId"
	keyUser         = "user"
	keyResource     = "resource"
	keyRecipients   = "recipients"
	keyNotification = "notification"
	keyData         = "data"
	keyPublisherID  = "_id"

	keyID         = "id"
	keyType       = "type"
	keyPath       = "path"
	keyNamespaces = "namespaces"
	keyBefore     = "before"
	keyAfter      = "after"
)

// Indexes of the known members, used to keep the last value of each while walking
// an object and to decode them afterwards in the envelope's order.
const (
	iEvent = iota
	iUUID
	iTimestamp
	iRequestID
	iUser
	iResource
	iRecipients
	iNotification
	iData
	iPublisherID
	numEventKeys
)

// eventKey returns the index of a known member of the envelope, or -1. It takes the
// name as bytes while decoding, so that known names are never copied into strings
// (a switch on string(b) compiles without the conversion).
func eventKey[S string | []byte](name S) int {
	switch string(name) {
	case keyEvent:
		return iEvent
	case keyUUID:
		return iUUID
	case keyTimestamp:
		return iTimestamp
	case keyRequestID:
		return iRequestID
	case keyUser:
		return iUser
	case keyResource:
		return iResource
	case keyRecipients:
		return iRecipients
	case keyNotification:
		return iNotification
	case keyData:
		return iData
	case keyPublisherID:
		return iPublisherID
	}
	return -1
}

const (
	iType = iota
	iID
	iPath
	iNamespaces
	iBefore
	iAfter
	numResourceKeys
)

// resourceKey returns the index of a known member of a resource, or -1.
func resourceKey[S string | []byte](name S) int {
	switch string(name) {
	case keyType:
		return iType
	case keyID:
		return iID
	case keyPath:
		return iPath
	case keyNamespaces:
		return iNamespaces
	case keyBefore:
		return iBefore
	case keyAfter:
		return iAfter
	}
	return -1
}

// userKey returns the index of a known member of a user, or -1.
func userKey[S string | []byte](name S) int {
	if string(name) == keyID {
		return 0
	}
	return -1
}

// walk splits a checked JSON object into its known members (by index, the last one
// winning, nil when absent) and its unknown ones, which it returns as an Extra map.
// Names are looked up without being converted to strings; only unknown ones are.
func walk(obj []byte, known []json.RawMessage, index func([]byte) int) map[string]json.RawMessage {
	var extra map[string]json.RawMessage
	for quoted, v := range members(obj) {
		name := quoted[1 : len(quoted)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			// Rare: "\u0065vent" is "event". A name is a string, so this cannot fail.
			s, _ := decodeString(quoted)
			name = []byte(s)
		}
		if i := index(name); i >= 0 {
			known[i] = v
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[string(name)] = v
	}
	return extra
}

func (d *decoder) event(e *Event, obj []byte) {
	var m [numEventKeys]json.RawMessage
	e.Extra = walk(obj, m[:], eventKey[[]byte])

	e.Event = d.stringField(keyEvent, m[iEvent])
	e.UUID = d.stringField(keyUUID, m[iUUID])
	e.Timestamp = d.timestamp(keyTimestamp, m[iTimestamp])
	e.RequestID = d.stringField(keyRequestID, m[iRequestID])
	if v := d.object(keyUser, m[iUser]); v != nil {
		e.User = new(User)
		d.prefix = keyUser + "."
		d.user(e.User, v)
		d.prefix = ""
	}
	if v := d.object(keyResource, m[iResource]); v != nil {
		e.Resource = new(Resource)
		d.prefix = keyResource + "."
		d.resource(e.Resource, v)
		d.prefix = ""
	}
	e.Recipients = d.stringArray(keyRecipients, m[iRecipients])
	e.Notification = d.object(keyNotification, m[iNotification])
	e.Data = d.object(keyData, m[iData])
	e.PublisherID = d.stringField(keyPublisherID, m[iPublisherID])
}

func (d *decoder) user(u *User, obj []byte) {
	var m [1]json.RawMessage
	u.Extra = walk(obj, m[:], userKey[[]byte])
	u.ID = d.stringField(keyID, m[0])
}

func (d *decoder) resource(r *Resource, obj []byte) {
	var m [numResourceKeys]json.RawMessage
	r.Extra = walk(obj, m[:], resourceKey[[]byte])

	r.Type = d.stringField(keyType, m[iType])
	r.ID = d.stringField(keyID, m[iID])
	r.Path = d.stringField(keyPath, m[iPath])
	r.Namespaces = d.stringArray(keyNamespaces, m[iNamespaces])
	// Before and After may be any value, null included: "no previous state" is
	// worth passing on.
	r.Before = m[iBefore]
	r.After = m[iAfter]

	// The path is what subjects and permissions are built from, so an event that
	// leaves it out gets the documented default here, once, rather than in every
	// reader.
	if r.Path == "" && r.Type != "" && r.ID != "" {
		r.Path = DerivePath(r.Type, r.ID)
	}
}

// absent reports whether a member is missing or null; both read as "not given".
func absent(v json.RawMessage) bool { return v == nil || string(v) == "null" }

// stringField decodes a string member.
func (d *decoder) stringField(field string, v json.RawMessage) string {
	if absent(v) {
		return ""
	}
	s, ok := decodeString(v)
	if !ok {
		d.fail(field, "must be a string")
	}
	return s
}

// decodeString decodes a checked JSON value that should be a string. Without
// escapes a string is its bytes between the quotes, which is the common case and
// needs no parser.
func decodeString(v []byte) (string, bool) {
	n := len(v)
	if n < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v[1:n-1], '\\') < 0 {
		return string(v[1 : n-1]), true
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", false
	}
	return s, true
}

// stringArray decodes an array of strings, naming each element of another type.
// An empty array reads as absent.
func (d *decoder) stringArray(field string, v json.RawMessage) []string {
	if absent(v) {
		return nil
	}
	if v[0] != '[' {
		d.fail(field, "must be an array of strings")
		return nil
	}
	var out []string
	bad := 0
	for i, el := range elements(v) {
		s, ok := decodeString(el)
		if !ok {
			d.fail(field+"["+strconv.Itoa(i)+"]", "must be a string")
			if bad++; bad == maxElementErrors {
				break
			}
			continue
		}
		if bad == 0 {
			out = append(out, s)
		}
	}
	if bad > 0 {
		return nil
	}
	return out
}

// maxElementErrors bounds the errors reported for the elements of one array, so that
// a body of 200 KiB of bad elements does not produce a larger error.
const maxElementErrors = 10

// object returns an object member as it is, or nil when it is absent.
func (d *decoder) object(field string, v json.RawMessage) json.RawMessage {
	if absent(v) {
		return nil
	}
	if v[0] != '{' {
		d.fail(field, "must be an object")
		return nil
	}
	return v
}

// timestamp decodes an RFC 3339 timestamp, keeping every fractional digit up to
// nanoseconds, in UTC. An absent timestamp is zero, which Validate reports.
func (d *decoder) timestamp(field string, v json.RawMessage) time.Time {
	if absent(v) {
		return time.Time{}
	}
	s, ok := decodeString(v)
	if !ok {
		d.fail(field, "must be an RFC 3339 timestamp string")
		return time.Time{}
	}
	t, err := parseTimestamp(s)
	if err != nil {
		d.fail(field, "must be an RFC 3339 timestamp such as \"2026-11-22T18:00:00.123Z\"")
		return time.Time{}
	}
	return t
}

// parseTimestamp parses an RFC 3339 date-time. time.Parse alone is more lenient than
// RFC 3339 (it takes one-digit hours and offsets of 24 hours or more), so the shape
// is checked first; time.Parse then checks the ranges of the numbers.
func parseTimestamp(s string) (time.Time, error) {
	if !rfc3339Shape(s) {
		return time.Time{}, errBadTimestamp
	}
	// RFC 3339 allows lower-case "t" and "z"; time.Parse does not.
	if s[10] == 't' || s[len(s)-1] == 'z' {
		b := []byte(s)
		b[10] = 'T'
		if b[len(b)-1] == 'z' {
			b[len(b)-1] = 'Z'
		}
		s = string(b)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	// Events are written in UTC; an offset can move a time at either end of the
	// four-digit years out of them ("0000-01-01T00:00:00+01:00"), where RFC 3339
	// cannot write it.
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}, errBadTimestamp
	}
	return t, nil
}

var errBadTimestamp = errors.New("not an RFC 3339 date-time")

// rfc3339Shape reports whether s has the shape YYYY-MM-DDTHH:MM:SS[.F+](Z|±HH:MM).
func rfc3339Shape(s string) bool {
	const fixed = "0000-00-00T00:00:00"
	if len(s) < len(fixed)+1 {
		return false
	}
	for i := 0; i < len(fixed); i++ {
		c := s[i]
		switch fixed[i] {
		case '0':
			if c < '0' || c > '9' {
				return false
			}
		case 'T':
			if c != 'T' && c != 't' {
				return false
			}
		default:
			if c != fixed[i] {
				return false
			}
		}
	}
	rest := s[len(fixed):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	switch {
	case rest == "Z" || rest == "z":
		return true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		hh, mm := rest[1:3], rest[4:6]
		return digits(hh) && digits(mm) && hh < "24" && mm < "60"
	}
	return false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
