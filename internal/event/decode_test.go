package event_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

const sampleUUID = "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"

func TestDecode(t *testing.T) {
	ts := time.Date(2026, 11, 22, 18, 0, 0, 123_000_000, time.UTC)
	tests := []struct {
		name string
		in   string
		want *event.Event
	}{
		{
			name: "design example",
			in: `{
			  "event": "resource.ResourceUpdated",
			  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
			  "timestamp": "2026-11-22T18:00:00.123Z",
			  "requestId": "abe50236-cf30-435f-b7fc-c05cb8f0f320",
			  "user": { "id": "00b82755-b5e6-4c8b-a4cf-66bb4f697f17" },
			  "resource": {
			    "type": "omapisvc.APIConfig",
			    "id": "cfg-1",
			    "path": "projects/p1/configs/cfg-1",
			    "namespaces": ["X"],
			    "before": { "name": "old name" },
			    "after":  { "name": "new name" }
			  },
			  "recipients": ["user-id"],
			  "notification": { "variant": "PERMISSION_GRANTED", "message": "…", "refs": [] },
			  "data": { "jobType": "TRANSCODE", "metadata": { "title": "…" } },
			  "_id": "optional publisher id"
			}`,
			want: &event.Event{
				Event:     "resource.ResourceUpdated",
				UUID:      sampleUUID,
				Timestamp: ts,
				RequestID: "abe50236-cf30-435f-b7fc-c05cb8f0f320",
				User:      &event.User{ID: "00b82755-b5e6-4c8b-a4cf-66bb4f697f17"},
				Resource: &event.Resource{
					Type:       "omapisvc.APIConfig",
					ID:         "cfg-1",
					Path:       "projects/p1/configs/cfg-1",
					Namespaces: []string{"X"},
					Before:     json.RawMessage(`{"name":"old name"}`),
					After:      json.RawMessage(`{"name":"new name"}`),
				},
				Recipients:   []string{"user-id"},
				Notification: json.RawMessage(`{"variant":"PERMISSION_GRANTED","message":"…","refs":[]}`),
				Data:         json.RawMessage(`{"jobType":"TRANSCODE","metadata":{"title":"…"}}`),
				PublisherID:  "optional publisher id",
			},
		},
		{
			name: "path derived from type and id",
			in:   `{"event":"item.ItemCreated","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"itemsvc.Item","id":"VX-1/2"}}`,
			want: &event.Event{
				Event: "item.ItemCreated", UUID: sampleUUID, Timestamp: ts.Truncate(time.Second),
				Resource: &event.Resource{Type: "itemsvc.Item", ID: "VX-1/2", Path: "itemsvc_Item/VX-1_2"},
			},
		},
		{
			name: "empty path is derived too",
			in:   `{"event":"item.ItemCreated","resource":{"type":"job","id":"j 1","path":""}}`,
			want: &event.Event{
				Event:    "item.ItemCreated",
				Resource: &event.Resource{Type: "job", ID: "j 1", Path: "job/j_1"},
			},
		},
		{
			name: "explicit path is kept",
			in:   `{"event":"item.ItemCreated","resource":{"type":"itemsvc.Item","id":"VX-1","path":"projects/p1/items/VX-1"}}`,
			want: &event.Event{
				Event:    "item.ItemCreated",
				Resource: &event.Resource{Type: "itemsvc.Item", ID: "VX-1", Path: "projects/p1/items/VX-1"},
			},
		},
		{
			name: "no path without an id",
			in:   `{"event":"item.ItemCreated","resource":{"type":"itemsvc.Item"}}`,
			want: &event.Event{Event: "item.ItemCreated", Resource: &event.Resource{Type: "itemsvc.Item"}},
		},
		{
			name: "unknown fields at every level",
			in:   `{"event":"a.B","x":1,"y":{"z":[true]},"user":{"id":"u","name":"N"},"resource":{"type":"t","path":"p","owner":null}}`,
			want: &event.Event{
				Event: "a.B",
				User:  &event.User{ID: "u", Extra: map[string]json.RawMessage{"name": json.RawMessage(`"N"`)}},
				Resource: &event.Resource{Type: "t", Path: "p",
					Extra: map[string]json.RawMessage{"owner": json.RawMessage(`null`)}},
				Extra: map[string]json.RawMessage{"x": json.RawMessage(`1`), "y": json.RawMessage(`{"z":[true]}`)},
			},
		},
		{
			name: "member names are case-sensitive",
			in:   `{"event":"a.B","Event":"c.D","requestID":"r"}`,
			want: &event.Event{
				Event: "a.B",
				Extra: map[string]json.RawMessage{"Event": json.RawMessage(`"c.D"`), "requestID": json.RawMessage(`"r"`)},
			},
		},
		{
			name: "null reads as absent",
			in:   `{"event":null,"uuid":null,"timestamp":null,"requestId":null,"user":null,"resource":null,"recipients":null,"notification":null,"data":null,"_id":null}`,
			want: &event.Event{},
		},
		{
			name: "null resource members",
			in:   `{"resource":{"type":null,"id":null,"path":null,"namespaces":null,"before":null}}`,
			want: &event.Event{Resource: &event.Resource{Before: json.RawMessage(`null`)}},
		},
		{
			name: "empty arrays read as absent",
			in:   `{"recipients":[],"resource":{"namespaces":[]}}`,
			want: &event.Event{Resource: &event.Resource{}},
		},
		{
			name: "empty objects are kept",
			in:   `{"user":{},"resource":{},"notification":{},"data":{}}`,
			want: &event.Event{User: &event.User{}, Resource: &event.Resource{},
				Notification: json.RawMessage(`{}`), Data: json.RawMessage(`{}`)},
		},
		{
			name: "escaped strings and names",
			in:   `{"\u0065vent":"a.\u0042","requestId":"line\nbreak \"quoted\" \u00e9"}`,
			want: &event.Event{Event: "a.B", RequestID: "line\nbreak \"quoted\" é"},
		},
		{
			name: "duplicate member: the last wins, as in encoding/json",
			in:   `{"event":"a.B","event":"c.D"}`,
			want: &event.Event{Event: "c.D"},
		},
		{
			name: "timestamp offset is converted to UTC, nanoseconds kept",
			in:   `{"timestamp":"2026-11-22T20:00:00.123456789+02:00"}`,
			want: &event.Event{Timestamp: time.Date(2026, 11, 22, 18, 0, 0, 123456789, time.UTC)},
		},
		{
			name: "lower-case t and z",
			in:   `{"timestamp":"2026-11-22t18:00:00.123z"}`,
			want: &event.Event{Timestamp: ts},
		},
		{
			name: "surrounding whitespace",
			in:   " \n\t{\"event\":\"a.B\"}\r\n ",
			want: &event.Event{Event: "a.B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := event.Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameEvent(t, got, tt.want) {
				t.Errorf("Decode:\n got %+v\nwant %+v", normalize(t, got), normalize(t, tt.want))
			}
			if got.Timestamp.Location() != time.UTC {
				t.Errorf("timestamp location = %v, want UTC", got.Timestamp.Location())
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []fault.FieldError
	}{
		{"empty body", ``, []fault.FieldError{field("", "body is empty")}},
		{"only whitespace", " \n", []fault.FieldError{field("", "body is empty")}},
		{"syntax error", `{"event":}`, []fault.FieldError{field("", "body is not valid JSON")}},
		{"truncated", `{"event":"a.B"`, []fault.FieldError{field("", "body is not valid JSON")}},
		{"trailing garbage", `{"event":"a.B"} x`, []fault.FieldError{field("", "body is not valid JSON")}},
		{"two objects", `{}{}`, []fault.FieldError{field("", "body is not valid JSON")}},
		{"broken non-object", `[1,`, []fault.FieldError{field("", "body is not valid JSON")}},
		{"form feed is not JSON whitespace", "\f{}", []fault.FieldError{field("", "body is not valid JSON")}},
		{"no-break space is not JSON whitespace", "{}\u00a0", []fault.FieldError{field("", "body is not valid JSON")}},
		{"array", `[{"event":"a.B"}]`, []fault.FieldError{field("", "body must be a JSON object")}},
		{"null", `null`, []fault.FieldError{field("", "body must be a JSON object")}},
		{"string", `"x"`, []fault.FieldError{field("", "body must be a JSON object")}},
		{"number", `12`, []fault.FieldError{field("", "body must be a JSON object")}},
		{"invalid UTF-8", "{\"event\":\"a.B\",\"requestId\":\"\xff\"}", []fault.FieldError{field("", "body is not valid UTF-8")}},
		{"invalid UTF-8 in an unknown field", "{\"x\xc3\":1}", []fault.FieldError{field("", "body is not valid UTF-8")}},
		{"event not a string", `{"event":1}`, []fault.FieldError{field("event", "must be a string")}},
		{"uuid not a string", `{"uuid":{"a":1}}`, []fault.FieldError{field("uuid", "must be a string")}},
		{"requestId not a string", `{"requestId":true}`, []fault.FieldError{field("requestId", "must be a string")}},
		{"_id not a string", `{"_id":[]}`, []fault.FieldError{field("_id", "must be a string")}},
		{"timestamp a number", `{"timestamp":1764000000}`, []fault.FieldError{field("timestamp", "must be an RFC 3339 timestamp string")}},
		{"timestamp empty", `{"timestamp":""}`, []fault.FieldError{field("timestamp", "must be an RFC 3339 timestamp such as")}},
		{"timestamp without zone", `{"timestamp":"2026-11-22T18:00:00"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339 timestamp such as")}},
		{"timestamp one-digit hour", `{"timestamp":"2026-11-22T1:00:00Z"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp day out of range", `{"timestamp":"2026-02-30T00:00:00Z"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp offset 24h", `{"timestamp":"2026-11-22T18:00:00+24:00"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp empty fraction", `{"timestamp":"2026-11-22T18:00:00.Z"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp before year 0 in UTC", `{"timestamp":"0000-01-01T00:00:00+00:01"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp after year 9999 in UTC", `{"timestamp":"9999-12-31T23:59:59-00:01"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp date only", `{"timestamp":"2026-11-22"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"timestamp space separator", `{"timestamp":"2026-11-22 18:00:00Z"}`, []fault.FieldError{field("timestamp", "must be an RFC 3339")}},
		{"user a string", `{"user":"u1"}`, []fault.FieldError{field("user", "must be an object")}},
		{"user.id a number", `{"user":{"id":7}}`, []fault.FieldError{field("user.id", "must be a string")}},
		{"resource an array", `{"resource":[]}`, []fault.FieldError{field("resource", "must be an object")}},
		{"resource.type a number", `{"resource":{"type":1}}`, []fault.FieldError{field("resource.type", "must be a string")}},
		{"resource.id a number", `{"resource":{"type":"t","id":1}}`, []fault.FieldError{field("resource.id", "must be a string")}},
		{"resource.path an array", `{"resource":{"type":"t","path":["a"]}}`, []fault.FieldError{field("resource.path", "must be a string")}},
		{"resource.namespaces a string", `{"resource":{"type":"t","namespaces":"X"}}`, []fault.FieldError{field("resource.namespaces", "must be an array of strings")}},
		{"resource.namespaces element", `{"resource":{"type":"t","namespaces":["X",2]}}`, []fault.FieldError{field("resource.namespaces[1]", "must be a string")}},
		{"recipients a string", `{"recipients":"u1"}`, []fault.FieldError{field("recipients", "must be an array of strings")}},
		{"recipients elements", `{"recipients":["a","b",null,3]}`, []fault.FieldError{field("recipients[2]", "must be a string"), field("recipients[3]", "must be a string")}},
		{"bad elements reported up to 10", `{"recipients":[` + strings.Repeat(`1,`, 50) + `"a"]}`, func() []fault.FieldError {
			var f []fault.FieldError
			for i := range 10 {
				f = append(f, field(fmt.Sprintf("recipients[%d]", i), "must be a string"))
			}
			return f
		}()},
		{"notification an array", `{"notification":[]}`, []fault.FieldError{field("notification", "must be an object")}},
		{"data a string", `{"data":"x"}`, []fault.FieldError{field("data", "must be an object")}},
		{
			name: "every bad field is reported, in the envelope's order",
			in:   `{"uuid":1,"event":2,"resource":{"namespaces":{},"type":3},"recipients":[1],"timestamp":"x","data":1}`,
			want: []fault.FieldError{
				field("event", "must be a string"),
				field("uuid", "must be a string"),
				field("timestamp", "must be an RFC 3339"),
				field("resource.type", "must be a string"),
				field("resource.namespaces", "must be an array of strings"),
				field("recipients[0]", "must be a string"),
				field("data", "must be an object"),
			},
		},
		{
			name: "the last of duplicate members counts, errors included",
			in:   `{"event":1,"event":"a.B","uuid":"u","uuid":2}`,
			want: []fault.FieldError{field("uuid", "must be a string")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := event.Decode([]byte(tt.in))
			if e != nil {
				t.Errorf("Decode returned an event along with the error: %+v", e)
			}
			wantFields(t, err, tt.want...)
		})
	}
}

func TestDecodeSize(t *testing.T) {
	// body builds an event of exactly n bytes by padding an unknown field.
	body := func(n int) []byte {
		const head, tail = `{"event":"a.B","pad":"`, `"}`
		return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
	}
	if _, err := event.Decode(body(event.MaxSize)); err != nil {
		t.Errorf("Decode of exactly MaxSize bytes: %v", err)
	}
	_, err := event.Decode(body(event.MaxSize + 1))
	fe := faultOf(t, err)
	if fe.Kind != fault.TooLarge {
		t.Errorf("kind = %v, want %v", fe.Kind, fault.TooLarge)
	}
	if len(fe.Fields) != 1 || fe.Fields[0].Field != "" {
		t.Errorf("fields = %q, want one for the body (\"\")", fe.Fields)
	}
	// The size is checked before anything else, so a huge malformed body is cheap.
	_, err = event.Decode([]byte(strings.Repeat("[", event.MaxSize+1)))
	if !fault.Is(err, fault.TooLarge) {
		t.Errorf("oversized garbage: %v, want TooLarge", err)
	}
}

// TestUnmarshalJSON checks that an Event decodes the same way inside another
// document, and that it has no size limit there (the outer document has its own).
func TestUnmarshalJSON(t *testing.T) {
	var batch struct {
		Events []event.Event `json:"events"`
		One    *event.Event  `json:"one"`
	}
	in := `{"events":[{"event":"a.B","resource":{"type":"t","id":"i"},"x":1},{"event":"c.D"}],"one":{"event":"e.F"}}`
	if err := json.Unmarshal([]byte(in), &batch); err != nil {
		t.Fatal(err)
	}
	if len(batch.Events) != 2 || batch.Events[0].Event != "a.B" || batch.Events[1].Event != "c.D" || batch.One.Event != "e.F" {
		t.Fatalf("decoded %+v", batch)
	}
	if got := batch.Events[0].Resource.Path; got != "t/i" {
		t.Errorf("derived path = %q, want %q", got, "t/i")
	}
	if got := string(batch.Events[0].Extra["x"]); got != "1" {
		t.Errorf("Extra[x] = %q, want 1", got)
	}

	err := json.Unmarshal([]byte(`{"events":[{"event":1}]}`), &batch)
	wantFields(t, err, field("event", "must be a string"))

	big := `{"event":"a.B","pad":"` + strings.Repeat("x", event.MaxSize) + `"}`
	var e event.Event
	if err := json.Unmarshal([]byte(big), &e); err != nil {
		t.Errorf("UnmarshalJSON of a large event: %v", err)
	}

	// On error the receiver is left as it was.
	e = event.Event{Event: "keep.Me"}
	if err := e.UnmarshalJSON([]byte(`{"event":"a.B","uuid":1}`)); err == nil {
		t.Fatal("UnmarshalJSON accepted a numeric uuid")
	}
	if e.Event != "keep.Me" {
		t.Errorf("receiver changed on error: %+v", e)
	}
}

func TestUnmarshalUserAndResource(t *testing.T) {
	var r event.Resource
	if err := json.Unmarshal([]byte(`{"type":"job","id":"j/1","color":"red"}`), &r); err != nil {
		t.Fatal(err)
	}
	if r.Path != "job/j_1" || string(r.Extra["color"]) != `"red"` {
		t.Errorf("resource = %+v", r)
	}
	wantFields(t, json.Unmarshal([]byte(`{"type":1}`), &r), field("type", "must be a string"))

	var u event.User
	if err := json.Unmarshal([]byte(`{"id":"u1","name":"N"}`), &u); err != nil {
		t.Fatal(err)
	}
	if u.ID != "u1" || string(u.Extra["name"]) != `"N"` {
		t.Errorf("user = %+v", u)
	}
	wantFields(t, json.Unmarshal([]byte(`{"id":false}`), &u), field("id", "must be a string"))
}
