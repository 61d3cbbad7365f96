package consumer

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/event"
)

// stored returns the subject and body of a valid event of eventType about path.
func stored(eventType, path, title string) (string, []byte) {
	body := fmt.Sprintf(`{"event":%q,"uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z",`+
		`"resource":{"type":"item","path":%q},"data":{"metadata":{"title":%q}}}`, eventType, path, title)
	return event.Subject(eventType, path), []byte(body)
}

func TestScreenJudge(t *testing.T) {
	validSubject, valid := stored("job.JobFinished", "projects/p1", "Final cut")
	tests := []struct {
		name     string
		spec     string
		subject  string
		data     []byte
		want     Verdict
		wantUUID string
	}{
		{"a valid event", `{"max_deliver":-1}`, validSubject, valid, Show, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"not JSON", `{"max_deliver":-1}`, validSubject, []byte("hello"), Invalid, ""},
		{"no uuid", `{"max_deliver":-1}`, event.Subject("job.JobFinished", "projects/p1"),
			[]byte(`{"event":"job.JobFinished","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"item","path":"projects/p1"}}`), Invalid, ""},
		{"another subject than its own", `{"max_deliver":-1}`, event.Subject("job.JobFinished", "projects/p2"), valid, Invalid, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"filter matches", `{"filter":{"data.metadata.title":{"prefix":"Final"}}}`, validSubject, valid, Show, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"filter does not match", `{"filter":{"data.metadata.title":{"prefix":"Draft"}}}`, validSubject, valid, Filtered, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"invalid before filtered", `{"filter":{"data.metadata.title":{"prefix":"Draft"}}}`, validSubject, []byte("{}"), Invalid, ""},
		{"partial type matches", `{"event_types":["job.Job*"]}`, validSubject, valid, Show, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"partial type does not match", `{"event_types":["job.*Failed","item.*"]}`, validSubject, valid, Filtered, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"an exact type beside a partial one", `{"event_types":["job.*Failed","job.JobFinished"]}`, validSubject, valid, Show, "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decodeSpec(t, `{"target":{"resources":[{"path":"projects","include_subresources":true}]},`+tt.spec[1:])
			if err := s.Normalize(); err != nil {
				t.Fatal(err)
			}
			sc, err := NewScreen("c1", s, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, uuid := sc.Judge(t.Context(), tt.subject, tt.data)
			if got != tt.want || uuid != tt.wantUUID {
				t.Errorf("Judge() = %v, %q; want %v, %q", got, uuid, tt.want, tt.wantUUID)
			}
		})
	}
}

// TestScreenReadsAgainBeforeHiding checks that a Screen whose rules are older than
// ScreenFresh reads them again before it hides a message, and only then.
func TestScreenReadsAgainBeforeHiding(t *testing.T) {
	subject, data := stored("job.JobFinished", "projects/p1", "Final cut")
	spec := func(prefix string) *Spec {
		s := decodeSpec(t, `{"target":{"all":true},"filter":{"data.metadata.title":{"prefix":"`+prefix+`"}}}`)
		if err := s.Normalize(); err != nil {
			t.Fatal(err)
		}
		return s
	}
	now := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	current := spec("Draft")
	reads := 0
	var readErr error
	sc, err := NewScreen("c1", current, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc.now = func() time.Time { return now }
	sc.loaded = now
	sc.reload = func(context.Context) (*Spec, error) {
		reads++
		return current, readErr
	}

	// Fresh rules hide without reading.
	if v, _ := sc.Judge(t.Context(), subject, data); v != Filtered || reads != 0 {
		t.Fatalf("fresh: %v after %d reads, want filtered after none", v, reads)
	}
	// The filter changes elsewhere; the Screen's rules age.
	current = spec("Final")
	now = now.Add(ScreenFresh)
	if v, _ := sc.Judge(t.Context(), subject, data); v != Show || reads != 1 {
		t.Fatalf("stale: %v after %d reads, want shown after one", v, reads)
	}
	// Shown messages never read.
	now = now.Add(time.Hour)
	if v, _ := sc.Judge(t.Context(), subject, data); v != Show || reads != 1 {
		t.Fatalf("matching: %v after %d reads, want shown without another", v, reads)
	}
	// A failed read keeps the rules in force.
	current, readErr = spec("Draft"), errors.New("table down")
	if v, _ := sc.Judge(t.Context(), subject, data); v != Show || reads != 1 {
		t.Fatalf("a matching message read again: %v after %d reads", v, reads)
	}
	other, otherData := stored("job.JobFinished", "projects/p1", "Trailer")
	if v, _ := sc.Judge(t.Context(), other, otherData); v != Filtered || reads != 2 {
		t.Fatalf("failed read: %v after %d reads, want filtered by the rules in force after two", v, reads)
	}
}
