package wire_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/wire"
)

// serverOnly lists the members of server types that the API never carries, by the
// struct that declares them, with the reason; the wire types must not have them.
var serverOnly = map[reflect.Type]map[string]string{
	reflect.TypeFor[trigger.Spec](): {
		"writable": "set by Herald from the owner's grants: refused in a request, left out of every answer",
	},
}

// TestWireMatchesServer walks each wire type and its server twin and requires the same
// JSON members, omitempty-ness and JSON kinds, recursively: a member added to a server
// type without its wire twin fails here, named.
func TestWireMatchesServer(t *testing.T) {
	tests := []struct {
		wire, server reflect.Type
	}{
		{reflect.TypeFor[wire.Event](), reflect.TypeFor[event.Event]()},
		{reflect.TypeFor[wire.User](), reflect.TypeFor[event.User]()},
		{reflect.TypeFor[wire.Resource](), reflect.TypeFor[event.Resource]()},
		{reflect.TypeFor[wire.EntityType](), reflect.TypeFor[event.EntityType]()},
		{reflect.TypeFor[wire.CatalogEvent](), reflect.TypeFor[event.CatalogEvent]()},
		{reflect.TypeFor[wire.TriggerSpec](), reflect.TypeFor[trigger.Spec]()},
		{reflect.TypeFor[wire.Trigger](), reflect.TypeFor[trigger.Created]()},
		{reflect.TypeFor[wire.TriggerResource](), reflect.TypeFor[trigger.Resource]()},
		{reflect.TypeFor[wire.TriggerRetry](), reflect.TypeFor[trigger.Retry]()},
		{reflect.TypeFor[wire.ConsumerSpec](), reflect.TypeFor[consumer.Spec]()},
		{reflect.TypeFor[wire.Consumer](), reflect.TypeFor[consumer.Created]()},
		{reflect.TypeFor[wire.Target](), reflect.TypeFor[consumer.Target]()},
		{reflect.TypeFor[wire.ResourceTarget](), reflect.TypeFor[consumer.ResourceTarget]()},
		{reflect.TypeFor[wire.Message](), reflect.TypeFor[consumer.Message]()},
		{reflect.TypeFor[wire.Reply](), reflect.TypeFor[reply.Reply]()},
		{reflect.TypeFor[wire.Content](), reflect.TypeFor[inbox.Content]()},
		{reflect.TypeFor[wire.Ref](), reflect.TypeFor[inbox.Ref]()},
		{reflect.TypeFor[wire.Notification](), reflect.TypeFor[inbox.Notification]()},
		{reflect.TypeFor[wire.InboxAcknowledgement](), reflect.TypeFor[inbox.Acknowledgement]()},
		{reflect.TypeFor[wire.Delivery](), reflect.TypeFor[delivery.Record]()},
		{reflect.TypeFor[wire.Attempt](), reflect.TypeFor[delivery.Attempt]()},
		{reflect.TypeFor[wire.Verdict](), reflect.TypeFor[action.Verdict]()},
		{reflect.TypeFor[wire.Step](), reflect.TypeFor[match.Step]()},
	}
	for _, tt := range tests {
		t.Run(tt.wire.Name(), func(t *testing.T) {
			for _, d := range compareStruct(tt.wire.Name(), tt.wire, tt.server) {
				t.Error(d)
			}
		})
	}
}

// TestCompareStructFindsDrift checks the walk itself on pairs that differ in one way
// each: a test that never fails would keep nothing in agreement.
func TestCompareStructFindsDrift(t *testing.T) {
	type inner struct {
		A string `json:"a"`
	}
	type innerMore struct {
		A string `json:"a"`
		B string `json:"b"`
	}
	type base struct {
		X int    `json:"x"`
		Y string `json:"y,omitempty"`
	}
	tests := []struct {
		name         string
		wire, server any
		want         string // in the one difference reported
	}{
		{"a member missing", struct {
			X int `json:"x"`
		}{}, base{}, `"y"`},
		{"a member too many", struct {
			base
			Z bool `json:"z"`
		}{}, base{}, `"z"`},
		{"omitempty differs", struct {
			X int    `json:"x"`
			Y string `json:"y"`
		}{}, base{}, "omitempty"},
		{"the kind differs", struct {
			X string `json:"x"`
			Y string `json:"y,omitempty"`
		}{}, base{}, ".x"},
		{"the number type differs", struct {
			X uint64 `json:"x"`
			Y string `json:"y,omitempty"`
		}{}, base{}, ".x"},
		{"nullable differs", struct {
			X *int   `json:"x"`
			Y string `json:"y,omitempty"`
		}{}, base{}, "null"},
		{"a nested member missing", struct {
			N []inner `json:"n"`
		}{}, struct {
			N []innerMore `json:"n"`
		}{}, `.n[]: the server's`},
		{"a timestamp for a string", struct {
			T string `json:"t"`
		}{}, struct {
			T time.Time `json:"t"`
		}{}, ".t"},
		{"custom JSON missing", struct {
			E wire.Reply `json:"e"`
		}{}, struct {
			E event.User `json:"e"`
		}{}, "JSON methods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diffs := compareStruct("T", reflect.TypeOf(tt.wire), reflect.TypeOf(tt.server))
			if len(diffs) == 0 || !strings.Contains(strings.Join(diffs, "\n"), tt.want) {
				t.Errorf("differences %q, want one naming %q", diffs, tt.want)
			}
		})
	}
	if diffs := compareStruct("T", reflect.TypeFor[base](), reflect.TypeFor[base]()); len(diffs) != 0 {
		t.Errorf("a type differs from itself: %q", diffs)
	}
}

// member is one JSON member of a struct type as encoding/json sees it.
type member struct {
	name  string
	omit  bool // omitempty or omitzero
	typ   reflect.Type
	owner reflect.Type // the struct declaring it: an embedded one for a promoted field
	field string       // the Go field
}

// jsonMembers lists t's members, those of embedded structs without a JSON name
// promoted into it, as encoding/json does.
func jsonMembers(t reflect.Type) map[string]member {
	out := map[string]member{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, m := range jsonMembers(ft) {
					if _, shadowed := out[k]; !shadowed {
						out[k] = m
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := false
		for o := range strings.SplitSeq(opts, ",") {
			omit = omit || o == "omitempty" || o == "omitzero"
		}
		out[name] = member{name: name, omit: omit, typ: f.Type, owner: t, field: f.Name}
	}
	return out
}

var (
	rawType         = reflect.TypeFor[json.RawMessage]()
	timeType        = reflect.TypeFor[time.Time]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// compareStruct returns how the JSON objects of struct types w (wire) and s (server)
// differ, each difference naming the member at path.
func compareStruct(path string, w, s reflect.Type) []string {
	var diffs []string
	for _, iface := range []reflect.Type{marshalerType, unmarshalerType} {
		if reflect.PointerTo(w).Implements(iface) != reflect.PointerTo(s).Implements(iface) {
			diffs = append(diffs, fmt.Sprintf("%s: one of %v and the server's %v has JSON methods (%v) and the other not", path, w, s, iface))
		}
	}
	wm, sm := jsonMembers(w), jsonMembers(s)
	for _, name := range sortedKeys(sm) {
		m := sm[name]
		wmem, ok := wm[name]
		if why, only := serverOnly[m.owner][name]; only {
			if ok {
				diffs = append(diffs, fmt.Sprintf("%s: %v has member %q, which the server keeps to itself (%s)", path, w, name, why))
			}
			continue
		}
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: the server's %v.%s (member %q) has no twin in %v", path, m.owner, m.field, name, w))
			continue
		}
		if wmem.omit != m.omit {
			diffs = append(diffs, fmt.Sprintf("%s.%s: omitempty is %v in %v, %v in the server's %v", path, name, wmem.omit, w, m.omit, m.owner))
		}
		diffs = append(diffs, compareType(path+"."+name, wmem.typ, m.typ)...)
	}
	for _, name := range sortedKeys(wm) {
		if _, ok := sm[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: %v has member %q (%s), which the server's %v lacks", path, w, name, wm[name].field, s))
		}
	}
	return diffs
}

// compareType returns how the JSON values of types w and s differ.
func compareType(path string, w, s reflect.Type) []string {
	if (w.Kind() == reflect.Pointer) != (s.Kind() == reflect.Pointer) {
		return []string{fmt.Sprintf("%s: %v and the server's %v differ in being null when absent", path, w, s)}
	}
	if w.Kind() == reflect.Pointer {
		w, s = w.Elem(), s.Elem()
	}
	ws, ss := jsonKind(w), jsonKind(s)
	if ws != ss {
		return []string{fmt.Sprintf("%s: %s (%v), but the server's is %s (%v)", path, ws, w, ss, s)}
	}
	switch ss {
	case "object":
		return compareStruct(path, w, s)
	case "array", "map":
		return compareType(path+"[]", w.Elem(), s.Elem())
	}
	return nil
}

// jsonKind names the JSON a Go type encodes as; numbers keep their Go kind, so that a
// range that one side cannot hold shows.
func jsonKind(t reflect.Type) string {
	switch {
	case t == rawType:
		return "any JSON value"
	case t == timeType:
		return "timestamp"
	}
	switch k := t.Kind(); k {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number (" + k.String() + ")"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map:
		return "map"
	case reflect.Struct:
		return "object"
	case reflect.Interface:
		return "any JSON value"
	default:
		return k.String()
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestConstantsMatchServer: the wire's names for the API's enumerations spell what the
// server takes and gives.
func TestConstantsMatchServer(t *testing.T) {
	strs := func(vs ...any) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = fmt.Sprint(v)
		}
		return out
	}
	tests := []struct {
		name         string
		wire, server []string
	}{
		{"trigger modes", strs(wire.ModeAsync, wire.ModeSync), strs(trigger.Async, trigger.Sync)},
		{"deliver policies",
			strs(wire.DeliverAll, wire.DeliverNew, wire.DeliverLast, wire.DeliverLastPerSubject, wire.DeliverByStartTime, wire.DeliverByStartSequence),
			strs(consumer.DeliverAll, consumer.DeliverNew, consumer.DeliverLast, consumer.DeliverLastPerSubject, consumer.DeliverByStartTime, consumer.DeliverByStartSequence)},
		{"ack actions", strs(wire.Ack, wire.Nak, wire.Term, wire.InProgress), strs(reply.Ack, reply.Nak, reply.Term, reply.InProgress)},
		{"variants", strs(anySlice(wire.Variants)...), strs(anySlice(inbox.Variants)...)},
		{"ref types", strs(wire.RefUser, wire.RefResource), strs(inbox.RefUser, inbox.RefResource)},
		{"states", strs(wire.StateUnacknowledged, wire.StateAcknowledged, wire.StateAll), strs(inbox.Unacknowledged, inbox.Acknowledged, inbox.All)},
		{"delivery statuses", wire.Statuses, delivery.Statuses},
		{"delivery status names",
			strs(wire.StatusQueued, wire.StatusRetrying, wire.StatusSucceeded, wire.StatusExhausted, wire.StatusSkipped, wire.StatusApproved, wire.StatusDenied),
			strs(delivery.StatusQueued, delivery.StatusRetrying, delivery.StatusSucceeded, delivery.StatusExhausted, delivery.StatusSkipped, delivery.StatusApproved, delivery.StatusDenied)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.wire, tt.server) {
				t.Errorf("wire %q, server %q", tt.wire, tt.server)
			}
		})
	}
	t.Run("every ack action parses", func(t *testing.T) {
		if len(wire.AckActions) != 4 {
			t.Errorf("AckActions %q, want the 4 actions", wire.AckActions)
		}
		for _, a := range wire.AckActions {
			if got, err := reply.ParseAction(string(a)); err != nil || string(got) != string(a) {
				t.Errorf("ParseAction(%q) = %q, %v", a, got, err)
			}
		}
	})
	t.Run("every state parses", func(t *testing.T) {
		for _, s := range []wire.State{wire.StateUnacknowledged, wire.StateAcknowledged, wire.StateAll} {
			if got, ok := inbox.ParseState(string(s)); !ok || string(got) != string(s) {
				t.Errorf("ParseState(%q) = %q, %v", s, got, ok)
			}
		}
	})
}

func anySlice[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestSharedTypes checks the wire types the server uses as they are, so that none of
// them can drift: were one given a server twin of its own, it would need a pair above.
func TestSharedTypes(t *testing.T) {
	for _, tt := range []struct{ wire, server reflect.Type }{
		{reflect.TypeFor[wire.Quota](), reflect.TypeFor[fault.Quota]()},
		{reflect.TypeFor[wire.FieldError](), reflect.TypeFor[fault.FieldError]()},
	} {
		if tt.wire != tt.server {
			t.Errorf("%v is no longer %v: compare the two in TestWireMatchesServer", tt.server, tt.wire)
		}
	}
}
