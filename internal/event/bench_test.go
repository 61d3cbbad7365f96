package event_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/baseline"
)

// typical is an event of about 1 KB, shaped like what resource services publish, of a
// catalog type and meeting its contract (the contract benchmark reads it too).
var typical = mustRead("testdata/typical.json")

// mustRead returns the file's content, for the benchmarks' fixtures.
func mustRead(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return b
}

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
