package advisory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/advisory"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/inbox"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// world is a fresh JetStream server with Herald's streams, and the template's Consumers
// and Notifications tables in the emulator.
type world struct {
	js        jetstream.JetStream
	consumers *consumer.Store
	inbox     *inbox.Store
}

func newWorld(t *testing.T) *world {
	t.Helper()
	js, _ := env.JetStream(t)
	ct, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	nt, err := env.Stack.Ref("NotificationsTable")
	if err != nil {
		t.Fatal(err)
	}
	return &world{
		js:        js,
		consumers: &consumer.Store{JS: js, DB: env.DynamoDB, Table: ct},
		inbox:     &inbox.Store{DB: env.DynamoDB, Table: nt, AckedRetention: time.Hour},
	}
}

// run runs a Processor of w until the test ends, and returns it.
func (w *world) run(t *testing.T) *advisory.Processor {
	t.Helper()
	p, _ := w.runWith(t, w.inbox)
	return p
}

// runWith runs a Processor of w writing notices to notices until the test ends or the
// returned func stops it.
func (w *world) runWith(t *testing.T, notices *inbox.Store) (*advisory.Processor, func()) {
	t.Helper()
	p := w.processor(w.consumers, notices)
	return p, start(t, p, time.Time{})
}

// processor returns a Processor of w reading records from owners and writing notices to
// notices, that pulls and retries quickly.
func (w *world) processor(owners advisory.Owners, notices *inbox.Store) *advisory.Processor {
	return &advisory.Processor{JS: w.js, Owners: owners, Inbox: notices, PullWait: 200 * time.Millisecond, NakDelay: 100 * time.Millisecond}
}

// start runs p with finish until the test ends or the returned func stops it.
func start(t *testing.T, p *advisory.Processor, finish time.Time) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := p.Run(ctx, finish); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	stop := sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(stop)
	return stop
}

// owner returns a user id of the test's own: the tables are shared by the tests.
func owner(name string) string { return name + "-" + uuid.NewString()[:8] }

// newConsumer creates owner's consumer of projects/<project> that gives a message up
// after maxDeliver deliveries a second apart.
func (w *world) newConsumer(t *testing.T, who, project string, maxDeliver int) *consumer.Record {
	t.Helper()
	ackWait := int64(consumer.MinAckWaitMS)
	r, err := w.consumers.Create(context.Background(), consumer.Spec{
		Target:     consumer.Target{Resources: []consumer.ResourceTarget{{Path: "projects/" + project, IncludeSubresources: true}}},
		AckWaitMS:  &ackWait,
		MaxDeliver: &maxDeliver,
	}, who)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// publish stores n events under projects/<project> and returns their sequences.
func (w *world) publish(t *testing.T, project string, n int) []uint64 {
	t.Helper()
	var seqs []uint64
	for i := range n {
		ack, err := bus.Publish(context.Background(), w.js, &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC(),
			Resource: &event.Resource{Type: "collection", Path: fmt.Sprintf("projects/%s/c%d", project, i)}})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, ack.Sequence)
	}
	return seqs
}

// exhaust fetches the messages of consumer name up to sequence last, never
// acknowledging them, until the server has given every one up. JetStream gives a
// redelivered message up when a pull finds its last ack wait over, so the fetches go on
// until nothing is pending.
func (w *world) exhaust(t *testing.T, name string, last uint64) {
	t.Helper()
	c, err := w.js.Consumer(context.Background(), event.StreamName, name)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		batch, err := c.Fetch(100, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for range batch.Messages() {
		}
		info, err := c.Info(context.Background())
		return err == nil && info.Delivered.Stream >= last && info.NumPending == 0 && info.NumAckPending == 0
	}, name+" giving its messages up")
}

// notices returns owner's MESSAGE_DROPPED notices, whatever their state.
func (w *world) notices(t *testing.T, who string) []*inbox.Notification {
	t.Helper()
	page, err := w.inbox.List(context.Background(), who, inbox.All, inbox.Filter{}, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []*inbox.Notification
	for _, n := range page.Items {
		if n.Variant == inbox.MessageDropped {
			out = append(out, n)
		}
	}
	return out
}

// advisoryHours returns the hours of the advisories on HERALD_ADVISORIES about consumer,
// by when the stream stored them.
func (w *world) advisoryHours(t *testing.T, consumer string) map[time.Time]int {
	t.Helper()
	s, err := w.js.Stream(context.Background(), bus.AdvisoryStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hours := map[time.Time]int{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := s.GetMsg(context.Background(), seq)
		if err != nil {
			continue
		}
		var a struct {
			Consumer string `json:"consumer"`
		}
		if json.Unmarshal(m.Data, &a) == nil && a.Consumer == consumer {
			hours[advisory.Hour(m.Time)]++
		}
	}
	return hours
}

// TestDroppedMessageNotice: a message of a consumer with max_deliver 2 that is never
// acknowledged leaves one MESSAGE_DROPPED notice in its owner's inbox; more drops in the
// same hour count in that notice, still one.
func TestDroppedMessageNotice(t *testing.T) {
	w := newWorld(t)
	alice := owner("alice")
	rec := w.newConsumer(t, alice, "p1", 2)
	p := w.run(t)

	seqs := w.publish(t, "p1", 1)
	w.exhaust(t, rec.ID, seqs[0])
	testenv.WaitFor(t, 30*time.Second, func() bool { return len(w.notices(t, alice)) > 0 }, "a MESSAGE_DROPPED notice for "+alice)
	got := w.notices(t, alice)
	if len(got) != 1 || !strings.Contains(got[0].Message, "1 message was dropped") ||
		!strings.Contains(got[0].Message, fmt.Sprintf("stream sequence %d", seqs[0])) ||
		len(got[0].Refs) != 1 || got[0].Refs[0].Value != "consumers/"+rec.ID || got[0].EventUUID == "" {
		t.Fatalf("notices %+v; want one saying 1 message dropped, the last at %d, referring to the consumer", got, seqs[0])
	}

	// Three more in the same hour (or, should the test straddle an hour, in the next).
	seqs = append(seqs, w.publish(t, "p1", 3)...)
	w.exhaust(t, rec.ID, seqs[3])
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Dropped == 4 }, "four drops counted")
	hours := w.advisoryHours(t, rec.ID)
	got = w.notices(t, alice)
	if len(got) != len(hours) {
		t.Fatalf("%d notices for advisories in %d hours: %+v", len(got), len(hours), got)
	}
	last := seqs[len(seqs)-1]
	for _, n := range got {
		h := ulid.Time(ulid.MustParseStrict(n.ID).Time()).UTC()
		want := fmt.Sprintf("%d message", hours[h])
		if !strings.Contains(n.Message, want) {
			t.Errorf("notice of %v says %q, want %q", h, n.Message, want)
		}
		if len(hours) == 1 && (!strings.Contains(n.Message, "4 messages were dropped") || !strings.Contains(n.Message, fmt.Sprintf("stream sequence %d", last))) {
			t.Errorf("notice says %q, want 4 messages, the last at %d", n.Message, last)
		}
	}
}

// TestOnlyOwnersOfHeraldConsumersAreTold: advisories of consumers that are not Herald's
// (the bridge's durable, anything named otherwise), of a consumer id without a record,
// and ones that cannot be read are acknowledged without a notice, and do not hold up the
// advisory behind them; a notice goes to the consumer's owner and nobody else.
func TestOnlyOwnersOfHeraldConsumersAreTold(t *testing.T) {
	w := newWorld(t)
	alice, bob := owner("alice"), owner("bob")
	recA := w.newConsumer(t, alice, "pa", 1)
	recB := w.newConsumer(t, bob, "pb", 5)

	// A durable that is not Herald's drops a message for real.
	seqs := w.publish(t, "pa", 1)
	if _, err := w.js.CreateConsumer(context.Background(), event.StreamName, jetstream.ConsumerConfig{
		Durable: "someone-elses", AckPolicy: jetstream.AckExplicitPolicy, AckWait: time.Second, MaxDeliver: 1,
	}); err != nil {
		t.Fatal(err)
	}
	w.exhaust(t, "someone-elses", seqs[0])
	// Advisories the server never sent: unreadable, and of a consumer id without record.
	for _, m := range []struct{ consumer, body string }{
		{recB.ID, "not json"},
		{"01JC0000000000000000000000", `{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"HERALD_EVENTS","consumer":"01JC0000000000000000000000","stream_seq":1,"deliveries":1}`},
		// The subject names bob's consumer, the body alice's: refused, nobody told.
		{recB.ID, `{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"HERALD_EVENTS","consumer":"` + recA.ID + `","stream_seq":1,"deliveries":1}`},
	} {
		if _, err := w.js.Publish(context.Background(), bus.MaxDeliveriesPrefix+".HERALD_EVENTS."+m.consumer, []byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	// Then alice's consumer drops one.
	w.exhaust(t, recA.ID, seqs[0])

	p := w.run(t)
	testenv.WaitFor(t, 30*time.Second, func() bool { return len(w.notices(t, alice)) == 1 }, "alice's notice")
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Skipped == 4 }, "the four advisories without a notice acknowledged")
	if got := w.notices(t, bob); len(got) != 0 {
		t.Errorf("bob, whose consumer dropped nothing, got %+v", got)
	}
	if s := p.Stats(); s.Dropped != 1 || s.Retried != 0 {
		t.Errorf("stats %+v, want 1 dropped, 4 skipped, none retried", s)
	}
	c, err := w.js.Consumer(context.Background(), bus.AdvisoryStream, advisory.ConsumerName)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		info, err := c.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, "every advisory acknowledged")
}

// TestAdvisoryKeptUntilNoticeWritten: an advisory whose notice cannot be written is not
// acknowledged but comes back, and makes its notice once writing works again.
func TestAdvisoryKeptUntilNoticeWritten(t *testing.T) {
	w := newWorld(t)
	carol := owner("carol")
	rec := w.newConsumer(t, carol, "pc", 1)
	seqs := w.publish(t, "pc", 1)
	w.exhaust(t, rec.ID, seqs[0])

	broken := *w.inbox
	broken.Table = "no-such-table"
	p, stop := w.runWith(t, &broken)
	testenv.WaitFor(t, 30*time.Second, func() bool { return p.Stats().Retried >= 2 }, "the advisory to come back after a failed write")
	stop()
	if s := p.Stats(); s.Dropped != 0 || s.Skipped != 0 {
		t.Fatalf("stats %+v with notices failing, want only retries", s)
	}

	fixed := w.run(t)
	testenv.WaitFor(t, 30*time.Second, func() bool { return len(w.notices(t, carol)) == 1 }, "carol's notice once writing works")
	if got := w.notices(t, carol); !strings.Contains(got[0].Message, "1 message was dropped") {
		t.Errorf("notice %q, want one drop counted once", got[0].Message)
	}
	if s := fixed.Stats(); s.Dropped != 1 {
		t.Errorf("stats %+v, want the one drop told", s)
	}
}
