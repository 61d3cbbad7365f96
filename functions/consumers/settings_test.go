package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
)

// publishTitled stores an event about path whose data.metadata.title is title and
// returns its sequence.
func publishTitled(t *testing.T, js jetstream.JetStream, eventType, path, title string) uint64 {
	t.Helper()
	body := fmt.Sprintf(`{"uuid":%q,"event":%q,"timestamp":"2026-11-22T18:00:00Z","resource":{"type":"item","path":%q},"data":{"metadata":{"title":%q}}}`,
		uuid.NewString(), eventType, path, title)
	ack, err := js.Publish(t.Context(), event.Subject(eventType, path), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// publishRaw stores data on subject as a publisher writing straight to NATS would.
func publishRaw(t *testing.T, js jetstream.JetStream, subject, data string) uint64 {
	t.Helper()
	ack, err := js.Publish(t.Context(), subject, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// drained fails t unless the consumer has nothing pending or waiting for an
// acknowledgement: hidden messages were acknowledged.
func drained(t *testing.T, h *Handler, claims *auth.Claims, id string) {
	t.Helper()
	testenv.WaitFor(t, 10*time.Second, func() bool {
		pending, ackPending := counts(t, h, claims, id)
		return pending == 0 && ackPending == 0
	}, "the hidden messages to be acknowledged")
}

// TestInvalidMessagesHidden checks that what the bridge dead-letters (no uuid, a body
// that is not an event, an event on another subject than its own) never reaches a
// batch: it is acknowledged and counted, and the valid events around it come through.
func TestInvalidMessagesHidden(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	subject := event.Subject("resource.ResourceCreated", "projects/p1")
	var want []uint64
	want = append(want, publish(t, js, "resource.ResourceCreated", "projects/p1"))
	publishRaw(t, js, subject, `{"event":"resource.ResourceCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"x","path":"projects/p1"}}`)
	publishRaw(t, js, subject, "not an event")
	// A valid event of another resource, on this one's subject.
	publishRaw(t, js, subject, fmt.Sprintf(`{"uuid":%q,"event":"resource.ResourceCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"x","path":"projects/p1/c"}}`, uuid.NewString()))
	want = append(want, publish(t, js, "resource.ResourceCreated", "projects/p1/collections/c1"))
	id := create(t, h, u, p1Spec)

	msgs := fetch(t, h, u, id, map[string]string{"batch_size": "2"})
	if got := sequences(msgs); !slices.Equal(got, want) {
		t.Fatalf("fetched sequences %v, want the two valid events %v", got, want)
	}
	if n := h.Hidden.Invalid.Load(); n != 3 {
		t.Errorf("counted %d invalid messages, want 3", n)
	}
	if resp := acknowledge(t, h, replies(msgs), "ack", 0); resp.StatusCode != http.StatusOK {
		t.Fatalf("acknowledge: %d %s", resp.StatusCode, resp.Body)
	}
	drained(t, h, u, id)
}

// TestFilteredBatches checks that a consumer with a filter gets only the events that
// match it, a full batch_size of them when the stream has them however many are
// hidden in between, and never more; and that num_pending counts before filtering.
func TestFilteredBatches(t *testing.T) {
	u := reader(owner("u"))
	for _, q := range []map[string]string{{"batch_size": "2"}, {"batch_size": "2", "wait_ms": "200"}} {
		t.Run(fmt.Sprint(q), func(t *testing.T) {
			h, js := newHandler(t)
			var want []uint64
			for i := range 9 {
				title := "Draft"
				if i%3 == 2 {
					title = "Final cut"
				}
				seq := publishTitled(t, js, "item.ItemCreated", "projects/p1/items/i"+fmt.Sprint(i), title)
				if title != "Draft" {
					want = append(want, seq)
				}
			}
			id := create(t, h, u, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"filter":{"data.metadata.title":{"prefix":"Final"}}}`)
			if pending, _ := counts(t, h, u, id); pending != 9 {
				t.Errorf("num_pending %d, want 9: it counts before the filter", pending)
			}
			first := fetch(t, h, u, id, q)
			if got := sequences(first); !slices.Equal(got, want[:2]) {
				t.Fatalf("first batch %v, want the first two matching %v", got, want[:2])
			}
			second := fetch(t, h, u, id, q)
			if got := sequences(second); !slices.Equal(got, want[2:]) {
				t.Fatalf("second batch %v, want the last matching %v", got, want[2:])
			}
			if n := h.Hidden.Filtered.Load(); n != 6 {
				t.Errorf("counted %d filtered messages, want 6", n)
			}
			if resp := acknowledge(t, h, append(replies(first), replies(second)...), "ack", 0); resp.StatusCode != http.StatusOK {
				t.Fatalf("acknowledge: %d %s", resp.StatusCode, resp.Body)
			}
			drained(t, h, u, id)
		})
	}
}

// TestPartialEventTypes checks that a "*" inside an event type name selects the names
// it matches and no other of the domain.
func TestPartialEventTypes(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	created := publish(t, js, "resource.ResourceCreated", "projects/p1")
	publish(t, js, "resource.ResourceUpdated", "projects/p1")
	publish(t, js, "job.JobCreated", "projects/p1")
	id := create(t, h, u, `{"target":{"resources":[{"path":"projects/p1"}]},"event_types":["resource.*Created"]}`)
	if got := sequences(fetch(t, h, u, id, map[string]string{"batch_size": "10"})); !slices.Equal(got, []uint64{created}) {
		t.Errorf("fetched %v, want only the ResourceCreated event %d", got, created)
	}
}

// TestUpdate checks PUT /v1/consumers/{id}: the owner changes settings in place (the
// position kept), the answer shows them, a change of event types and filter applies
// to the next fetch, and nobody else may change it.
func TestUpdate(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	id := create(t, h, u, p1Spec)
	publishTitled(t, js, "item.ItemCreated", "projects/p1/i1", "Draft")
	final := publishTitled(t, js, "job.JobFinished", "projects/p1/j1", "Final cut")
	publishTitled(t, js, "job.JobFinished", "projects/p1/j2", "Draft")

	var got struct {
		AckWaitMS     int64           `json:"ack_wait_ms"`
		BackOff       []string        `json:"back_off"`
		MaxAckPending int             `json:"max_ack_pending"`
		EventTypes    []string        `json:"event_types"`
		Filter        json.RawMessage `json:"filter"`
		DeliverPolicy string          `json:"deliver_policy"`
		NumPending    int             `json:"num_pending"`
	}
	body := `{"ack_wait_ms":2000,"back_off":["2s","4s"],"max_ack_pending":5,"event_types":["job.Job*"],"filter":{"data.metadata.title":{"prefix":"Final"}}}`
	resp := do(t, h, request("PUT", "/v1/consumers/{id}", id, body, u, nil), &got)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("put: %d %s", resp.StatusCode, resp.Body)
	}
	if got.AckWaitMS != 2000 || !slices.Equal(got.BackOff, []string{"2s", "4s"}) || got.MaxAckPending != 5 ||
		!slices.Equal(got.EventTypes, []string{"job.Job*"}) || string(got.Filter) != `{"data.metadata.title":{"prefix":"Final"}}` ||
		got.DeliverPolicy != "all" || got.NumPending != 2 {
		t.Errorf("the answer shows %+v", got)
	}
	c, err := js.Consumer(t.Context(), event.StreamName, id)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := c.CachedInfo().Config; cfg.MaxAckPending != 5 || !slices.Equal(cfg.BackOff, []time.Duration{2 * time.Second, 4 * time.Second}) {
		t.Errorf("JetStream holds %+v", cfg)
	}
	if got := sequences(fetch(t, h, u, id, map[string]string{"batch_size": "10"})); !slices.Equal(got, []uint64{final}) {
		t.Errorf("fetched %v after the change, want only %d", got, final)
	}

	// Only the owner, still allowed to read the scope.
	wantProblem(t, do(t, h, request("PUT", "/v1/consumers/{id}", id, `{"max_ack_pending":1}`, reader(owner("mallory")), nil), nil), http.StatusNotFound, "")
	noRead := &auth.Claims{Subject: u.Subject, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p2": auth.Read}}
	wantProblem(t, do(t, h, request("PUT", "/v1/consumers/{id}", id, `{"max_ack_pending":1}`, noRead, nil), nil), http.StatusForbidden, "")
	var after struct {
		MaxAckPending int `json:"max_ack_pending"`
	}
	do(t, h, request("GET", "/v1/consumers/{id}", id, "", u, nil), &after)
	if after.MaxAckPending != 5 {
		t.Errorf("max_ack_pending %d after refused changes, want 5", after.MaxAckPending)
	}
}

// TestPauseResume checks that a paused consumer delivers nothing, to a batch with or
// without a wait, that GET shows the pause, and that a resume delivers again.
func TestPauseResume(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	id := create(t, h, u, p1Spec)
	seq := publish(t, js, "resource.ResourceCreated", "projects/p1")

	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	var st struct {
		Paused      bool       `json:"paused"`
		PausedUntil *time.Time `json:"paused_until"`
		ExpiresAt   time.Time  `json:"expires_at"`
	}
	resp := do(t, h, request("POST", "/v1/consumers/{id}/pause", id, `{"until":"`+until.Format(time.RFC3339)+`"}`, u, nil), &st)
	if resp.StatusCode != http.StatusOK || !st.Paused || st.PausedUntil == nil || !st.PausedUntil.Equal(until) {
		t.Fatalf("pause: %d %s, want paused until %v", resp.StatusCode, resp.Body, until)
	}
	// A paused consumer's idle clock starts when the pause ends.
	if want := until.Add(consumer.DefaultIdleExpiry); !st.ExpiresAt.Equal(want) {
		t.Errorf("paused until %v, expires_at %v; want %v", until, st.ExpiresAt, want)
	}
	for _, q := range []map[string]string{nil, {"wait_ms": "300"}} {
		if msgs := fetch(t, h, u, id, q); len(msgs) != 0 {
			t.Errorf("a paused consumer delivered %v", sequences(msgs))
		}
	}
	st.Paused, st.PausedUntil = false, nil
	do(t, h, request("GET", "/v1/consumers/{id}", id, "", u, nil), &st)
	if !st.Paused || st.PausedUntil == nil || !st.PausedUntil.Equal(until) {
		t.Errorf("GET shows paused %v until %v, want until %v", st.Paused, st.PausedUntil, until)
	}
	// Without a body: for good.
	if resp := do(t, h, request("POST", "/v1/consumers/{id}/pause", id, "", u, nil), &st); resp.StatusCode != http.StatusOK || st.PausedUntil.Before(until.Add(24*time.Hour)) {
		t.Errorf("pause without a body: %d %s, want paused for good", resp.StatusCode, resp.Body)
	}

	// Not someone else's to pause or resume.
	mallory := reader(owner("mallory"))
	wantProblem(t, do(t, h, request("POST", "/v1/consumers/{id}/resume", id, "", mallory, nil), nil), http.StatusNotFound, "")
	wantProblem(t, do(t, h, request("POST", "/v1/consumers/{id}/pause", id, "", mallory, nil), nil), http.StatusNotFound, "")

	resp = do(t, h, request("POST", "/v1/consumers/{id}/resume", id, "", u, nil), &st)
	if resp.StatusCode != http.StatusOK || st.Paused {
		t.Fatalf("resume: %d %s", resp.StatusCode, resp.Body)
	}
	var got []uint64
	testenv.WaitFor(t, 10*time.Second, func() bool {
		got = sequences(fetch(t, h, u, id, map[string]string{"wait_ms": "500"}))
		return len(got) > 0
	}, "the resumed consumer to deliver")
	if !slices.Equal(got, []uint64{seq}) {
		t.Errorf("after resume fetched %v, want %d", got, seq)
	}

	// An administrator's disable is not the owner's to lift.
	admin := &auth.Claims{Subject: owner("admin"), TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}
	if resp := do(t, h, request("POST", "/v1/admin/consumers/{id}/disable", id, "", admin, nil), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("disable: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("POST", "/v1/consumers/{id}/resume", id, "", u, nil), nil), http.StatusConflict, "")
}

// TestChangeSeenByAWarmInstance checks that a change made through one instance holds
// for the very next batch on another, warm one that cached the consumer's old rules a
// moment before: the events the new rules select are shown, none hidden for good by
// the old ones. Widened event types and a changed filter each.
func TestChangeSeenByAWarmInstance(t *testing.T) {
	tests := []struct {
		name, spec, change string
		publish            func(t *testing.T, js jetstream.JetStream) (first uint64, newlyShown []uint64)
	}{
		{"event types widened", `"event_types":["resource.*Created"]`, `{"event_types":["resource.*"]}`,
			func(t *testing.T, js jetstream.JetStream) (uint64, []uint64) {
				first := publish(t, js, "resource.ResourceCreated", "projects/p1/a")
				var more []uint64
				for _, p := range []string{"b", "c", "d"} {
					more = append(more, publish(t, js, "resource.ResourceUpdated", "projects/p1/"+p))
				}
				return first, append(more, publish(t, js, "resource.ResourceCreated", "projects/p1/e"))
			}},
		{"filter changed", `"filter":{"data.metadata.title":{"prefix":"Final"}}`, `{"filter":{"data.metadata.title":{"prefix":"Draft"}}}`,
			func(t *testing.T, js jetstream.JetStream) (uint64, []uint64) {
				first := publishTitled(t, js, "item.ItemCreated", "projects/p1/a", "Final cut")
				var more []uint64
				for _, p := range []string{"b", "c", "d"} {
					more = append(more, publishTitled(t, js, "item.ItemCreated", "projects/p1/"+p, "Draft "+p))
				}
				publishTitled(t, js, "item.ItemCreated", "projects/p1/e", "Final again")
				return first, more
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warm, js := newHandler(t)
			// Another instance of the function: the same bus and table, a cache of its own.
			other := &Handler{Store: warm.Store, JS: js, Keys: warm.Keys}
			u := reader(owner("u"))
			id := create(t, warm, u, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},`+tt.spec+`}`)
			first, want := tt.publish(t, js)

			// The warm instance serves a batch, caching the consumer and its rules.
			if got := sequences(fetch(t, warm, u, id, map[string]string{"batch_size": "1"})); !slices.Equal(got, []uint64{first}) {
				t.Fatalf("first batch %v, want %d", got, first)
			}
			if resp := do(t, other, request("PUT", "/v1/consumers/{id}", id, tt.change, u, nil), nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("put: %d %s", resp.StatusCode, resp.Body)
			}
			if got := sequences(fetch(t, warm, u, id, map[string]string{"batch_size": "10"})); !slices.Equal(got, want) {
				t.Errorf("the warm instance's batch after the change %v, want %v: every event the new rules select", got, want)
			}
		})
	}
}

// TestBatchHoldsWhenTheRulesCannotBeRead checks that a batch whose consumer's rules
// cannot be read again hides nothing by the rules it holds: the event they leave out is
// given back, not acknowledged, and the batch answers what it may show.
func TestBatchHoldsWhenTheRulesCannotBeRead(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	id := create(t, h, u, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"filter":{"data.metadata.title":{"prefix":"Final"}}}`)
	// A first batch caches the consumer; then its table becomes unreachable.
	if got := fetch(t, h, u, id, nil); len(got) != 0 {
		t.Fatalf("first batch %v, want none", sequences(got))
	}
	h.Store.Table = "no-such-table-" + uuid.NewString()[:8]
	publishTitled(t, js, "item.ItemCreated", "projects/p1/i1", "Draft")
	final := publishTitled(t, js, "item.ItemCreated", "projects/p1/i2", "Final cut")

	if got := sequences(fetch(t, h, u, id, map[string]string{"batch_size": "2"})); !slices.Equal(got, []uint64{final}) {
		t.Errorf("batch %v, want only the matching %d", got, final)
	}
	c, err := js.Consumer(t.Context(), event.StreamName, id)
	if err != nil {
		t.Fatal(err)
	}
	if info := c.CachedInfo(); info.NumAckPending != 2 || h.Hidden.Filtered.Load() != 0 {
		t.Errorf("%d messages wait for an acknowledgement and %d were hidden; want 2 and none: the draft is held, not acknowledged",
			info.NumAckPending, h.Hidden.Filtered.Load())
	}
}
