package consumers

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// suiteType is the event type the tests publish: not in the catalog, so no contract
// constrains its data, and it flows like any other.
const suiteType = "suite.ThingPublished"

// env is what the tests share: one stack, its API, the owner's and the publisher's
// tokens, and a connection to its NATS.
type env struct {
	ac               *stacktest.APIClient
	owner, publisher string
	js               jetstream.JetStream
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

// publishDirect stores a valid event of eventType about path titled title straight on
// the bus, as the bridge stores events: at once, so that a test knows when it is there.
func (e *env) publishDirect(t *testing.T, eventType, path, title string) {
	t.Helper()
	body := fmt.Sprintf(`{"event":%q,"uuid":%q,"timestamp":"2026-11-22T18:00:00Z","resource":{"type":"thing","path":%q},"data":{"metadata":{"title":%q}}}`,
		eventType, uuid.NewString(), path, title)
	if _, err := e.js.Publish(t.Context(), event.Subject(eventType, path), []byte(body)); err != nil {
		t.Fatal(err)
	}
}

// info returns the JetStream consumer id's info, read from NATS.
func (e *env) info(t *testing.T, id string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := e.js.Consumer(t.Context(), event.StreamName, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.CachedInfo()
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

// batchAnswer is the answer to a batch sent in the background.
type batchAnswer struct {
	msgs []message
	err  error
}

// batchAsync sends a batch request in the background and answers on the channel.
func (e *env) batchAsync(id string, size, waitMS int) <-chan batchAnswer {
	out := make(chan batchAnswer, 1)
	go func() {
		var a batchAnswer
		defer func() { out <- a }()
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/consumers/%s/batch?batch_size=%d&wait_ms=%d", e.ac.API, id, size, waitMS), nil)
		if err != nil {
			a.err = err
			return
		}
		req.Header.Set("Authorization", "Bearer "+e.owner)
		resp, err := e.ac.HTTP.Do(req)
		if err != nil {
			a.err = err
			return
		}
		defer resp.Body.Close()
		var body struct {
			Messages []message `json:"messages"`
		}
		if resp.StatusCode != http.StatusOK {
			a.err = fmt.Errorf("batch of %s: %d", id, resp.StatusCode)
			return
		}
		a.err = json.NewDecoder(resp.Body).Decode(&body)
		a.msgs = body.Messages
	}()
	return out
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
	e.js = js

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
		steps := []time.Duration{time.Second, 3 * time.Second}
		id := e.create(t, path, `"back_off":["1s","3s"],"max_deliver":4`)
		e.publish(t, path+"/b1", "b1")
		// Each delivery, by its count, happened at the server between the sending of the
		// batch that brought it and its answer. The message is never acknowledged, so it
		// comes back after each step of the back-off.
		type window struct{ sent, answered time.Time }
		deliveries := map[uint64]window{}
		testenv.WaitFor(t, 60*time.Second, func() bool {
			sent := time.Now()
			for _, m := range e.batch(t, id, 1, 5000) {
				deliveries[m.Delivered] = window{sent, time.Now()}
			}
			return len(deliveries) >= 3
		}, "three deliveries")
		for n := uint64(1); n <= 3; n++ {
			if _, ok := deliveries[n]; !ok {
				t.Fatalf("deliveries %v: want the first three, each answered", slices.Sorted(maps.Keys(deliveries)))
			}
		}
		// Delivery n+1 cannot come before step n after delivery n: from the sending of
		// the batch that got delivery n to the answer of the one that got delivery n+1,
		// at least the step passed, however slow the machine. A step ignored (the 1 s ack
		// wait repeating, say) would bring the third delivery a second after the second.
		for n, step := range steps {
			d := uint64(n + 1)
			if gap := deliveries[d+1].answered.Sub(deliveries[d].sent); gap < step {
				t.Errorf("delivery %d came %v after delivery %d at most, before the back-off's step of %v", d+1, gap, d, step)
			}
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
				IdleExpiry  string     `json:"idle_expiry"`
				ExpiresAt   time.Time  `json:"expires_at"`
			}
			e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + id + "/pause", Token: e.owner}, http.StatusOK, &v)
			if !v.Paused || v.PausedUntil == nil {
				t.Fatalf("pause of %s: %+v", id, v)
			}
			// Paused until a resume, it does not expire: its idle clock starts then.
			idle, err := time.ParseDuration(v.IdleExpiry)
			if err != nil {
				t.Fatal(err)
			}
			if want := v.PausedUntil.Add(idle).Truncate(time.Second); !v.ExpiresAt.Equal(want) {
				t.Errorf("paused until %v, %s expires at %v; want %v, the end of the pause plus the idle expiry", v.PausedUntil, id, v.ExpiresAt, want)
			}
		}
		s := e.open(t, streamed)
		e.publish(t, path+"/p1", "p1")
		// The event reaches the stream and waits there: pending for both consumers, and
		// the stream's pull waits beside it at the server, delivered nothing.
		testenv.WaitFor(t, 30*time.Second, func() bool {
			return e.info(t, batched).NumPending == 1 && e.info(t, streamed).NumPending == 1
		}, "the event pending for both consumers")
		testenv.WaitFor(t, 30*time.Second, func() bool {
			i := e.info(t, streamed)
			return i.NumWaiting > 0 && i.NumPending == 1
		}, "the stream's pull waiting while the event is pending")
		// A batch that waits, with the event there to take, gets nothing.
		if got := e.batch(t, batched, 10, 1000); len(got) != 0 {
			t.Fatalf("a paused consumer's batch delivered %v", titles(got))
		}
		for name, id := range map[string]string{"batched": batched, "streamed": streamed} {
			i := e.info(t, id)
			if !i.Paused || i.Delivered.Consumer != 0 || i.NumAckPending != 0 || i.NumPending != 1 {
				t.Errorf("the paused %s consumer: paused %v, delivered %d, ack pending %d, pending %d; want paused with the event pending, nothing delivered",
					name, i.Paused, i.Delivered.Consumer, i.NumAckPending, i.NumPending)
			}
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
			var r struct {
				Paused    bool      `json:"paused"`
				ExpiresAt time.Time `json:"expires_at"`
			}
			e.ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + id + "/resume", Token: e.owner}, http.StatusOK, &r)
			// The idle clock starts at the resume.
			if r.Paused || r.ExpiresAt.After(time.Now().Add(consumer.DefaultIdleExpiry)) {
				t.Errorf("resumed %s: %+v, want not paused and expiring within the idle expiry from now", id, r)
			}
		}
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(e.batch(t, batched, 10, 1000)) == 1 }, "the resumed consumer's batch")
		testenv.WaitFor(t, 30*time.Second, func() bool { return len(s.got()) == 1 }, "the resumed consumer's stream")
		if f := s.got()[0]; f.msg.title() != "p1" {
			t.Errorf("the stream's message is %q, want p1", f.msg.title())
		}
	})

	t.Run("a change holds for the next batch on the warm instance", func(t *testing.T) {
		const other = "suite.OtherHappened"
		tests := []struct {
			name, members, change string
			first                 [2]string   // the event type and title of the event before the change
			after                 [][2]string // those of the events after it, all selected by the new rules alone
		}{
			{"event types widened", `"event_types":["suite.Thing*"]`, `{"event_types":["suite.*"]}`,
				[2]string{suiteType, "first"}, [][2]string{{other, "other 1"}, {other, "other 2"}, {suiteType, "thing 3"}, {other, "other 4"}}},
			{"filter changed", `"filter":{"data.metadata.title":{"prefix":"Final"}}`, `{"filter":{"data.metadata.title":{"prefix":"Draft"}}}`,
				[2]string{suiteType, "Final 0"}, [][2]string{{suiteType, "Draft 1"}, {suiteType, "Draft 2"}, {suiteType, "Draft 3"}}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := fmt.Sprintf("%s/warm%d", stacktest.ScopePath, i)
				id := e.create(t, path, tt.members)
				e.publishDirect(t, tt.first[0], path+"/a", tt.first[1])
				// The previous batch: an instance caches the consumer and its rules.
				if got := e.batch(t, id, 1, 5000); len(got) != 1 || got[0].title() != tt.first[1] {
					t.Fatalf("the batch before the change got %q, want %q", titles(got), tt.first[1])
				}
				// The next one goes to the same warm instance (herald-local, like Lambda,
				// hands a call to the instance freed last), and waits there for events.
				// The change goes to another instance meanwhile: this one is busy.
				half := len(tt.after) / 2
				next := e.batchAsync(id, half, 20000)
				testenv.WaitFor(t, 30*time.Second, func() bool { return e.info(t, id).NumWaiting > 0 }, "the next batch's pull waiting")
				e.ac.OK(t, stacktest.Call{Method: "PUT", Path: "/v1/consumers/" + id, Token: e.owner, Body: tt.change}, http.StatusOK, nil)
				var want []string
				for j, ev := range tt.after[:half] {
					e.publishDirect(t, ev[0], fmt.Sprintf("%s/n%d", path, j), ev[1])
					want = append(want, ev[1])
				}
				a := <-next
				if a.err != nil {
					t.Fatal(a.err)
				}
				if !slices.Equal(titles(a.msgs), want) {
					t.Errorf("the batch waiting on the warm instance got %q, want %q: every event the new rules select", titles(a.msgs), want)
				}
				// A batch sent after the change, on the warm instance again.
				want = nil
				for j, ev := range tt.after[half:] {
					e.publishDirect(t, ev[0], fmt.Sprintf("%s/m%d", path, j), ev[1])
					want = append(want, ev[1])
				}
				if got := e.batch(t, id, len(want), 5000); !slices.Equal(titles(got), want) {
					t.Errorf("the batch right after the change got %q, want %q: every event the new rules select", titles(got), want)
				}
			})
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
