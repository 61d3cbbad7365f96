package event_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/baseline"
)

// typical is an event of about 1 KB, shaped like what resource services publish.
var typical = []byte(`{
  "event": "resource.ResourceUpdated",
  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
  "timestamp": "2026-11-22T18:00:00.123Z",
  "requestId": "abe50236-cf30-435f-b7fc-c05cb8f0f320",
  "user": {"id": "00b82755-b5e6-4c8b-a4cf-66bb4f697f17"},
  "resource": {
    "type": "omapisvc.APIConfig",
    "id": "cfg-1",
    "path": "projects/p1/configs/cfg-1",
    "namespaces": ["X", "media"],
    "before": {"name": "old name", "description": "The configuration used by the ingest pipeline", "version": 3},
    "after": {"name": "new name", "description": "The configuration used by the ingest and transcode pipelines", "version": 4}
  },
  "recipients": ["00b82755-b5e6-4c8b-a4cf-66bb4f697f17", "5a0c2e8a-4f1b-4c8e-9d3a-1b2c3d4e5f60"],
  "notification": {"variant": "PERMISSION_GRANTED", "message": "Configuration cfg-1 was renamed", "refs": [{"type": "RESOURCE", "name": "config", "value": "projects/p1/configs/cfg-1"}]},
  "data": {"jobType": "TRANSCODE", "metadata": {"title": "Evening news", "duration": 1800, "tags": ["news", "evening", "live"]}},
  "source": "omapisvc",
  "_id": "pub-000123"
}`)

// plainEvent, plainUser and plainResource have the envelope's fields and JSON names but
// none of its methods, so that encoding/json handles them by reflection: the baseline
// for the envelope's own codec. Unknown fields ("source") are dropped, not kept.
type plainEvent struct {
	Event        string          `json:"event"`
	UUID         string          `json:"uuid"`
	Timestamp    time.Time       `json:"timestamp"`
	RequestID    string          `json:"requestId,omitempty"`
	User         *plainUser      `json:"user,omitempty"`
	Resource     *plainResource  `json:"resource,omitempty"`
	Recipients   []string        `json:"recipients,omitempty"`
	Notification json.RawMessage `json:"notification,omitempty"`
	Data         json.RawMessage `json:"data,omitempty"`
	PublisherID  string          `json:"_id,omitempty"`
}

type plainUser struct {
	ID string `json:"id,omitempty"`
}

type plainResource struct {
	Type       string          `json:"type"`
	ID         string          `json:"id,omitempty"`
	Path       string          `json:"path,omitempty"`
	Namespaces []string        `json:"namespaces,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// BenchmarkDecodeValidate measures Decode, Validate and Subject of a typical event
// against a plain json.Unmarshal of the same bytes into plainEvent, which neither
// validates nor keeps unknown fields.
func BenchmarkDecodeValidate(b *testing.B) {
	if n := len(typical); n < 900 || n > 1400 {
		b.Fatalf("typical event is %d bytes, want about 1 KB", n)
	}
	decode := func() error {
		e, err := event.Decode(typical)
		if err != nil {
			return err
		}
		if err := e.Validate(); err != nil {
			return err
		}
		_ = e.Subject()
		return nil
	}
	plain := func() error {
		var p plainEvent
		return json.Unmarshal(typical, &p)
	}
	baseline.Alternate(b, "events/s", 100, decode, plain)
}

// BenchmarkMarshalJSON measures Event.MarshalJSON of a typical event against json.Marshal
// of the same fields in plainEvent.
func BenchmarkMarshalJSON(b *testing.B) {
	e, err := event.Decode(typical)
	if err != nil {
		b.Fatal(err)
	}
	var p plainEvent
	if err := json.Unmarshal(typical, &p); err != nil {
		b.Fatal(err)
	}
	marshal := func() error {
		_, err := e.MarshalJSON()
		return err
	}
	plain := func() error {
		_, err := json.Marshal(&p)
		return err
	}
	baseline.Alternate(b, "events/s", 100, marshal, plain)
}

// BenchmarkParseSubject measures ParseSubject of a subject with an eight-segment path
// against the same split done with strings.Cut and strings.ReplaceAll and no checks:
// the ratio is the cost of validating the event type and path.
func BenchmarkParseSubject(b *testing.B) {
	s := event.Subject("resource.ResourceCreated", strings.Repeat("seg/", 7)+"end")
	parse := func() error {
		_, _, err := event.ParseSubject(s)
		return err
	}
	errNotSubject := errors.New("not an event subject")
	plain := func() error {
		rest, ok := strings.CutPrefix(s, event.SubjectRoot+".")
		if !ok {
			return errNotSubject
		}
		if rest, ok = strings.CutSuffix(rest, "."+event.EndToken); !ok {
			return errNotSubject
		}
		domain, rest, ok := strings.Cut(rest, ".")
		if !ok {
			return errNotSubject
		}
		name, tokens, ok := strings.Cut(rest, ".")
		if !ok {
			return errNotSubject
		}
		_ = s[len(event.SubjectRoot)+1:][:len(domain)+1+len(name)] // the event type
		_ = strings.ReplaceAll(tokens, ".", "/")
		return nil
	}
	baseline.Alternate(b, "subjects/s", 100, parse, plain)
}
