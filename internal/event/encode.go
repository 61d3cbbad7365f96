package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"time"
	"unicode/utf8"
)

// MarshalJSON encodes the event with the envelope's JSON names, in the order of the
// design document, leaving out empty fields, followed by the Extra members sorted by
// name. Extra members named like a known field are left out: the field wins. The
// timestamp is written in UTC as RFC 3339 with as many fractional digits as needed
// (time.RFC3339Nano). JSON values held as json.RawMessage are checked and compacted.
//
// The receiver is a value so that an Event stored by value in another structure
// is still encoded this way.
func (e Event) MarshalJSON() ([]byte, error) {
	var w writer
	w.buf.Grow(512)
	w.open()
	w.str(keyEvent, e.Event)
	w.str(keyUUID, e.UUID)
	if !e.Timestamp.IsZero() {
		w.time(keyTimestamp, e.Timestamp)
	}
	w.str(keyRequestID, e.RequestID)
	if e.User != nil {
		w.key(keyUser)
		e.User.write(&w)
	}
	if e.Resource != nil {
		w.key(keyResource)
		e.Resource.write(&w)
	}
	w.strs(keyRecipients, e.Recipients)
	w.raw(keyNotification, e.Notification)
	w.raw(keyData, e.Data)
	w.str(keyPublisherID, e.PublisherID)
	w.extra(e.Extra, eventKey[string])
	w.buf.WriteByte('}')
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

// MarshalJSON encodes the user, followed by the Extra members sorted by name.
func (u User) MarshalJSON() ([]byte, error) {
	var w writer
	u.write(&w)
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

// MarshalJSON encodes the resource, leaving out empty fields, followed by the Extra
// members sorted by name.
func (r Resource) MarshalJSON() ([]byte, error) {
	var w writer
	r.write(&w)
	if w.err != nil {
		return nil, w.err
	}
	return w.buf.Bytes(), nil
}

func (u *User) write(w *writer) {
	w.open()
	w.str(keyID, u.ID)
	w.extra(u.Extra, userKey[string])
	w.buf.WriteByte('}')
}

func (r *Resource) write(w *writer) {
	w.open()
	w.str(keyType, r.Type)
	w.str(keyID, r.ID)
	w.str(keyPath, r.Path)
	w.strs(keyNamespaces, r.Namespaces)
	w.raw(keyBefore, r.Before)
	w.raw(keyAfter, r.After)
	w.extra(r.Extra, resourceKey[string])
	w.buf.WriteByte('}')
}

// writer builds one JSON object. It is written by hand rather than through
// encoding/json reflection because the field set is fixed, the Extra members must be
// merged in, and events are encoded on the hot path of the publish API.
type writer struct {
	buf bytes.Buffer
	err error
}

func (w *writer) open() { w.buf.WriteByte('{') }

// key starts a member. A member follows either the opening brace of its object or a
// complete value, so the last byte written says whether a comma is needed.
func (w *writer) key(k string) {
	if n := w.buf.Len(); n > 0 && w.buf.Bytes()[n-1] != '{' {
		w.buf.WriteByte(',')
	}
	appendString(&w.buf, k)
	w.buf.WriteByte(':')
}

func (w *writer) str(k, v string) {
	if v == "" {
		return
	}
	w.key(k)
	appendString(&w.buf, v)
}

func (w *writer) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.buf.WriteByte('[')
	for i, s := range v {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		appendString(&w.buf, s)
	}
	w.buf.WriteByte(']')
}

func (w *writer) time(k string, t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		w.fail(errors.New("event: " + k + ": year outside of range [0,9999]"))
		return
	}
	w.key(k)
	w.buf.WriteByte('"')
	w.buf.Write(t.UTC().AppendFormat(w.buf.AvailableBuffer(), time.RFC3339Nano))
	w.buf.WriteByte('"')
}

// raw writes a JSON value held as bytes. The value is compacted, which also checks
// it, so that a bad value set in code fails here instead of producing broken JSON.
func (w *writer) raw(k string, v json.RawMessage) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	if err := json.Compact(&w.buf, v); err != nil {
		w.fail(errors.New("event: " + k + ": " + err.Error()))
	}
}

// extra writes unknown members in name order, so that the encoding of an event does
// not change from one call to the next.
func (w *writer) extra(m map[string]json.RawMessage, known func(string) int) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if known(k) < 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		if len(v) == 0 {
			// An empty RawMessage is not JSON; the closest reading is "no value".
			v = json.RawMessage("null")
		}
		w.raw(k, v)
	}
}

func (w *writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

const hex = "0123456789abcdef"

// appendString writes s as a JSON string. Like encoding/json it replaces invalid
// UTF-8 with U+FFFD and escapes U+2028 and U+2029 (which some JavaScript parsers take
// for line ends); unlike it, it leaves <, > and & alone, since events are not
// embedded in HTML.
func appendString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
