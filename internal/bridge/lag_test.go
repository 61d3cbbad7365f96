package bridge_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

// TestLag: without its consumer the lag cannot be measured; with it, the lag is every
// event not yet relayed, and nothing once the bridge relayed them all.
func TestLag(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, "")
	b := bridge.New(r.js, fanout.NewPublisher(env.SNS, r.topicARN), bridge.Options{})
	if lag, err := b.Lag(ctx); err == nil {
		t.Fatalf("lag %d without the consumer, want an error", lag)
	}
	if _, err := b.EnsureConsumer(ctx); err != nil {
		t.Fatal(err)
	}
	if lag, err := b.Lag(ctx); err != nil || lag != 0 {
		t.Fatalf("lag of an empty stream: %d, %v; want 0", lag, err)
	}
	const n = 7
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = testEvent(i, "resource.ResourceCreated")
	}
	r.publish(t, events)
	if lag, err := b.Lag(ctx); err != nil || lag != n {
		t.Fatalf("lag before relaying: %d, %v; want %d", lag, err, n)
	}
	r.start(t, env.SNS, bridge.Options{})
	drain(t, r.queueURL, n, time.Minute)
	testenv.WaitFor(t, 30*time.Second, func() bool {
		lag, err := b.Lag(ctx)
		return err == nil && lag == 0
	}, "the lag to be 0 once every event was relayed")
}
