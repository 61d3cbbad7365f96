package bridge_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

// TestFullness: the stream's bytes as a percentage of its MaxBytes, nothing for a
// stream without a bound.
func TestFullness(t *testing.T) {
	ctx := context.Background()
	_, url := env.NewNATS(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	b := bridge.New(js, nil, bridge.Options{})
	if _, _, err := b.Fullness(ctx); err == nil {
		t.Fatal("fullness of a stream that does not exist, want an error")
	}
	const limit = 1 << 20
	ensure := func(maxBytes int64) {
		t.Helper()
		if _, err := bus.EnsureStreams(ctx, js, bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute, MaxBytes: maxBytes}); err != nil {
			t.Fatal(err)
		}
	}
	ensure(limit)
	if pct, ok, err := b.Fullness(ctx); err != nil || !ok || pct != 0 {
		t.Fatalf("fullness of an empty stream: %v, %v, %v; want 0", pct, ok, err)
	}
	events := make([]*event.Event, 20)
	for i := range events {
		events[i] = testEvent(i, "resource.ResourceCreated")
	}
	if _, errs := bus.PublishAll(ctx, js, events); errs[len(errs)-1] != nil {
		t.Fatal(errs)
	}
	s, err := js.Stream(ctx, event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := 100 * float64(info.State.Bytes) / limit
	if pct, ok, err := b.Fullness(ctx); err != nil || !ok || pct != want || pct <= 0 {
		t.Fatalf("fullness %v, %v, %v; want %v (%d of %d bytes)", pct, ok, err, want, info.State.Bytes, limit)
	}
	ensure(0)
	if pct, ok, err := b.Fullness(ctx); err != nil || ok {
		t.Fatalf("fullness of an unbounded stream: %v, %v, %v; want none", pct, ok, err)
	}
}
