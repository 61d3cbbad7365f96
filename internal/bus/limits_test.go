package bus_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

// bigEvent returns event i with a payload of about 4 KiB, so that a few dozen fill a
// small stream.
func bigEvent(i int) *event.Event {
	e := newEvent(i)
	e.Data = json.RawMessage(`{"pad":"` + strings.Repeat("x", 4000) + `"}`)
	return e
}

// TestStreamMaxBytesDiscardsOldest: past MaxBytes, publishing still succeeds and the
// stream drops its oldest events, keeping the newest within the bound.
func TestStreamMaxBytesDiscardsOldest(t *testing.T) {
	js, _, _ := newJetStream(t)
	const limit = 64 << 10
	ensure(t, js, bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute, MaxBytes: limit})
	// Three times the bound: every publish is acknowledged, none refused.
	var acks []bus.Ack
	for i := range 3 * limit / 4000 {
		ack, err := bus.Publish(t.Context(), js, bigEvent(i))
		if err != nil {
			t.Fatalf("publish %d past the bound: %v", i, err)
		}
		acks = append(acks, ack)
	}
	info := streamInfo(t, js, event.StreamName)
	if info.State.Bytes > limit {
		t.Errorf("the stream holds %d bytes, above its MaxBytes %d", info.State.Bytes, limit)
	}
	last := acks[len(acks)-1].Sequence
	if info.State.LastSeq != last || info.State.FirstSeq <= 1 {
		t.Errorf("the stream holds sequences %d to %d; want the oldest gone and the last, %d, kept", info.State.FirstSeq, info.State.LastSeq, last)
	}
	s, err := js.Stream(t.Context(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMsg(t.Context(), acks[0].Sequence); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("the first event: %v, want it discarded", err)
	}
	if _, err := s.GetMsg(t.Context(), last); err != nil {
		t.Errorf("the newest event: %v, want it kept", err)
	}
}

// TestEnsureStreamsUpdatesMaxBytes: a new StreamMaxBytes deployed reaches a stream that
// exists (every cold start ensures the streams), and a bound below what the stream holds
// discards its oldest events at once.
func TestEnsureStreamsUpdatesMaxBytes(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute, MaxBytes: 8 << 20})
	for i := range 40 {
		if _, err := bus.Publish(t.Context(), js, bigEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	before := streamInfo(t, js, event.StreamName)
	const smaller = 32 << 10
	ensure(t, js, bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute, MaxBytes: smaller})
	after := streamInfo(t, js, event.StreamName)
	if after.Config.MaxBytes != smaller {
		t.Errorf("MaxBytes = %d after the update, want %d", after.Config.MaxBytes, smaller)
	}
	if !after.Created.Equal(before.Created) {
		t.Error("the stream was re-created, not updated")
	}
	if after.State.Bytes > smaller || after.State.LastSeq != before.State.LastSeq || after.State.FirstSeq <= before.State.FirstSeq {
		t.Errorf("after the update the stream holds %d bytes, sequences %d to %d; want at most %d bytes, the oldest gone, the newest (%d) kept",
			after.State.Bytes, after.State.FirstSeq, after.State.LastSeq, smaller, before.State.LastSeq)
	}
}

// TestAdvisoryStreamCaptures: the advisory stream keeps the max-deliveries advisory of a
// HERALD_EVENTS consumer whose message ran out of deliveries, with nobody subscribed,
// and nothing of another stream's consumers.
func TestAdvisoryStreamCaptures(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	if _, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"other.>"}}); err != nil {
		t.Fatal(err)
	}
	ack, err := bus.Publish(t.Context(), js, newEvent(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(t.Context(), "other.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A subscriber hears the other stream's advisory, which the server sends only to
	// listeners.
	otherAdvisories, err := js.Conn().SubscribeSync(bus.MaxDeliveriesPrefix + ".OTHER.>")
	if err != nil {
		t.Fatal(err)
	}
	// One delivery each, never acknowledged: the server gives up once the ack wait ends.
	cfg := jetstream.ConsumerConfig{Durable: "dropper", AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Second, MaxDeliver: 1}
	for _, stream := range []string{event.StreamName, "OTHER"} {
		c, err := js.CreateConsumer(t.Context(), stream, cfg)
		if err != nil {
			t.Fatal(err)
		}
		batch, err := c.Fetch(1, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for range batch.Messages() {
			n++
		}
		if n != 1 {
			t.Fatalf("%s: fetched %d messages, want 1", stream, n)
		}
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		return streamInfo(t, js, bus.AdvisoryStream).State.Msgs >= 1
	}, "the advisory on "+bus.AdvisoryStream)
	adv, err := js.Stream(t.Context(), bus.AdvisoryStream)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := adv.GetMsg(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := bus.MaxDeliveriesPrefix + ".HERALD_EVENTS.dropper"; msg.Subject != want {
		t.Errorf("advisory subject %q, want %q", msg.Subject, want)
	}
	var body struct {
		Type      string `json:"type"`
		Stream    string `json:"stream"`
		Consumer  string `json:"consumer"`
		StreamSeq uint64 `json:"stream_seq"`
	}
	if err := json.Unmarshal(msg.Data, &body); err != nil || body.Type != "io.nats.jetstream.advisory.v1.max_deliver" ||
		body.Stream != event.StreamName || body.Consumer != "dropper" || body.StreamSeq != ack.Sequence {
		t.Errorf("advisory %s (%v), want HERALD_EVENTS' dropper giving up sequence %d", msg.Data, err, ack.Sequence)
	}
	// The other stream's consumer gave up too; once its advisory was sent, the stream
	// would hold it had it taken it.
	if _, err := otherAdvisories.NextMsg(30 * time.Second); err != nil {
		t.Fatalf("the other stream's advisory: %v", err)
	}
	if n := streamInfo(t, js, bus.AdvisoryStream).State.Msgs; n != 1 {
		t.Errorf("%s holds %d advisories, want only HERALD_EVENTS' one", bus.AdvisoryStream, n)
	}
}
