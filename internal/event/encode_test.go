package event_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden decodes each testdata/golden/*.json, encodes it again, and compares the
// result with the .golden file beside it: unknown fields must survive, known fields
// come out in the documented order and form, and a second round trip changes nothing.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			e, err := event.Decode(src)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if err := e.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			got, err := e.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			golden := strings.TrimSuffix(in, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
				t.Errorf("MarshalJSON:\n got %s\nwant %s", got, want)
			}

			// Every member of the input is in the output, with the same value.
			checkPreserved(t, src, got)

			again, err := event.Decode(got)
			if err != nil {
				t.Fatalf("Decode of the encoding: %v", err)
			}
			if !sameEvent(t, e, again) {
				t.Errorf("round trip changed the event:\n got %+v\nwant %+v", again, e)
			}
			twice, _ := again.MarshalJSON()
			if !bytes.Equal(got, twice) {
				t.Errorf("second encoding differs:\n got %s\nwant %s", twice, got)
			}
		})
	}
}

func TestMarshalJSON(t *testing.T) {
	ts := time.Date(2026, 11, 22, 18, 0, 0, 120_000_000, time.UTC)
	tests := []struct {
		name string
		e    event.Event
		want string
	}{
		{"empty", event.Event{}, `{}`},
		{"order of the design", event.Event{
			PublisherID: "p", Data: json.RawMessage(`{"d":1}`), Notification: json.RawMessage(`{"n":1}`),
			Recipients: []string{"r"}, Resource: &event.Resource{Type: "t", ID: "i", Path: "p/i", Namespaces: []string{"N"}, Before: json.RawMessage(`1`), After: json.RawMessage(`2`)},
			User: &event.User{ID: "u"}, RequestID: "q", Timestamp: ts, UUID: sampleUUID, Event: "a.B",
		}, `{"event":"a.B","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00.12Z","requestId":"q","user":{"id":"u"},` +
			`"resource":{"type":"t","id":"i","path":"p/i","namespaces":["N"],"before":1,"after":2},"recipients":["r"],` +
			`"notification":{"n":1},"data":{"d":1},"_id":"p"}`},
		{"timestamp converted to UTC", event.Event{Timestamp: time.Date(2026, 11, 22, 19, 0, 0, 1, time.FixedZone("CET", 3600))},
			`{"timestamp":"2026-11-22T18:00:00.000000001Z"}`},
		{"whole seconds have no fraction", event.Event{Timestamp: ts.Truncate(time.Second)}, `{"timestamp":"2026-11-22T18:00:00Z"}`},
		{"empty user and resource are kept", event.Event{User: &event.User{}, Resource: &event.Resource{}}, `{"user":{},"resource":{}}`},
		{"raw values compacted", event.Event{Data: json.RawMessage(" {\n \"a\" : [ 1 , 2 ] }\n")}, `{"data":{"a":[1,2]}}`},
		{"extra sorted after known fields", event.Event{Event: "a.B", Extra: map[string]json.RawMessage{
			"z": json.RawMessage(`1`), "a": json.RawMessage(`"x"`), "M": json.RawMessage(`null`),
		}}, `{"event":"a.B","M":null,"a":"x","z":1}`},
		{"extra cannot shadow known fields", event.Event{Event: "a.B", Extra: map[string]json.RawMessage{
			"event": json.RawMessage(`"evil.Twin"`), "uuid": json.RawMessage(`"x"`), "other": json.RawMessage(`true`),
		}}, `{"event":"a.B","other":true}`},
		{"empty extra value written as null", event.Event{Extra: map[string]json.RawMessage{"x": nil}}, `{"x":null}`},
		{"nested extras", event.Event{
			User:     &event.User{ID: "u", Extra: map[string]json.RawMessage{"id": json.RawMessage(`"shadow"`), "b": json.RawMessage(`2`), "a": json.RawMessage(`1`)}},
			Resource: &event.Resource{Type: "t", Extra: map[string]json.RawMessage{"path": json.RawMessage(`"shadow"`), "k": json.RawMessage(`[]`)}},
		}, `{"user":{"id":"u","a":1,"b":2},"resource":{"type":"t","k":[]}}`},
		{"string escapes", event.Event{RequestID: "q\"\\\n\r\t\x01\x1f<>&é\u2028\u2029😀", PublisherID: "a\xffb"},
			`{"requestId":"q\"\\\n\r\t\u0001\u001f<>&é\u2028\u2029😀","_id":"a\ufffdb"}`},
		{"extra names escaped", event.Event{Extra: map[string]json.RawMessage{"a\"b": json.RawMessage(`1`)}}, `{"a\"b":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.e.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON:\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("MarshalJSON wrote invalid JSON: %s", got)
			}
			// encoding/json uses the method too, for values and pointers alike.
			for _, v := range []any{tt.e, &tt.e} {
				viaPkg, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("json.Marshal(%T): %v", v, err)
				}
				var x, y any
				_ = json.Unmarshal(viaPkg, &x)
				_ = json.Unmarshal(got, &y)
				if !jsonEqual(x, y) {
					t.Errorf("json.Marshal(%T) = %s, want %s", v, viaPkg, got)
				}
			}
		})
	}
}

func TestMarshalJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		e    event.Event
		want string
	}{
		{"broken data", event.Event{Data: json.RawMessage(`{"a":`)}, "data"},
		{"broken notification", event.Event{Notification: json.RawMessage(`{]`)}, "notification"},
		{"broken before", event.Event{Resource: &event.Resource{Before: json.RawMessage(`nul`)}}, "before"},
		{"broken extra", event.Event{Extra: map[string]json.RawMessage{"x": json.RawMessage(`{`)}}, "x"},
		{"broken user extra", event.Event{User: &event.User{Extra: map[string]json.RawMessage{"y": json.RawMessage(`1 2`)}}}, "y"},
		{"year after 9999", event.Event{Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "timestamp"},
		{"year before 0", event.Event{Timestamp: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.e.MarshalJSON()
			if err == nil {
				t.Fatalf("MarshalJSON = %s, want an error", b)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
			if _, err := json.Marshal(tt.e); err == nil {
				t.Errorf("json.Marshal succeeded")
			}
		})
	}
}

func TestMarshalUserAndResource(t *testing.T) {
	b, err := json.Marshal(event.User{ID: "u1", Extra: map[string]json.RawMessage{"name": json.RawMessage(`"N"`)}})
	if err != nil || string(b) != `{"id":"u1","name":"N"}` {
		t.Errorf("User: %s, %v", b, err)
	}
	b, err = json.Marshal(event.Resource{Type: "t", ID: "i"})
	if err != nil || string(b) != `{"type":"t","id":"i"}` {
		t.Errorf("Resource: %s, %v", b, err)
	}
}
