package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// newFunction wires the function as its cold start does, from the environment the
// template gives it, against a fresh NATS server; events reach the template's topic, and
// a fresh queue subscribed to it sees them.
func newFunction(t *testing.T) (*Handler, jetstream.JetStream, string) {
	t.Helper()
	env.Setenv(t, "Bridge")
	_, url := env.NewNATS(t)
	t.Setenv("HERALD_NATS_URL", url)
	h, err := setup(context.Background())
	if err != nil {
		t.Fatalf("cold start with the template's environment: %v", err)
	}
	t.Cleanup(func() { _ = h.Bridge.Close() })
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	topic, err := env.Stack.Ref("EventsTopic")
	if err != nil {
		t.Fatal(err)
	}
	queueURL, queueARN := env.NewQueue(t, "bridge-fn")
	env.Subscribe(t, topic, queueARN, "", true)
	return h, js, queueURL
}

func publish(t *testing.T, js jetstream.JetStream, n int) map[string]bool {
	t.Helper()
	events := make([]*event.Event, n)
	want := map[string]bool{}
	for i := range events {
		events[i] = &event.Event{Event: "job.JobFinished", UUID: uuid.NewString(), Timestamp: time.Now().UTC(),
			Resource: &event.Resource{Type: "job", Path: "projects/p1/jobs/j1"}}
		want[events[i].UUID] = true
	}
	_, errs := bus.PublishAll(context.Background(), js, events)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return want
}

func received(t *testing.T, queueURL string, want map[string]bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs := env.Receive(ctx, t, queueURL, len(want))
	for _, m := range msgs {
		e, err := event.Decode([]byte(aws.ToString(m.Body)))
		if err != nil {
			t.Fatal(err)
		}
		if !want[e.UUID] {
			t.Fatalf("unexpected or repeated event %s", e.UUID)
		}
		delete(want, e.UUID)
	}
	if len(want) > 0 {
		t.Fatalf("%d events did not arrive", len(want))
	}
}

func TestScheduledRunDrainsUntilDeadline(t *testing.T) {
	h, js, queueURL := newFunction(t)
	h.Margin = 500 * time.Millisecond
	want := publish(t, js, 25)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	res, err := h.Handle(ctx, awsevents.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the run ended after %v, past its deadline", elapsed)
	}
	if res.Relayed != 25 {
		t.Fatalf("result %+v, want 25 relayed", res)
	}
	received(t, queueURL, want)
}

func TestScheduledRunNeedsDeadline(t *testing.T) {
	h := &Handler{}
	if _, err := h.Handle(context.Background(), awsevents.EventBridgeEvent{}); err == nil {
		t.Fatal("a run without a deadline would never stop; want an error")
	}
}

func TestDaemonRelaysUntilCancelled(t *testing.T) {
	h, js, queueURL := newFunction(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Daemon(ctx); close(done) }()
	received(t, queueURL, publish(t, js, 30))
	// Events published later flow too: the daemon keeps running.
	received(t, queueURL, publish(t, js, 5))
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the daemon did not stop after cancellation")
	}
}

func TestColdStartNamesMissingSetting(t *testing.T) {
	env.Setenv(t, "Bridge")
	t.Setenv("HERALD_TOPIC_ARN", "")
	if _, err := setup(context.Background()); err == nil || !strings.Contains(err.Error(), "HERALD_TOPIC_ARN") {
		t.Fatalf("err = %v, want it to name HERALD_TOPIC_ARN", err)
	}
}
