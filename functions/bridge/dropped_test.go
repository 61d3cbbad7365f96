package main

import (
	"context"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/advisory"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/inbox"
)

// deadlines is advisory.Owners that notes the deadline of every lookup.
type deadlines struct {
	advisory.Owners
	seen []time.Time
}

func (d *deadlines) Lookup(ctx context.Context, id string) (*consumer.Record, error) {
	at, _ := ctx.Deadline()
	d.seen = append(d.seen, at)
	return d.Owners.Lookup(ctx, id)
}

// TestScheduledRunTellsOwners: a scheduled run, wired as its cold start wires it from
// the template's environment, tells the owner of a consumer that dropped a message in
// a MESSAGE_DROPPED notice, and reports the drop.
func TestScheduledRunTellsOwners(t *testing.T) {
	h, js, _ := newFunction(t)
	ctx := context.Background()
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	owner := "owner-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000")
	ackWait, maxDeliver := int64(consumer.MinAckWaitMS), 1
	rec, err := (&consumer.Store{JS: js, DB: env.DynamoDB, Table: table}).Create(ctx, consumer.Spec{
		Target:    consumer.Target{Resources: []consumer.ResourceTarget{{Path: "projects/p1", IncludeSubresources: true}}},
		AckWaitMS: &ackWait, MaxDeliver: &maxDeliver,
	}, owner)
	if err != nil {
		t.Fatal(err)
	}
	publish(t, js, 1)
	c, err := js.Consumer(ctx, event.StreamName, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Fetched, never acknowledged: given up once its ack wait is over.
	testenv.WaitFor(t, 30*time.Second, func() bool {
		batch, err := c.Fetch(1, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for range batch.Messages() {
		}
		info, err := c.Info(ctx)
		return err == nil && info.Delivered.Stream == 1 && info.NumAckPending == 0
	}, "the consumer giving its message up")

	h.Margin = time.Second
	owners := &deadlines{Owners: h.Advisories.Owners}
	h.Advisories.Owners = owners
	runCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := h.Handle(runCtx, awsevents.EventBridgeEvent{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dropped != 1 {
		t.Errorf("the run reports %d dropped, want 1", res.Dropped)
	}
	// The batch ends within the invocation, halfway into the margin at the latest.
	invocation, _ := runCtx.Deadline()
	if len(owners.seen) != 1 || owners.seen[0].IsZero() || owners.seen[0].After(invocation.Add(-h.Margin/2)) {
		t.Errorf("the record looked up under deadlines %v, want one by %v", owners.seen, invocation.Add(-h.Margin/2))
	}
	page, err := h.Advisories.Inbox.List(ctx, owner, inbox.Unacknowledged, inbox.Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Variant != inbox.MessageDropped || !strings.Contains(page.Items[0].Message, "1 message was dropped by consumer "+rec.ID) {
		t.Fatalf("the owner's inbox holds %+v, want one MESSAGE_DROPPED notice of one message", page.Items)
	}
}
