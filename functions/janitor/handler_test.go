package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// tick is the scheduled event, as EventBridge sends it.
var tick = awsevents.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events"}

// newHandler returns a Handler on a fresh JetStream server with Herald's streams and
// the template's Consumers table, emptied first: a run sweeps the whole table, and the
// counts it reports must be this test's alone.
func newHandler(t *testing.T) (*Handler, jetstream.JetStream) {
	t.Helper()
	js, _ := env.JetStream(t)
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	emptyTable(t, table)
	return &Handler{
		Store: &consumer.Store{JS: js, DB: env.DynamoDB, Table: table, Now: time.Now},
		JS:    js,
		Now:   time.Now,
	}, js
}

func emptyTable(t *testing.T, table string) {
	t.Helper()
	s := &consumer.Store{DB: env.DynamoDB, Table: table}
	for r, err := range s.All(t.Context(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.DynamoDB.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{
			TableName: aws.String(table),
			Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: r.ID}},
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// create makes a consumer through the store, as the API does, with the store's clock
// reading at.
func create(t *testing.T, h *Handler, at time.Time, idleExpiry string) *consumer.Record {
	t.Helper()
	s := *h.Store
	s.Now = func() time.Time { return at }
	r, err := s.Create(t.Context(), consumer.Spec{Target: consumer.Target{All: true}, IdleExpiry: idleExpiry}, "u1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// run invokes the handler with a minute left and the clock reading now.
func run(t *testing.T, h *Handler, now time.Time) Result {
	t.Helper()
	h.Now = func() time.Time { return now }
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := h.Handle(ctx, tick)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	return res
}

// hasConsumer reports whether HERALD_EVENTS has the JetStream consumer name.
func hasConsumer(t *testing.T, js jetstream.JetStream, name string) bool {
	t.Helper()
	_, err := js.Consumer(t.Context(), event.StreamName, name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// hasRecord reports whether the Consumers table holds id, expired or not.
func hasRecord(t *testing.T, h *Handler, id string) bool {
	t.Helper()
	for r, err := range h.Store.All(t.Context(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == id {
			return true
		}
	}
	return false
}

// addConsumer creates a bare JetStream consumer, as something other than Store.Create
// would leave it.
func addConsumer(t *testing.T, js jetstream.JetStream, name string) {
	t.Helper()
	if _, err := js.CreateConsumer(t.Context(), event.StreamName, jetstream.ConsumerConfig{Durable: name, AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredConsumerIsRemovedAndLiveOneStays(t *testing.T) {
	h, js := newHandler(t)
	start := time.Now()
	expiring := create(t, h, start, "1h")
	live := create(t, h, start, "168h")

	res := run(t, h, start.Add(2*time.Hour))

	if want := (Result{Expired: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if hasConsumer(t, js, expiring.ID) || hasRecord(t, h, expiring.ID) {
		t.Error("the expired consumer or its record is still there")
	}
	if !hasConsumer(t, js, live.ID) || !hasRecord(t, h, live.ID) {
		t.Error("the live consumer or its record was removed")
	}
}

func TestOrphanConsumerIsRemoved(t *testing.T) {
	h, js := newHandler(t)
	now := time.Now()
	old := ulid.MustNew(ulid.Timestamp(now.Add(-5*time.Minute)), ulid.DefaultEntropy()).String()
	fresh := ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String()
	for _, name := range []string{old, fresh, bridge.ConsumerName, "not-a-consumer-id"} {
		addConsumer(t, js, name)
	}
	live := create(t, h, now.Add(-5*time.Minute), "168h")

	res := run(t, h, now)

	if want := (Result{OrphanConsumers: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	tests := []struct {
		name, consumer string
		want           bool
	}{
		{"orphan older than a minute", old, false},
		{"orphan of a create that may be under way", fresh, true},
		{"the bridge's consumer", bridge.ConsumerName, true},
		{"a consumer not named by a consumer id", "not-a-consumer-id", true},
		{"a consumer with a record", live.ID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hasConsumer(t, js, tt.consumer); got != tt.want {
				t.Errorf("consumer %s exists = %v, want %v", tt.consumer, got, tt.want)
			}
		})
	}
}

func TestRecordWithoutConsumerIsRemovedOnceOld(t *testing.T) {
	h, js := newHandler(t)
	now := time.Now()
	old := create(t, h, now.Add(-5*time.Minute), "168h")
	fresh := create(t, h, now.Add(-10*time.Second), "168h")
	// As JetStream's InactiveThreshold would.
	for _, r := range []*consumer.Record{old, fresh} {
		if err := js.DeleteConsumer(t.Context(), event.StreamName, r.ID); err != nil {
			t.Fatal(err)
		}
	}

	res := run(t, h, now)

	if want := (Result{OrphanRecords: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if hasRecord(t, h, old.ID) {
		t.Error("the record older than a minute whose consumer is gone is still there")
	}
	if !hasRecord(t, h, fresh.ID) {
		t.Error("the record of a create that may be under way was removed")
	}
}

func TestRunNearDeadlineDoesNothing(t *testing.T) {
	h, js := newHandler(t)
	start := time.Now()
	expiring := create(t, h, start, "1h")
	h.Now = func() time.Time { return start.Add(2 * time.Hour) }
	// Less time left than the margin.
	ctx, cancel := context.WithTimeout(t.Context(), DefaultMargin/2)
	defer cancel()

	res, err := h.Handle(ctx, tick)

	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if res != (Result{}) {
		t.Errorf("result %+v, want nothing done", res)
	}
	if !hasConsumer(t, js, expiring.ID) || !hasRecord(t, h, expiring.ID) {
		t.Error("the expired consumer was touched although the deadline was near")
	}
}

func TestRunNeedsDeadline(t *testing.T) {
	h := &Handler{}
	if _, err := h.Handle(context.Background(), tick); err == nil {
		t.Fatal("a run without a deadline could not stop in time; want an error")
	}
}

func TestColdStartWithTemplateEnvironment(t *testing.T) {
	env.Setenv(t, "Janitor")
	h, err := coldStart(t.Context())
	if err != nil {
		t.Fatalf("cold start with the template's environment: %v", err)
	}
	t.Cleanup(func() { bus.Close(h.JS) })
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	if h.Store.Table != table {
		t.Errorf("table %q, want the template's ConsumersTable %q", h.Store.Table, table)
	}
}

func TestColdStartNamesMissingSetting(t *testing.T) {
	env.Setenv(t, "Janitor")
	t.Setenv("HERALD_CONSUMERS_TABLE", "")
	if _, err := coldStart(t.Context()); err == nil || !strings.Contains(err.Error(), "HERALD_CONSUMERS_TABLE") {
		t.Fatalf("err = %v, want it to name HERALD_CONSUMERS_TABLE", err)
	}
}
