package event_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// faultOf returns err as a *fault.Error, failing the test when it is not one.
func faultOf(t testing.TB, err error) *fault.Error {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fault.Error", err, err)
	}
	return fe
}

// wantFields checks that err is a fault Invalid naming exactly the given fields, in
// order, with the given message prefixes (an empty prefix matches any message).
func wantFields(t testing.TB, err error, want ...fault.FieldError) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want fields %v", want)
	}
	fe := faultOf(t, err)
	if fe.Kind != fault.Invalid {
		t.Errorf("kind = %v, want %v (%v)", fe.Kind, fault.Invalid, err)
	}
	ok := len(fe.Fields) == len(want)
	for i := 0; ok && i < len(want); i++ {
		got := fe.Fields[i]
		ok = got.Field == want[i].Field && strings.HasPrefix(got.Message, want[i].Message)
	}
	if !ok {
		t.Errorf("fields:\n got %q\nwant %q", fe.Fields, want)
	}
}

// field is shorthand for a FieldError in test tables.
func field(name, msg string) fault.FieldError { return fault.FieldError{Field: name, Message: msg} }

// normalize returns a copy of e in which every raw JSON value is compacted and empty
// collections are nil, so that events equal in meaning compare equal with
// reflect.DeepEqual.
func normalize(t testing.TB, e *event.Event) *event.Event {
	t.Helper()
	if e == nil {
		return nil
	}
	c := *e
	c.Notification = compact(t, c.Notification)
	c.Data = compact(t, c.Data)
	c.Extra = compactMap(t, c.Extra)
	if len(c.Recipients) == 0 {
		c.Recipients = nil
	}
	if c.User != nil {
		u := *c.User
		u.Extra = compactMap(t, u.Extra)
		c.User = &u
	}
	if c.Resource != nil {
		r := *c.Resource
		r.Before = compact(t, r.Before)
		r.After = compact(t, r.After)
		r.Extra = compactMap(t, r.Extra)
		if len(r.Namespaces) == 0 {
			r.Namespaces = nil
		}
		c.Resource = &r
	}
	return &c
}

func compact(t testing.TB, raw json.RawMessage) json.RawMessage {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("compact %q: %v", raw, err)
	}
	return b.Bytes()
}

func compactMap(t testing.TB, m map[string]json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = compact(t, v)
	}
	return out
}

// sameEvent reports whether two events are equal in meaning.
func sameEvent(t testing.TB, a, b *event.Event) bool {
	t.Helper()
	na, nb := normalize(t, a), normalize(t, b)
	if na == nil || nb == nil {
		return na == nb
	}
	if !na.Timestamp.Equal(nb.Timestamp) {
		return false
	}
	na.Timestamp, nb.Timestamp = time.Time{}, time.Time{}
	return reflect.DeepEqual(na, nb)
}

func mustDecode(t testing.TB, s string) *event.Event {
	t.Helper()
	e, err := event.Decode([]byte(s))
	if err != nil {
		t.Fatalf("Decode(%s): %v", s, err)
	}
	return e
}

// checkPreserved compares a decoded body with its re-encoding, both read by
// encoding/json, and fails unless every member survived with the same value (numbers
// compared as written). The documented changes are allowed: known fields that are
// null, "" or [] are left out, the timestamp is rewritten in UTC, and a missing
// resource.path is derived. This checks Decode's own walk over the JSON against
// encoding/json's reading of the same body.
func checkPreserved(t testing.TB, in, out []byte) {
	t.Helper()
	a, b := readObject(t, in), readObject(t, out)
	checkMembers(t, "", a, b, map[string]func(t testing.TB, field string, x, y any, present bool){
		"timestamp": func(t testing.TB, field string, x, y any, present bool) {
			if x == nil {
				expectAbsent(t, field, y, present)
				return
			}
			tx, _ := time.Parse(time.RFC3339Nano, strings.ToUpper(x.(string)))
			ty, err := time.Parse(time.RFC3339Nano, y.(string))
			if err != nil || !tx.Equal(ty) || !strings.HasSuffix(y.(string), "Z") {
				t.Errorf("%s: %v became %v", field, x, y)
			}
		},
		"event": knownScalar, "uuid": knownScalar, "requestId": knownScalar, "_id": knownScalar,
		"recipients": knownScalar, "notification": knownScalar, "data": knownScalar,
		"user": func(t testing.TB, field string, x, y any, present bool) {
			if x == nil {
				expectAbsent(t, field, y, present)
				return
			}
			checkMembers(t, field+".", x.(map[string]any), y.(map[string]any), map[string]func(testing.TB, string, any, any, bool){
				"id": knownScalar,
			})
		},
		"resource": func(t testing.TB, field string, x, y any, present bool) {
			if x == nil {
				expectAbsent(t, field, y, present)
				return
			}
			rx, ry := x.(map[string]any), y.(map[string]any)
			checkMembers(t, field+".", rx, ry, map[string]func(testing.TB, string, any, any, bool){
				"type": knownScalar, "id": knownScalar, "namespaces": knownScalar,
				"path": func(t testing.TB, field string, x, y any, present bool) {
					if x == nil || x == "" {
						typ, _ := rx["type"].(string)
						id, _ := rx["id"].(string)
						if typ != "" && id != "" {
							x = event.DerivePath(typ, id)
						}
					}
					knownScalar(t, field, x, y, present)
				},
			})
			if _, ok := rx["path"]; !ok {
				if _, ok := ry["path"]; ok {
					typ, _ := rx["type"].(string)
					id, _ := rx["id"].(string)
					if want := event.DerivePath(typ, id); ry["path"] != want {
						t.Errorf("%s.path: got %v, want derived %q", field, ry["path"], want)
					}
				}
			}
		},
	})
}

// checkMembers compares the members of a with those of b: members with a check of
// their own use it; any other must be in b with the same value. b may have no member
// beyond a's, except a derived resource path.
func checkMembers(t testing.TB, prefix string, a, b map[string]any, special map[string]func(t testing.TB, field string, x, y any, present bool)) {
	t.Helper()
	for k, x := range a {
		y, present := b[k]
		if check, ok := special[k]; ok {
			check(t, prefix+k, x, y, present)
			continue
		}
		if !present || !jsonEqual(x, y) {
			t.Errorf("%s%s: %s became %s (present %v)", prefix, k, mustJSON(x), mustJSON(y), present)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && !(prefix == "resource." && k == "path") {
			t.Errorf("%s%s: appeared from nowhere with value %s", prefix, k, mustJSON(b[k]))
		}
	}
}

// knownScalar checks a known field other than an object: empty values are left out,
// others are kept as they were.
func knownScalar(t testing.TB, field string, x, y any, present bool) {
	t.Helper()
	if isEmpty(x) {
		expectAbsent(t, field, y, present)
		return
	}
	if !present || !jsonEqual(x, y) {
		t.Errorf("%s: %s became %s", field, mustJSON(x), mustJSON(y))
	}
}

func expectAbsent(t testing.TB, field string, y any, present bool) {
	t.Helper()
	if present {
		t.Errorf("%s: an empty value was written as %s", field, mustJSON(y))
	}
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	}
	return false
}

// readObject reads a JSON object keeping numbers as written.
func readObject(t testing.TB, b []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

func jsonEqual(a, b any) bool { return bytes.Equal(mustJSON(a), mustJSON(b)) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
