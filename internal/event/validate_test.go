package event_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// validEvent returns a fresh valid event for tests to break one rule at a time.
func validEvent() *event.Event {
	return &event.Event{
		Event:     "resource.ResourceCreated",
		UUID:      sampleUUID,
		Timestamp: time.Date(2026, 11, 22, 18, 0, 0, 123_000_000, time.UTC),
		User:      &event.User{ID: "u1"},
		Resource:  &event.Resource{Type: "collection", ID: "c1", Path: "projects/p1/collections/c1"},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *event.Event)
		want   []fault.FieldError // nil: valid
	}{
		{"valid", func(e *event.Event) {}, nil},
		{"all optional fields", func(e *event.Event) {
			e.RequestID = "r1"
			e.PublisherID = "p"
			e.Recipients = []string{"u2", "u3"}
			e.Notification = json.RawMessage(` {"variant":"PERMISSION_GRANTED"}`)
			e.Data = json.RawMessage(`{}`)
			e.Resource.Namespaces = []string{"X"}
			e.Resource.Before = json.RawMessage(`null`)
			e.Resource.After = json.RawMessage(`[1]`)
			e.Extra = map[string]json.RawMessage{"x": json.RawMessage(`1`)}
		}, nil},
		{"no user", func(e *event.Event) { e.User = nil }, nil},
		{"user without id", func(e *event.Event) { e.User = &event.User{} }, nil},
		{"id without path", func(e *event.Event) { e.Resource.Path = "" }, nil},
		{"path without id", func(e *event.Event) { e.Resource.ID = "" }, nil},
		{"upper-case uuid", func(e *event.Event) { e.UUID = strings.ToUpper(sampleUUID) }, nil},
		{"nil uuid", func(e *event.Event) { e.UUID = "00000000-0000-0000-0000-000000000000" }, nil},
		{"version 7 uuid", func(e *event.Event) { e.UUID = "01932c07-209c-7a4e-8d1a-2f6b5c1e9f00" }, nil},
		{"type with spaces and unicode", func(e *event.Event) { e.Resource.Type = "Média Asset" }, nil},
		{"1000 recipients", func(e *event.Event) { e.Recipients = recipients(1000) }, nil},
		{"system event without resource", func(e *event.Event) {
			e.Event = "system.Announcement"
			e.Resource = nil
		}, nil},
		{"user event with resource", func(e *event.Event) {
			e.Event = "user.PermissionGranted"
			e.Resource = &event.Resource{Type: "user", ID: "u1", Path: "users/u1"}
		}, nil},
		{"uncatalogued event type", func(e *event.Event) { e.Event = "my-svc.Thing_Happened" }, nil},

		{"empty event", func(e *event.Event) { *e = event.Event{} }, []fault.FieldError{
			field("event", "is required"),
			field("uuid", "is required"),
			field("timestamp", "is required"),
			field("resource", "is required"),
		}},
		{"event one token", func(e *event.Event) { e.Event = "ResourceCreated" }, []fault.FieldError{field("event", "must be \"<domain>.<Name>\"")}},
		{"event three tokens", func(e *event.Event) { e.Event = "a.b.c" }, []fault.FieldError{field("event", "must be")}},
		{"event empty token", func(e *event.Event) { e.Event = "a." }, []fault.FieldError{field("event", "must be")}},
		{"event bad character", func(e *event.Event) { e.Event = "a.b*" }, []fault.FieldError{field("event", "must be")}},
		{"uuid braces", func(e *event.Event) { e.UUID = "{" + sampleUUID + "}" }, []fault.FieldError{field("uuid", "must be a UUID")}},
		{"uuid urn", func(e *event.Event) { e.UUID = "urn:uuid:" + sampleUUID }, []fault.FieldError{field("uuid", "must be a UUID")}},
		{"uuid without hyphens", func(e *event.Event) { e.UUID = strings.ReplaceAll(sampleUUID, "-", "") }, []fault.FieldError{field("uuid", "must be a UUID")}},
		{"uuid not hex", func(e *event.Event) { e.UUID = "8f2792c7-b01a-4493-ba5a-d0588a4aad8g" }, []fault.FieldError{field("uuid", "must be a UUID")}},
		{"uuid hyphen misplaced", func(e *event.Event) { e.UUID = "8f2792c7b-01a-4493-ba5a-d0588a4aad8e" }, []fault.FieldError{field("uuid", "must be a UUID")}},
		{"timestamp zero", func(e *event.Event) { e.Timestamp = time.Time{} }, []fault.FieldError{field("timestamp", "is required")}},
		{"timestamp after 9999", func(e *event.Event) { e.Timestamp = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, []fault.FieldError{field("timestamp", "must be between")}},
		{"resource missing", func(e *event.Event) { e.Resource = nil }, []fault.FieldError{field("resource", "is required")}},
		{"user event without resource", func(e *event.Event) {
			e.Event = "user.PermissionGranted"
			e.Resource = nil
		}, []fault.FieldError{field("resource", "is required; user events")}},
		{"resource.type missing", func(e *event.Event) { e.Resource.Type = "" }, []fault.FieldError{field("resource.type", "is required")}},
		{"resource.type too long", func(e *event.Event) { e.Resource.Type = strings.Repeat("t", 257) }, []fault.FieldError{field("resource.type", "must be at most 256 bytes")}},
		{"resource.type control character", func(e *event.Event) { e.Resource.Type = "a\tb" }, []fault.FieldError{field("resource.type", "must not contain control characters")}},
		{"resource.type C1 control", func(e *event.Event) { e.Resource.Type = "a\u0085b" }, []fault.FieldError{field("resource.type", "must not contain control characters")}},
		{"resource.type invalid UTF-8", func(e *event.Event) { e.Resource.Type = "a\xffb" }, []fault.FieldError{field("resource.type", "must be valid UTF-8")}},
		{"neither id nor path", func(e *event.Event) { e.Resource.ID, e.Resource.Path = "", "" }, []fault.FieldError{field("resource.id", "is required when resource.path is absent")}},
		{"path leading slash", func(e *event.Event) { e.Resource.Path = "/projects/p1" }, []fault.FieldError{field("resource.path", "must not start with")}},
		{"path trailing slash", func(e *event.Event) { e.Resource.Path = "projects/p1/" }, []fault.FieldError{field("resource.path", "must not end with")}},
		{"path empty segment", func(e *event.Event) { e.Resource.Path = "projects//p1" }, []fault.FieldError{field("resource.path", "must not have an empty segment")}},
		{"path dot", func(e *event.Event) { e.Resource.Path = "projects/p.1" }, []fault.FieldError{field("resource.path", "must be 1 to 16 segments")}},
		{"path wildcard", func(e *event.Event) { e.Resource.Path = "projects/*" }, []fault.FieldError{field("resource.path", "must be 1 to 16 segments")}},
		{"path 17 segments", func(e *event.Event) { e.Resource.Path = strings.Repeat("a/", 16) + "a" }, []fault.FieldError{field("resource.path", "must have at most 16 segments")}},
		{"path too long", func(e *event.Event) { e.Resource.Path = strings.Repeat("a", 513) }, []fault.FieldError{field("resource.path", "must be at most 512 bytes")}},
		{"derived path too long", func(e *event.Event) {
			e.Resource.Path = ""
			e.Resource.ID = strings.Repeat("x", 600)
		}, []fault.FieldError{field("resource.path", "must be at most 512 bytes")}},
		{"derived path is never too deep", func(e *event.Event) {
			e.Resource.Path = ""
			e.Resource.ID = strings.Repeat("a/", 20)
		}, nil},
		{"system event with a broken resource", func(e *event.Event) {
			e.Event = "system.Announcement"
			e.Resource.Path = "a//b"
		}, []fault.FieldError{field("resource.path", "must not have an empty segment")}},
		{"too many recipients", func(e *event.Event) { e.Recipients = recipients(1001) }, []fault.FieldError{field("recipients", "must have at most 1000 entries")}},
		{"too many recipients are not checked one by one", func(e *event.Event) { e.Recipients = make([]string, 5000) }, []fault.FieldError{field("recipients", "must have at most 1000 entries")}},
		{"bad recipients reported up to 10", func(e *event.Event) { e.Recipients = make([]string, 50) }, func() []fault.FieldError {
			var f []fault.FieldError
			for i := range 10 {
				f = append(f, field(fmt.Sprintf("recipients[%d]", i), "must not be empty"))
			}
			return f
		}()},
		{"empty and long recipients", func(e *event.Event) {
			e.Recipients = []string{"u1", "", "u3", strings.Repeat("u", 257), strings.Repeat("u", 256)}
		}, []fault.FieldError{
			field("recipients[1]", "must not be empty"),
			field("recipients[3]", "must be at most 256 bytes"),
		}},
		{"notification an array", func(e *event.Event) { e.Notification = json.RawMessage(`[]`) }, []fault.FieldError{field("notification", "must be a JSON object")}},
		{"notification null", func(e *event.Event) { e.Notification = json.RawMessage(`null`) }, []fault.FieldError{field("notification", "must be a JSON object")}},
		{"data a string", func(e *event.Event) { e.Data = json.RawMessage(`"x"`) }, []fault.FieldError{field("data", "must be a JSON object")}},
		{"data whitespace only", func(e *event.Event) { e.Data = json.RawMessage(`  `) }, []fault.FieldError{field("data", "must be a JSON object")}},
		{"invalid UTF-8 in strings set in code", func(e *event.Event) {
			e.RequestID = "\xff"
			e.PublisherID = "\xfe"
			e.User.ID = "\xc3"
			e.Resource.ID = "a\xff"
			e.Resource.Namespaces = []string{"ok", "\xff"}
			e.Recipients = []string{"\xff"}
		}, []fault.FieldError{
			field("requestId", "must be valid UTF-8"),
			field("_id", "must be valid UTF-8"),
			field("user.id", "must be valid UTF-8"),
			field("resource.id", "must be valid UTF-8"),
			field("resource.namespaces[1]", "must be valid UTF-8"),
			field("recipients[0]", "must be valid UTF-8"),
		}},
		{"several rules at once", func(e *event.Event) {
			e.Event = "bad"
			e.UUID = "x"
			e.Resource.Type = ""
			e.Resource.Path = "a/"
			e.Recipients = []string{""}
			e.Data = json.RawMessage(`1`)
		}, []fault.FieldError{
			field("event", "must be"),
			field("uuid", "must be a UUID"),
			field("resource.type", "is required"),
			field("resource.path", "must not end with"),
			field("recipients[0]", "must not be empty"),
			field("data", "must be a JSON object"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEvent()
			tt.change(e)
			err := e.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantFields(t, err, tt.want...)
		})
	}
}

func recipients(n int) []string {
	r := make([]string, n)
	for i := range r {
		r[i] = fmt.Sprintf("user-%d", i)
	}
	return r
}

func TestValidateNil(t *testing.T) {
	var e *event.Event
	wantFields(t, e.Validate(),
		field("event", "is required"),
		field("uuid", "is required"),
		field("timestamp", "is required"),
		field("resource", "is required"))
}

// TestDecodeValidate runs both steps on raw bodies, as the relay does.
func TestDecodeValidate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []fault.FieldError
	}{
		{"minimal", `{"event":"job.JobCreated","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"job","id":"j1"}}`, nil},
		{"announcement", `{"event":"system.Announcement","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","notification":{"message":"Maintenance"}}`, nil},
		{"user event", `{"event":"user.AccessRequested","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"user","id":"u1","path":"users/u1"},"recipients":["u1"]}`, nil},
		{"derived path invalid: no type", `{"event":"job.JobCreated","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"id":"j1"}}`,
			[]fault.FieldError{field("resource.type", "is required")}},
		{"missing everything", `{}`, []fault.FieldError{
			field("event", "is required"), field("uuid", "is required"),
			field("timestamp", "is required"), field("resource", "is required"),
		}},
		{"zero timestamp", `{"event":"system.Announcement","uuid":"` + sampleUUID + `","timestamp":"0001-01-01T00:00:00Z"}`,
			[]fault.FieldError{field("timestamp", "is required")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustDecode(t, tt.in)
			err := e.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantFields(t, err, tt.want...)
		})
	}
}

func TestValidEventType(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"resource.ResourceCreated", true},
		{"a.b", true},
		{"my-svc.Thing_1", true},
		{"_.-", true},
		{"", false},
		{"a", false},
		{".a", false},
		{"a.", false},
		{".", false},
		{"a..b", false},
		{"a.b.c", false},
		{"a.b ", false},
		{"a.b*", false},
		{"a.>", false},
		{"a/b.c", false},
		{"é.b", false},
		{"a:b.c", false},
		{"a.~b", false},
		{strings.Repeat("a", 128) + "." + strings.Repeat("b", 127), true},
		{strings.Repeat("a", 128) + "." + strings.Repeat("b", 128), false},
	}
	for _, tt := range tests {
		err := event.ValidEventType(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ValidEventType(%q) = %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil {
			fe := faultOf(t, err)
			if fe.Kind != fault.Invalid || len(fe.Fields) != 0 {
				t.Errorf("ValidEventType(%q) = %#v, want Invalid without fields", tt.in, fe)
			}
		}
	}
	// The error names its field once the caller says which one it is.
	err := fault.Prefix(event.ValidEventType("x"), "triggers[0].event")
	wantFields(t, err, field("triggers[0].event", "event type must be"))
}

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestFillDefaults(t *testing.T) {
	now := time.Date(2026, 11, 22, 19, 0, 0, 5, time.FixedZone("CET", 3600))

	var e event.Event
	e.FillDefaults(now)
	if !v4.MatchString(e.UUID) {
		t.Errorf("uuid = %q, want a lower-case version 4 UUID", e.UUID)
	}
	if !e.Timestamp.Equal(now) || e.Timestamp.Location() != time.UTC {
		t.Errorf("timestamp = %v, want %v in UTC", e.Timestamp, now)
	}

	var other event.Event
	other.FillDefaults(now)
	if other.UUID == e.UUID {
		t.Errorf("two fills gave the same uuid %q", e.UUID)
	}

	set := validEvent()
	want := *set
	set.FillDefaults(now)
	if set.UUID != want.UUID || !set.Timestamp.Equal(want.Timestamp) {
		t.Errorf("FillDefaults replaced set fields: uuid %q, timestamp %v", set.UUID, set.Timestamp)
	}
}
