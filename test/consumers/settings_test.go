package consumers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// suiteType is the event type the tests publish: not in the catalog, so no contract
// constrains its data, and it flows like any other.
const suiteType = "suite.ThingPublished"

// env is what the tests share: one stack, its API, the owner's and the publisher's
// tokens.
type env struct {
	ac               *stacktest.APIClient
	owner, publisher string
}

// message is a fetched message, as much as the tests read of it.
type message struct {
	Sequence  uint64 `json:"sequence"`
	Delivered uint64 `json:"delivered"`
	Subject   string `json:"subject"`
	Event     struct {
		UUID     string `json:"uuid"`
		Resource struct {
			Path string `json:"path"`
		} `json:"resource"`
		Data struct {
			Metadata struct {
				Title string `json:"title"`
			} `json:"metadata"`
		} `json:"data"`
	} `json:"event"`
}

func (m message) title() string { return m.Event.Data.Metadata.Title }

// publish stores an event about path titled title through the API, and returns its uuid.
func (e *env) publish(t *testing.T, path, title string) string {
	t.Helper()
	id := uuid.NewString()
	e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: e.publisher,
		Body: fmt.Sprintf(`{"event":%q,"uuid":%q,"resource":{"type":"thing","path":%q},"data":{"metadata":{"title":%q}}}`, suiteType, id, path, title)},
		http.StatusAccepted, nil)
	return id
}

// create makes a consumer of the owner's with the spec's members after its target, the
// subtree path.
func (e *env) create(t *testing.T, path, members string) string {
	t.Helper()
	body := `{"target":{"resources":[{"path":"` + path + `","include_subresources":true}]}`
	if members != "" {
		body += "," + members
	}
	var rec struct {
		ID string `json:"id"`
	}
	e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: e.owner, Body: body + "}"}, http.StatusCreated, &rec)
	return rec.ID
}

// batch fetches one batch of the consumer.
func (e *env) batch(t *testing.T, id string, size, waitMS int) []message {
	t.Helper()
	var out struct {
		Messages []message `json:"messages"`
	}
	e.ac.OK(t, stacktest.Call{Method: "GET", Path: fmt.Sprintf("/v1/consumers/%s/batch?batch_size=%d&wait_ms=%d", id, size, waitMS), Token: e.owner}, http.StatusOK, &out)
	return out.Messages
}

// waitCounts waits until the consumer has nothing pending and ackPending messages
// waiting for an acknowledgement: the hidden ones were acknowledged by Herald.
func (e *env) waitCounts(t *testing.T, id string, ackPending int, what string) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() bool {
		var v struct {
			NumPending    int `json:"num_pending"`
			NumAckPending int `json:"num_ack_pending"`
		}
		e.ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + id, Token: e.owner}, http.StatusOK, &v)
		return v.NumPending == 0 && v.NumAckPending == ackPending
	}, what)
}

// frame is one message frame of a stream and when it arrived.
type frame struct {
	msg message
	at  time.Time
}

// stream opens the consumer's stream and collects its message frames as they arrive.
type stream struct {
	mu     sync.Mutex
	frames []frame
}

// open starts the consumer's stream for the test's life.
func (e *env) open(t *testing.T, id string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.ac.API+"/v1/consumers/"+id+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.owner)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		t.Fatalf("stream of %s: %d", id, resp.StatusCode)
	}
	s := &stream{}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok || data == "{}" {
				continue
			}
			var m message
			if json.Unmarshal([]byte(data), &m) != nil {
				continue
			}
			s.mu.Lock()
			s.frames = append(s.frames, frame{m, time.Now()})
			s.mu.Unlock()
		}
	}()
	return s
}

// got returns the frames so far.
func (s *stream) got() []frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.frames)
}

// titles returns the titles of the messages.
func titles(ms []message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.title()
	}
	return out
}

// TestConsumerSettings starts one stack and runs each setting's scenario on a consumer
// of its own subtree.
func TestConsumerSettings(t *testing.T) {
	p := stacktest.Start(t)
	e := &env{ac: stacktest.NewAPIClient(t, p)}
	e.owner = stacktest.MintToken(t, auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Perms: map[string]auth.Level{stacktest.ScopePath: auth.Read}})
	e.publisher = stacktest.MintToken(t, auth.Claims{Subject: stacktest.PublisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
	js := stacktest.ConnectJetStream(t, p.Banner["NATS"])

	t.Run("a shorter ack wait applies to what is delivered", func(t *testing.T) {
		path := stacktest.ScopePath + "/ackwait"
		id := e.create(t, path, `"ack_wait_ms":30000`)
		e.publish(t, path+"/a1", "a1")
		var first []message
		testenv.WaitFor(t, 30*time.Second, func() bool { first = e.batch(t, id, 1, 1000); return len(first) == 1 }, "the first delivery")
		e.ac.OK(t, stacktest.Call{Method: "PUT", Path: "/v1/consumers/" + id, Token: e.owner, Body: `{"ack_wait_ms":2000}`}, http.StatusOK, nil)
		// Within well under the 30 s it was delivered with: the 2 s now in force.
		var again []message
		testenv.WaitFor(t, 20*time.Second, func() bool { again = e.batch(t, id, 1, 1000); return len(again) == 1 }, "the redelivery after the new ack wait")
		if again[0].Sequence != first[0].Sequence || again[0].Delivered != 2 {
			t.Errorf("redelivered %+v, want sequence %d delivered 2", again[0], first[0].Sequence)
		}
	})

	t.Run("a back-off redelivers after each of its steps", func(t *testing.T) {
		path := stacktest.ScopePath + "/backoff"
		id := e.create(t, path, `"back_off":["1s","3s"],"max_deliver":4`)
		e.publish(t, path+"/b1", "b1")
		// The time each delivery arrives; a message is never acknowledged, so it comes back.
		var at []time.Time
		var counts []uint64
		testenv.WaitFor(t, 60*time.Second, func() bool {
			for _, m := range e.batch(t, id, 1, 5000) {
				at = append(at, time.Now())
				counts = append(counts, m.Delivered)
			}
			return len(at) >= 3
		}, "three deliveries")
		if !slices.Equal(counts[:3], []uint64{1, 2, 3}) {
			t.Fatalf("delivery counts %v, want 1, 2, 3 in order", counts)
		}
		first, second := at[1].Sub(at[0]), at[2].Sub(at[1])
		if second <= first {
			t.Errorf("the gap before the third delivery (%v) is not longer than the one before the second (%v): the back-off's steps are 1s then 3s", second, first)
		}
	})

	t.Run("a paused consumer delivers nothing until resumed", func(t *testing.T) {
		path := stacktest.ScopePath + "/paused"
		batched := e.create(t, path, `"deliver_policy":"new"`)
		streamed := e.create(t, path, `"deliver_policy":"new"`)
		for _, id := range []string{batched, streamed} {
			var v struct {
				Paused      bool       `json:"paused"`
				PausedUntil *time.Time `json:"paused_until"`
			}
			e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + id + "/pause", Token: e.owner}, http.StatusOK, &v)
			if !v.Paused || v.PausedUntil == nil {
				t.Fatalf("pause of %s: %+v", id, v)
			}
		}
		s := e.open(t, streamed)
		e.publish(t, path+"/p1", "p1")
		// The batch waits its full time for the event, and gets nothing; the stream
		// had that time too.
		if got := e.batch(t, batched, 10, 3000); len(got) != 0 {
			t.Fatalf("a paused consumer's batch delivered %v", titles(got))
		}
		var v struct {
			Paused     bool `json:"paused"`
			NumPending int  `json:"num_pending"`
		}
		e.ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + batched, Token: e.owner}, http.StatusOK, &v)
		if !v.Paused || v.NumPending != 1 {
			t.Errorf("GET of the paused consumer: %+v, want paused with the event pending", v)
		}
		if got := s.got(); len(got) != 0 {
			t.Fatalf("a paused consumer's stream delivered %q", got[0].msg.title())
		}
		for _, id := range []string{batched, streamed} {
			e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + id + "/resume", Token: e.owner}, http.StatusOK, nil)
		}
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(e.batch(t, batched, 10, 1000)) == 1 }, "the resumed consumer's batch")
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(s.got()) == 1 }, "the resumed consumer's stream")
		if f := s.got()[0]; f.msg.title() != "p1" {
			t.Errorf("the stream's message is %q, want p1", f.msg.title())
		}
	})

	t.Run("last_per_subject starts at the last event of each subject", func(t *testing.T) {
		path := stacktest.ScopePath + "/lastper"
		e.publish(t, path+"/x", "x first")
		e.publish(t, path+"/x", "x second")
		e.publish(t, path+"/y", "y only")
		e.publish(t, path+"/x", "x last")
		id := e.create(t, path, `"deliver_policy":"last_per_subject"`)
		var got []message
		testenv.WaitFor(t, 30*time.Second, func() bool {
			got = append(got, e.batch(t, id, 10, 1000)...)
			return len(got) >= 2
		}, "the last event of each subject")
		if more := e.batch(t, id, 10, 1000); len(more) > 0 {
			got = append(got, more...)
		}
		if want := []string{"y only", "x last"}; !slices.Equal(titles(got), want) {
			t.Errorf("got %q, want %q: one per subject, the last", titles(got), want)
		}
	})

	t.Run("a filter shows only matching events, in batches and the stream", func(t *testing.T) {
		path := stacktest.ScopePath + "/filtered"
		filter := `"filter":{"data.metadata.title":{"prefix":"Final"}}`
		batched := e.create(t, path, filter)
		streamed := e.create(t, path, filter)
		s := e.open(t, streamed)
		var want []string
		for i := range 6 {
			title := fmt.Sprintf("Draft %d", i)
			if i%2 == 1 {
				title = fmt.Sprintf("Final %d", i)
				want = append(want, title)
			}
			e.publish(t, fmt.Sprintf("%s/f%d", path, i), title)
		}
		var got []message
		testenv.WaitFor(t, 30*time.Second, func() bool {
			b := e.batch(t, batched, 2, 1000)
			if len(b) > 2 {
				t.Fatalf("batch_size 2 answered %d messages", len(b))
			}
			got = append(got, b...)
			return len(got) >= len(want)
		}, "the matching events in batches")
		if !slices.Equal(titles(got), want) {
			t.Errorf("batches got %q, want %q", titles(got), want)
		}
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(s.got()) >= len(want) }, "the matching events on the stream")
		var streamedTitles []string
		for _, f := range s.got() {
			streamedTitles = append(streamedTitles, f.msg.title())
		}
		if !slices.Equal(streamedTitles, want) {
			t.Errorf("the stream got %q, want %q", streamedTitles, want)
		}
		e.waitCounts(t, batched, len(want), "after the batches, nothing pending and only the shown events waiting for an acknowledgement")
	})

	t.Run("an invalid message on the consumer's subject is never shown", func(t *testing.T) {
		path := stacktest.ScopePath + "/invalid"
		batched := e.create(t, path, `"deliver_policy":"new"`)
		streamed := e.create(t, path, `"deliver_policy":"new"`)
		s := e.open(t, streamed)
		// Straight to NATS, on the subject of a valid event about path/v1: no uuid.
		subject := event.Subject(suiteType, path+"/v1")
		if _, err := js.Publish(t.Context(), subject, []byte(`{"event":"`+suiteType+`","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"thing","path":"`+path+`/v1"},"data":{"metadata":{"title":"invalid"}}}`)); err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(t.Context(), subject, []byte("not an event")); err != nil {
			t.Fatal(err)
		}
		valid := e.publish(t, path+"/v1", "valid")
		var got []message
		testenv.WaitFor(t, 30*time.Second, func() bool {
			got = append(got, e.batch(t, batched, 10, 1000)...)
			return len(got) >= 1
		}, "the valid event in a batch")
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(s.got()) >= 1 }, "the valid event on the stream")
		var streamedMsgs []message
		for _, f := range s.got() {
			streamedMsgs = append(streamedMsgs, f.msg)
		}
		for name, ms := range map[string][]message{"batches": got, "the stream": streamedMsgs} {
			if len(ms) != 1 || ms[0].Event.UUID != valid {
				t.Errorf("%s got %q, want only the valid event", name, titles(ms))
			}
		}
		e.waitCounts(t, batched, 1, "the invalid messages acknowledged and the valid one waiting")
	})
}
