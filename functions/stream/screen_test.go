package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
)

// TestStreamShowsOnlyWhatTheConsumerSelects checks that a stream never sends what the
// bridge dead-letters (a message without a uuid, published straight to NATS on the
// consumer's subject) nor an event its filter leaves out: both are acknowledged and
// counted, and the matching event after them is the first frame.
func TestStreamShowsOnlyWhatTheConsumerSelects(t *testing.T) {
	h, js := newHandler(t)
	c := reader("screen")
	r := createFinal(t, h, c.Subject)
	const path = "projects/p1/items/i1"
	subject := event.Subject("item.ItemCreated", path)
	publish := func(data string) uint64 {
		t.Helper()
		ack, err := js.Publish(t.Context(), subject, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		return ack.Sequence
	}
	titled := func(title string) string {
		return fmt.Sprintf(`{"uuid":%q,"event":"item.ItemCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"item","path":%q},"data":{"metadata":{"title":%q}}}`,
			uuid.NewString(), path, title)
	}
	publish(`{"event":"item.ItemCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"item","path":"projects/p1/items/i1"},"data":{"metadata":{"title":"Final, but no uuid"}}}`)
	publish(titled("Draft"))
	want := publish(titled("Final cut"))

	frames := open(t, t.Context(), h, r.ID, token(t, c))
	if _, m := nextMessage(t, frames); m.Sequence != want {
		t.Fatalf("first message is sequence %d, want %d: the invalid and the filtered ones are never sent", m.Sequence, want)
	}
	if inv, filt := h.Hidden.Invalid.Load(), h.Hidden.Filtered.Load(); inv != 1 || filt != 1 {
		t.Errorf("counted %d invalid and %d filtered, want 1 and 1", inv, filt)
	}
}

// TestStreamFollowsAChangeAtOnce checks that an open stream judges what it pulls after a
// change of the consumer's filter (made through another instance) by the new filter:
// the event the old filter left out is sent, not acknowledged away.
func TestStreamFollowsAChangeAtOnce(t *testing.T) {
	h, js := newHandler(t)
	c := reader("change")
	r := createFinal(t, h, c.Subject)
	frames := open(t, t.Context(), h, r.ID, token(t, c))

	var changes consumer.Changes
	if err := json.Unmarshal([]byte(`{"filter":{"data.metadata.title":{"prefix":"Draft"}}}`), &changes); err != nil {
		t.Fatal(err)
	}
	next, err := changes.Apply(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store.Update(t.Context(), r, next); err != nil {
		t.Fatal(err)
	}
	const path = "projects/p1/items/i1"
	body := fmt.Sprintf(`{"uuid":%q,"event":"item.ItemCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"item","path":%q},"data":{"metadata":{"title":"Draft 1"}}}`,
		uuid.NewString(), path)
	ack, err := js.Publish(t.Context(), event.Subject("item.ItemCreated", path), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, m := nextMessage(t, frames); m.Sequence != ack.Sequence {
		t.Fatalf("first message is sequence %d, want the draft %d", m.Sequence, ack.Sequence)
	}
	if n := h.Hidden.Filtered.Load(); n != 0 {
		t.Errorf("%d messages hidden, want none", n)
	}
}

// createFinal makes owner a consumer of projects/p1 whose filter keeps the events titled
// "Final…".
func createFinal(t *testing.T, h *Handler, owner string) *consumer.Record {
	t.Helper()
	var spec consumer.Spec
	if err := json.Unmarshal([]byte(`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"filter":{"data.metadata.title":{"prefix":"Final"}}}`), &spec); err != nil {
		t.Fatal(err)
	}
	if err := spec.Normalize(); err != nil {
		t.Fatal(err)
	}
	r, err := h.Store.Create(t.Context(), spec, owner)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
