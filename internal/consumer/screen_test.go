package consumer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

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
			got, uuid := sc.Judge(tt.subject, tt.data)
			if got != tt.want || uuid != tt.wantUUID {
				t.Errorf("Judge() = %v, %q; want %v, %q", got, uuid, tt.want, tt.wantUUID)
			}
		})
	}
}

// sifting is a consumer on a server of its own whose messages a test sifts through a
// Screen that reads its rules from spec (or fails with readErr) each time it reads.
type sifting struct {
	js      jetstream.JetStream
	cons    jetstream.Consumer
	sc      *Screen
	spec    *Spec
	readErr error
	reads   int
}

// newSifting makes the consumer of all events and a Screen whose rules in force are
// those of body, which reads them again from s.spec.
func newSifting(t *testing.T, body string) *sifting {
	t.Helper()
	js, _ := newStream(t)
	s := &sifting{js: js, spec: normalized(t, body)}
	s.cons = createConsumer(t, js, "sift", `{"target":{"all":true},"ack_wait_ms":60000}`)
	sc, err := NewScreen("sift", s.spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc.held = 100 * time.Millisecond
	sc.reload = func(context.Context) (*Spec, string, error) {
		s.reads++
		if s.readErr != nil {
			return nil, "", s.readErr
		}
		return s.spec, "", nil
	}
	s.sc = sc
	return s
}

// normalized decodes and normalizes the spec body.
func normalized(t *testing.T, body string) *Spec {
	t.Helper()
	s := decodeSpec(t, body)
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	return s
}

// publishTitled stores a valid event of eventType about projects/p1 titled title.
func (s *sifting) publishTitled(t *testing.T, eventType, title string) {
	t.Helper()
	subject, data := stored(eventType, "projects/p1", title)
	if _, err := s.js.Publish(t.Context(), subject, data); err != nil {
		t.Fatal(err)
	}
}

// pull fetches n messages, as one pull of a batch does.
func (s *sifting) pull(t *testing.T, n int) []jetstream.Msg {
	t.Helper()
	b, err := s.cons.Fetch(n, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for m := range b.Messages() {
		out = append(out, m)
	}
	if len(out) != n {
		t.Fatalf("pulled %d messages, want %d (%v)", len(out), n, b.Error())
	}
	return out
}

// ackPending returns how many delivered messages wait for an acknowledgement, once the
// Screen's acknowledgements and naks have reached the server.
func (s *sifting) ackPending(t *testing.T) int {
	t.Helper()
	if err := s.js.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	info, err := s.cons.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info.NumAckPending
}

// titlesOf returns the titles of the messages' events.
func titlesOf(t *testing.T, msgs []jetstream.Msg) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		var e struct {
			Data struct {
				Metadata struct {
					Title string `json:"title"`
				} `json:"metadata"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Data(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Data.Metadata.Title)
	}
	return out
}

const (
	draftsOnly = `{"target":{"all":true},"filter":{"data.metadata.title":{"prefix":"Draft"}}}`
	finalsOnly = `{"target":{"all":true},"filter":{"data.metadata.title":{"prefix":"Final"}}}`
)

// TestSiftJudgesByRulesReadAfterThePull checks that a Screen whose rules changed
// elsewhere a moment ago never hides by the rules it holds: it reads them once for a
// pull that would hide something, judges the whole pull by them, and hides only what
// they leave out.
func TestSiftJudgesByRulesReadAfterThePull(t *testing.T) {
	s := newSifting(t, draftsOnly)
	for _, title := range []string{"Final 1", "Draft 2", "Final 3", "Trailer 4"} {
		s.publishTitled(t, "job.JobFinished", title)
	}
	// The rules change (through another instance) right after the Screen was made.
	s.spec = normalized(t, finalsOnly)

	got := s.sc.Sift(t.Context(), s.pull(t, 4))
	if titles := titlesOf(t, got.Shown); !slices.Equal(titles, []string{"Final 1", "Final 3"}) || got.Hidden != 2 || got.Held != 0 {
		t.Errorf("Sift shows %q, hides %d, holds %d; want the finals by the new rules, two hidden, none held", titles, got.Hidden, got.Held)
	}
	if s.reads != 1 {
		t.Errorf("the rules were read %d times for one pull, want once", s.reads)
	}
	if n := s.ackPending(t); n != 2 {
		t.Errorf("%d messages wait for an acknowledgement, want the 2 shown: the others acknowledged", n)
	}
	// The rules read are in force now.
	if v, _ := s.sc.Judge(stored("job.JobFinished", "projects/p1", "Final 5")); v != Show {
		t.Errorf("Judge by the rules read = %v, want show", v)
	}

	// A pull of shown messages only reads nothing.
	s.publishTitled(t, "job.JobFinished", "Final 6")
	if got := s.sc.Sift(t.Context(), s.pull(t, 1)); len(got.Shown) != 1 || s.reads != 1 {
		t.Errorf("Sift of a matching message: %d shown after %d reads, want 1 after 1", len(got.Shown), s.reads)
	}
}

// TestSiftHoldsWhenTheRulesCannotBeRead checks that when the rules cannot be read again,
// nothing is acknowledged by the rules in force: what they leave out is given back and
// delivered again after the delay, while invalid messages are still hidden and the
// matching ones shown.
func TestSiftHoldsWhenTheRulesCannotBeRead(t *testing.T) {
	s := newSifting(t, finalsOnly)
	s.publishTitled(t, "job.JobFinished", "Final 1")
	s.publishTitled(t, "job.JobFinished", "Draft 2")
	if _, err := s.js.Publish(t.Context(), event.Subject("job.JobFinished", "projects/p1"), []byte("not an event")); err != nil {
		t.Fatal(err)
	}
	s.readErr = errors.New("table unavailable")

	got := s.sc.Sift(t.Context(), s.pull(t, 3))
	if titles := titlesOf(t, got.Shown); !slices.Equal(titles, []string{"Final 1"}) || got.Hidden != 1 || got.Held != 1 {
		t.Fatalf("Sift shows %q, hides %d, holds %d; want Final 1 shown, the invalid one hidden, the draft held", titles, got.Hidden, got.Held)
	}
	if n := s.ackPending(t); n != 2 {
		t.Errorf("%d messages wait for an acknowledgement, want 2: the shown one and the held one, never acknowledged", n)
	}
	if inv, filt := s.sc.tally.Invalid.Load(), s.sc.tally.Filtered.Load(); inv != 1 || filt != 0 {
		t.Errorf("counted %d invalid and %d filtered, want 1 and 0", inv, filt)
	}

	// The held message comes back after the delay, well before its ack wait of a
	// minute, and once the rules can be read it is judged by them.
	s.readErr = nil
	s.spec = normalized(t, draftsOnly)
	again := s.pull(t, 1)
	if md, err := again[0].Metadata(); err != nil || md.NumDelivered != 2 || titlesOf(t, again)[0] != "Draft 2" {
		t.Fatalf("redelivered %q (%+v, %v), want Draft 2 delivered a second time", titlesOf(t, again), md, err)
	}
	if got := s.sc.Sift(t.Context(), again); len(got.Shown) != 1 {
		t.Errorf("the held draft, by rules that show drafts: %+v", got)
	}

	// A Screen that read the rules fine and finds them unchanged hides by them.
	s.publishTitled(t, "job.JobFinished", "Final 3")
	if got := s.sc.Sift(t.Context(), s.pull(t, 1)); got.Hidden != 1 || got.Held != 0 {
		t.Errorf("Sift by confirmed rules: %+v, want the final hidden", got)
	}
}
