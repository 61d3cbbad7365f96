package event_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

// FuzzDecode checks that Decode and Validate never panic, that what Decode accepts
// encodes again with every member kept (compared with encoding/json's reading of the
// same body), and that a valid event survives MarshalJSON and Decode unchanged,
// still valid and on the same subject.
func FuzzDecode(f *testing.F) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, in := range inputs {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `{"event":1}`, `{"event":"a.B"}`,
		`{"event":"a.B","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"t","id":"i"}}`,
		`{"event":"system.Announcement","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00.999999999-23:59"}`,
		`{"event":"a.B","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"t\u0000","path":"a/_/b"},"recipients":["",1]}`,
		`{"event":"a.B","uuid":"` + sampleUUID + `","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"a.b","id":"日本/x y"},"x":{"y":[null]}}`,
		`{"resource":{"namespaces":[null,"x"],"before":[1,{}],"after":"\ud800"}}`,
		"{\"event\":\"a.B\",\"x\":\"\xff\"}",
		`{"notification":[],"data":null,"user":{"id":null,"\u0000":1}}`,
		`{"timestamp":"0000-01-01T00:00:00+00:01"}`,
		`{"timestamp":"9999-12-31T23:59:59.999999999-23:59"}`,
		`{"a":1,"a":2,"event":"x.Y","event":"y.Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := event.Decode(data)
		if err != nil {
			if e != nil {
				t.Fatalf("Decode returned both an event and %v", err)
			}
			faultOf(t, err)
			return
		}
		// Whatever Decode accepts can be encoded again, with every member kept.
		enc, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a decoded event: %v", err)
		}
		checkPreserved(t, data, enc)

		if err := e.Validate(); err != nil {
			faultOf(t, err)
			return
		}
		again, err := event.Decode(enc)
		if err != nil {
			// Re-encoding may grow the body (a derived path, "\u2028" escapes),
			// so only a body near the limit may fail, and only on size.
			if len(enc) > event.MaxSize && strings.Contains(err.Error(), "larger") {
				return
			}
			t.Fatalf("Decode of MarshalJSON output %s: %v", enc, err)
		}
		if err := again.Validate(); err != nil {
			t.Fatalf("re-decoded event is invalid: %v\n%s", err, enc)
		}
		if !sameEvent(t, e, again) {
			t.Fatalf("round trip changed the event:\n got %+v\nwant %+v\n%s", normalize(t, again), normalize(t, e), enc)
		}
		if e.Subject() != again.Subject() {
			t.Fatalf("round trip changed the subject from %q to %q", e.Subject(), again.Subject())
		}
		typ, path, err := event.ParseSubject(e.Subject())
		if err != nil || typ != e.Event || path != e.Path() {
			t.Fatalf("ParseSubject(%q) = %q, %q, %v", e.Subject(), typ, path, err)
		}
	})
}

// FuzzSubjectRoundTrip checks that Subject and ParseSubject are inverses: any valid
// event type and path come back unchanged, and any string ParseSubject accepts is the
// subject of what it returns. ParseSubject must never panic.
func FuzzSubjectRoundTrip(f *testing.F) {
	seeds := []struct{ typ, path, subject string }{
		{"resource.ResourceCreated", "projects/p1/collections/c1", "herald.events.resource.ResourceCreated.projects.p1.collections.c1._"},
		{"a.b", "_", "herald.events.a.b._._"},
		{"a.b", "projects/_/x", "herald.events.a.b.projects._.x._"},
		{"system.Announcement", "system", "herald.events.system.Announcement.system._"},
		{"a-b.C_d", "x~y:z/_/-", "herald.events.a-b.C_d.x~y:z._.-._"},
		{"a.b", "a/", "herald.events.a.b.p/q._"},
		{"a.b.c", "/a", "herald.events.a.b.>"},
		{"", "", "herald.events.a.b.*._"},
		{"a.b", "a//b", "herald.events..._"},
		{"x.y", strings.Repeat("s/", 15) + "s", "herald.events." + strings.Repeat("a.", 19) + "_"},
	}
	for _, s := range seeds {
		f.Add(s.typ, s.path, s.subject)
	}
	f.Fuzz(func(t *testing.T, typ, path, subject string) {
		if event.ValidEventType(typ) == nil && event.ValidPath(path) == nil {
			s := event.Subject(typ, path)
			gotType, gotPath, err := event.ParseSubject(s)
			if err != nil || gotType != typ || gotPath != path {
				t.Fatalf("ParseSubject(Subject(%q, %q) = %q) = %q, %q, %v", typ, path, s, gotType, gotPath, err)
			}
		}
		gotType, gotPath, err := event.ParseSubject(subject)
		if err != nil {
			faultOf(t, err)
			return
		}
		if event.ValidEventType(gotType) != nil || event.ValidPath(gotPath) != nil {
			t.Fatalf("ParseSubject(%q) accepted invalid %q, %q", subject, gotType, gotPath)
		}
		if again := event.Subject(gotType, gotPath); again != subject {
			t.Fatalf("ParseSubject(%q) = %q, %q, whose subject is %q", subject, gotType, gotPath, again)
		}
	})
}
