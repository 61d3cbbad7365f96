package wire_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/wire"
)

func TestEventMarshal(t *testing.T) {
	tests := []struct {
		name    string
		ev      any
		want    string // exactly
		wantErr string // in the error, instead
	}{
		{
			name: "a zero timestamp is left out, as is every empty member",
			ev:   wire.Event{Event: "job.JobFinished", Resource: &wire.Resource{Type: "job"}},
			want: `{"event":"job.JobFinished","resource":{"type":"job"}}`,
		},
		{
			name: "the timestamp is written in UTC, to the nanosecond",
			ev:   wire.Event{Event: "e.E", Timestamp: time.Date(2026, 1, 2, 4, 4, 5, 120, time.FixedZone("CET", 3600))},
			want: `{"event":"e.E","timestamp":"2026-01-02T03:04:05.00000012Z"}`,
		},
		{
			name: "extra members come after the known ones, sorted; the known ones win",
			ev: wire.Event{Event: "e.E", Extra: map[string]json.RawMessage{
				"zeta": json.RawMessage(`1`), "alpha": json.RawMessage(` { "a" : [ 1 ] } `), "event": json.RawMessage(`"shadowed"`), "empty": nil,
			}},
			want: `{"event":"e.E","alpha":{"a":[1]},"empty":null,"zeta":1}`,
		},
		{
			name: "extra members of the user and the resource",
			ev: wire.Event{
				User:     &wire.User{Extra: map[string]json.RawMessage{"name": json.RawMessage(`"Ada"`)}},
				Resource: &wire.Resource{Type: "job", Before: json.RawMessage(`null`), Extra: map[string]json.RawMessage{"path": json.RawMessage(`"x"`), "rev": json.RawMessage(`3`)}},
			},
			want: `{"user":{"name":"Ada"},"resource":{"type":"job","before":null,"rev":3}}`,
		},
		{
			name: "an event held by value in another struct",
			ev: struct {
				Event wire.Event `json:"event"`
			}{wire.Event{Event: "e.E", Extra: map[string]json.RawMessage{"x": json.RawMessage(`true`)}}},
			want: `{"event":{"event":"e.E","x":true}}`,
		},
		{
			name:    "an extra member that is not JSON",
			ev:      wire.Event{Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}},
			wantErr: `"bad"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.ev)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one naming %s", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case string(got) != tt.want:
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEventUnmarshal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		check   func(*wire.Event) bool
		wantErr bool
	}{
		{
			name: "members are matched case-sensitively",
			in:   `{"event":"e.E","Event":"x","UUID":"y"}`,
			check: func(e *wire.Event) bool {
				return e.Event == "e.E" && e.UUID == "" && len(e.Extra) == 2 && string(e.Extra["UUID"]) == `"y"`
			},
		},
		{
			name: "null reads as absent, but for before and after",
			in:   `{"event":null,"user":null,"notification":null,"data":null,"timestamp":null,"resource":{"type":"t","before":null,"after":null}}`,
			check: func(e *wire.Event) bool {
				return e.Event == "" && e.User == nil && e.Notification == nil && e.Data == nil && e.Timestamp.IsZero() &&
					string(e.Resource.Before) == "null" && string(e.Resource.After) == "null" && e.Extra == nil
			},
		},
		{
			name:  "empty arrays read as absent",
			in:    `{"recipients":[],"resource":{"namespaces":[]}}`,
			check: func(e *wire.Event) bool { return e.Recipients == nil && e.Resource.Namespaces == nil },
		},
		{
			name:  "the last of repeated members wins",
			in:    `{"event":"a.A","event":"b.B"}`,
			check: func(e *wire.Event) bool { return e.Event == "b.B" },
		},
		{
			name: "a timestamp with an offset is read in UTC",
			in:   `{"timestamp":"2026-01-02T04:04:05.5+01:00"}`,
			check: func(e *wire.Event) bool {
				return e.Timestamp.Equal(time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC)) && e.Timestamp.Location() == time.UTC
			},
		},
		{name: "a member of the wrong type", in: `{"event":"e.E","uuid":7}`, wantErr: true},
		{name: "a user of the wrong type", in: `{"user":{"id":[]}}`, wantErr: true},
		{name: "not an object", in: `["e.E"]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := wire.Event{Event: "kept.OnError"}
			err := json.Unmarshal([]byte(tt.in), &ev)
			switch {
			case tt.wantErr:
				if err == nil || ev.Event != "kept.OnError" {
					t.Errorf("error %v, event %+v: want an error and the event unchanged", err, ev)
				}
			case err != nil:
				t.Fatal(err)
			case !tt.check(&ev):
				t.Errorf("read %s as %+v", tt.in, ev)
			}
		})
	}
}

// TestEventNull: null leaves an event as it was, as encoding/json does for other types.
func TestEventNull(t *testing.T) {
	ev := &wire.Event{Event: "e.E"}
	if err := json.Unmarshal([]byte(`null`), ev); err != nil || ev.Event != "e.E" {
		t.Errorf("%+v, %v", ev, err)
	}
	var p *wire.Event
	if err := json.Unmarshal([]byte(`null`), &p); err != nil || p != nil {
		t.Errorf("%+v, %v", p, err)
	}
}
