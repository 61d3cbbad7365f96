package main

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/lease"
)

// departAckWait is the ack wait of the consumers here: far longer than any wait of the
// tests, so that a message that reaches the next client came back through a nak and
// not through its ack wait running out.
const departAckWait = 60_000

// startUnread starts a stream of consumer id that nobody reads, as a runtime whose
// client left holds it, and returns its body.
func startUnread(t *testing.T, h *Handler, id, bearer string) *streamBody {
	t.Helper()
	resp, err := h.Handle(t.Context(), request(http.MethodGet, "/v1/consumers/"+id+"/stream", bearer))
	if err != nil {
		t.Fatal(err)
	}
	body, ok := resp.Body.(*streamBody)
	if resp.StatusCode != http.StatusOK || !ok {
		t.Fatalf("status %d, body %T: want a stream", resp.StatusCode, resp.Body)
	}
	return body
}

// consumerInfo returns what JetStream knows of consumer id.
func consumerInfo(t *testing.T, js jetstream.JetStream, id string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := js.Consumer(t.Context(), event.StreamName, id)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// waitInfo waits until cond holds of consumer id's info.
func waitInfo(t *testing.T, js jetstream.JetStream, id, what string, cond func(*jetstream.ConsumerInfo) bool) {
	t.Helper()
	deadline := time.Now().Add(frameTimeout)
	for {
		info := consumerInfo(t, js, id)
		if cond(info) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer %s: no %s within %v (waiting %d, ack pending %d, pending %d)", id, what, frameTimeout, info.NumWaiting, info.NumAckPending, info.NumPending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// closeStream closes body as the runtime does when it cannot pass the stream on, and
// checks that the stream has finished by the time Close returns: it pulls nothing more.
func closeStream(t *testing.T, body *streamBody) {
	t.Helper()
	if err := body.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-body.done:
	default:
		t.Fatal("Close returned before the stream finished")
	}
}

// TestDepartureGivesBack: a message pulled for a client that left before it was written
// is given back at once; the next stream gets it long before its ack wait, and the
// departed stream has no pull left waiting.
func TestDepartureGivesBack(t *testing.T) {
	h, js := newHandler(t)
	// No keep-alive gets in the way: the stream's only write is the message's.
	h.KeepAlive = time.Hour
	c := reader("departed")
	id := create(t, h, c, departAckWait)
	bearer := token(t, c)

	body := startUnread(t, h, id, bearer)
	seq, _ := publish(t, js)
	// Pulled, its write waiting for a reader that is gone.
	waitInfo(t, js, id, "message pulled", func(i *jetstream.ConsumerInfo) bool { return i.NumAckPending == 1 })
	closeStream(t, body)
	if info := consumerInfo(t, js, id); info.NumWaiting != 0 {
		t.Errorf("%d pulls waiting after the client left, want none", info.NumWaiting)
	}

	frames := open(t, t.Context(), h, id, bearer)
	if _, m := nextMessage(t, frames); m.Sequence != seq || m.Delivered != 2 {
		t.Fatalf("next stream got %+v, want sequence %d delivered 2 (given back, not timed out)", m, seq)
	}
}

// TestDepartureLeavesNothing: a client that leaves an idle stream leaves no pull
// waiting and no lease held once Close returns, so that the next event goes to the next
// client on its first delivery.
func TestDepartureLeavesNothing(t *testing.T) {
	h, js := newHandler(t)
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Leases = &lease.Store{DB: env.DynamoDB, Table: table, Name: StreamsQuota}
	h.MaxStreams = 1
	h.KeepAlive = time.Hour // the stream pulls on, unread
	c := reader("idle-departed")
	id := create(t, h, c, departAckWait)
	bearer := token(t, c)

	for range 3 {
		body := startUnread(t, h, id, bearer)
		waitInfo(t, js, id, "pull waiting", func(i *jetstream.ConsumerInfo) bool { return i.NumWaiting > 0 })
		closeStream(t, body)
		if info := consumerInfo(t, js, id); info.NumWaiting != 0 || info.NumAckPending != 0 {
			t.Fatalf("after the client left: %d pulls waiting, %d messages pending ack; want none", info.NumWaiting, info.NumAckPending)
		}
		// The user may hold one stream: the next opens only if this one's lease is gone.
		if n, err := h.Leases.Count(t.Context(), c.Subject); err != nil || n != 0 {
			t.Fatalf("%d streams held after the client left (%v), want 0", n, err)
		}
	}

	seq, _ := publish(t, js)
	frames := open(t, t.Context(), h, id, bearer)
	if _, m := nextMessage(t, frames); m.Sequence != seq || m.Delivered != 1 {
		t.Fatalf("next stream got %+v, want sequence %d delivered 1", m, seq)
	}
}

// TestEndedStreamCloses: closing the body of a stream that ended by itself (its deadline
// less the margin) returns at once, as the runtime does after every stream.
func TestEndedStreamCloses(t *testing.T) {
	h, _ := newHandler(t)
	h.Margin = time.Second
	c := reader("ended")
	id := create(t, h, c, departAckWait)

	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	resp, err := h.Handle(ctx, request(http.MethodGet, "/v1/consumers/"+id+"/stream", token(t, c)))
	if err != nil {
		t.Fatal(err)
	}
	body := resp.Body.(*streamBody)
	// To the end of the body: the stream asked its client to reconnect and ended.
	if _, err := io.Copy(io.Discard, body); err != nil {
		t.Fatal(err)
	}
	closeStream(t, body)
}
