package advisory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/advisory"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/inbox"
)

// tapped returns a copy of w's notice store whose DynamoDB calls go through tap, which
// makes each call by calling next.
func (w *world) tapped(tap func(ctx context.Context, params any, next func() error) error) *inbox.Store {
	db := dynamodb.New(env.DynamoDB.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("tap",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					var out middleware.InitializeOutput
					var md middleware.Metadata
					err := tap(ctx, in.Parameters, func() error {
						var err error
						out, md, err = next.HandleInitialize(ctx, in)
						return err
					})
					return out, md, err
				}), middleware.After)
		})
	})
	s := *w.inbox
	s.DB = db
	return &s
}

// forge publishes an advisory of consumer id on HERALD_ADVISORIES' subject, as a NATS
// user allowed to publish there could, and returns its sequence on the stream.
func (w *world) forge(t *testing.T, id string, deliveries int, timestamp string) uint64 {
	t.Helper()
	body := fmt.Sprintf(`{"type":"io.nats.jetstream.advisory.v1.max_deliver","timestamp":%q,"stream":"HERALD_EVENTS","consumer":%q,"stream_seq":1,"deliveries":%d}`,
		timestamp, id, deliveries)
	ack, err := w.js.Publish(context.Background(), bus.MaxDeliveriesPrefix+".HERALD_EVENTS."+id, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// settled waits until every advisory on HERALD_ADVISORIES is acknowledged.
func (w *world) settled(t *testing.T) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() bool {
		c, err := w.js.Consumer(context.Background(), bus.AdvisoryStream, advisory.ConsumerName)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, "every advisory acknowledged")
}

// says returns what the notices say, for failure messages.
func says(ns []*inbox.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID + ": " + n.Message
	}
	return out
}

// TestAdvisoryHandledAgainCountsOnce: a notice written whose advisories were not
// acknowledged (the run stopped before the acknowledgement, or the write's answer was
// lost) is not counted again when the advisories come back. Here the write lands but its
// answer is lost: the advisory is handed back and handled a second time.
func TestAdvisoryHandledAgainCountsOnce(t *testing.T) {
	w := newWorld(t)
	dave := owner("dave")
	rec := w.newConsumer(t, dave, "pd", 1)
	seqs := w.publish(t, "pd", 1)
	w.exhaust(t, rec.ID, seqs[0])

	var lost atomic.Bool
	notices := w.tapped(func(_ context.Context, params any, next func() error) error {
		err := next()
		if _, put := params.(*dynamodb.PutItemInput); put && err == nil && lost.CompareAndSwap(false, true) {
			return errors.New("connection reset: the answer to a write that landed")
		}
		return err
	})
	p, _ := w.runWith(t, notices)
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Dropped == 1 }, "the advisory handled again")
	w.settled(t)
	if s := p.Stats(); !lost.Load() || s.Retried != 1 {
		t.Fatalf("stats %+v, answer lost %v; want the advisory retried once after the lost answer", s, lost.Load())
	}
	got := w.notices(t, dave)
	if len(got) != 1 || !strings.Contains(got[0].Message, "1 message was dropped") {
		t.Fatalf("notices %q; want one counting the drop once", says(got))
	}
}

// TestForgedAdvisories: an advisory that the consumer's max_deliver denies (a consumer
// without one, or fewer deliveries than it) is acknowledged without a notice, and a
// notice's hour is when the stream stored the advisory, never the hour its body claims,
// and it shows no uuid of an event the consumer could not have been sent.
func TestForgedAdvisories(t *testing.T) {
	w := newWorld(t)
	erin := owner("erin")
	// The forged advisories name stream sequence 1: another tenant's event.
	if seqs := w.publish(t, "elsewhere", 1); seqs[0] != 1 {
		t.Fatalf("the other tenant's event has sequence %d, want 1", seqs[0])
	}
	unlimited := w.newConsumer(t, erin, "pe1", -1)
	five := w.newConsumer(t, erin, "pe2", 5)
	one := w.newConsumer(t, erin, "pe3", 1)
	w.forge(t, unlimited.ID, 1000, "2026-01-01T00:00:00Z")
	w.forge(t, five.ID, 4, "2026-01-01T00:00:00Z")
	future := w.forge(t, one.ID, 1, "2099-01-01T00:00:00Z")

	p := w.run(t)
	w.settled(t)
	if s := p.Stats(); s.Skipped != 2 || s.Dropped != 1 || s.Retried != 0 {
		t.Errorf("stats %+v; want 2 skipped as forged, 1 dropped", s)
	}
	got := w.notices(t, erin)
	if len(got) != 1 || !strings.Contains(got[0].Message, "consumer "+one.ID) {
		t.Fatalf("notices %q; want only the one of %s, whose max_deliver 1 allows the advisory", says(got), one.ID)
	}
	if got[0].EventUUID != "" {
		t.Errorf("the notice shows event %s, which consumer %s does not select", got[0].EventUUID, one.ID)
	}
	s, err := w.js.Stream(context.Background(), bus.AdvisoryStream)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.GetMsg(context.Background(), future)
	if err != nil {
		t.Fatal(err)
	}
	want := advisory.Hour(stored.Time)
	if h := ulid.Time(ulid.MustParseStrict(got[0].ID).Time()).UTC(); !h.Equal(want) || got[0].ID != advisory.NoticeID(one.ID, erin, want) {
		t.Errorf("the notice is of %v (%s), want of %v, when the advisory was stored", h, got[0].ID, want)
	}
}

// TestUnreadableRecord: an advisory of a consumer whose record cannot be decoded is
// acknowledged without a notice at once, as no retry mends it; one whose record cannot
// be read for now (the table out of reach) comes back.
func TestUnreadableRecord(t *testing.T) {
	w := newWorld(t)
	id := ulid.Make().String()
	if _, err := env.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(w.consumers.Table),
		Item: map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: id}, "owner": &types.AttributeValueMemberS{Value: owner("frank")},
			"spec": &types.AttributeValueMemberS{Value: "{"}, "created_at": &types.AttributeValueMemberS{Value: "x"},
			"last_used_at": &types.AttributeValueMemberS{Value: "x"},
		},
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = env.DynamoDB.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(w.consumers.Table),
			Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}})
	})
	w.forge(t, id, 1, "")

	away := *w.consumers
	away.Table = "no-such-table"
	p := w.processor(&away, w.inbox)
	stop := start(t, p, time.Time{})
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Retried >= 2 }, "the advisory to come back while the table is out of reach")
	stop()
	if s := p.Stats(); s.Skipped != 0 || s.Dropped != 0 {
		t.Fatalf("stats %+v with the table out of reach, want only retries", s)
	}

	p = w.processor(w.consumers, w.inbox)
	start(t, p, time.Time{})
	w.settled(t)
	if s := p.Stats(); s.Skipped != 1 || s.Retried != 0 || s.Dropped != 0 {
		t.Fatalf("stats %+v; want the advisory of the unreadable record skipped, never retried", s)
	}
}

// TestBatchEndsBeforeFinish: the notices of a batch are written under a deadline no later
// than the finish Run was given (less the time to flush acknowledgements), not the
// half AckWait a batch otherwise has, so that a scheduled run ends within its
// invocation.
func TestBatchEndsBeforeFinish(t *testing.T) {
	w := newWorld(t)
	gina := owner("gina")
	rec := w.newConsumer(t, gina, "pg", 1)
	seqs := w.publish(t, "pg", 1)
	w.exhaust(t, rec.ID, seqs[0])

	var mu sync.Mutex
	var deadlines []time.Time
	notices := w.tapped(func(ctx context.Context, _ any, next func() error) error {
		d, ok := ctx.Deadline()
		if !ok {
			d = time.Time{}
		}
		mu.Lock()
		deadlines = append(deadlines, d)
		mu.Unlock()
		return next()
	})
	finish := time.Now().Add(20 * time.Second) // well within AckWait/2 from now
	p := w.processor(w.consumers, notices)
	start(t, p, finish)
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Dropped == 1 }, "the notice")
	mu.Lock()
	defer mu.Unlock()
	if len(deadlines) == 0 {
		t.Fatal("no call to the notices' table")
	}
	for _, d := range deadlines {
		if d.IsZero() || d.After(finish.Add(-time.Second)) {
			t.Errorf("a notice call with deadline %v, want one by %v", d, finish.Add(-time.Second))
		}
	}
}
