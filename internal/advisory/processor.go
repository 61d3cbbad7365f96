package advisory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
)

// ConsumerName is the durable consumer the Processor reads HERALD_ADVISORIES through.
const ConsumerName = "herald-advisories"

// Defaults of the Processor's settings.
const (
	DefaultBatch    = 256
	DefaultPullWait = time.Second
	DefaultNakDelay = 10 * time.Second
	// AckWait must outlast the handling of one batch: a lookup and a notice per
	// consumer in it.
	AckWait = time.Minute
)

// Owners finds a consumer's record, whose Owner gets its notices: consumer.Store.Lookup,
// which answers a fault NotFound for a consumer without a live record.
type Owners interface {
	Lookup(ctx context.Context, id string) (*consumer.Record, error)
}

// Processor turns the advisories on HERALD_ADVISORIES into MESSAGE_DROPPED notices.
type Processor struct {
	JS     jetstream.JetStream
	Owners Owners
	Inbox  *inbox.Store

	Batch    int           // advisories asked for at a time; DefaultBatch when 0
	PullWait time.Duration // how long one pull waits; DefaultPullWait when 0
	NakDelay time.Duration // when an advisory whose notice failed comes back; DefaultNakDelay when 0

	total counters // since the Processor was made, across runs
}

// Stats count what the Processor did with advisories.
type Stats struct {
	Dropped int64 // messages counted in their owners' notices
	Skipped int64 // advisories acknowledged without a notice: unreadable, not Herald's consumer, no record
	Retried int64 // advisories handed back for later: the record or the notice could not be read or written
}

type counters struct{ dropped, skipped, retried atomic.Int64 }

func (c *counters) stats() Stats {
	return Stats{Dropped: c.dropped.Load(), Skipped: c.skipped.Load(), Retried: c.retried.Load()}
}

// Stats returns what the Processor did since it was made, across runs.
func (p *Processor) Stats() Stats { return p.total.stats() }

// ConsumerConfig is the durable consumer's configuration. It never gives an advisory up:
// one whose notice fails comes back until it succeeds or the stream's MaxAge removes it.
func ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		Description:   "Herald: max-deliveries advisories to the owners' MESSAGE_DROPPED notices",
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckWait:       AckWait,
		MaxDeliver:    -1,
		MaxAckPending: 10_000,
	}
}

// Run reads advisories until ctx is done, and returns what this run did. It pulls with
// bounded Fetches that end within PullWait (and before ctx's deadline), so that a
// scheduled run stops on time; the batch in hand when ctx ends is finished first.
func (p *Processor) Run(ctx context.Context) (Stats, error) {
	var run counters
	cons, err := p.JS.CreateOrUpdateConsumer(ctx, bus.AdvisoryStream, ConsumerConfig())
	if err != nil {
		if ctx.Err() != nil {
			return Stats{}, nil
		}
		return Stats{}, fmt.Errorf("advisory: ensuring consumer %s: %w", ConsumerName, err)
	}
	// Notices and acknowledgements of a batch in hand finish after ctx ends.
	work := context.WithoutCancel(ctx)
	batchSize, pullWait := p.Batch, p.PullWait
	if batchSize <= 0 {
		batchSize = DefaultBatch
	}
	if pullWait <= 0 {
		pullWait = DefaultPullWait
	}
	pause := 50 * time.Millisecond
	var runErr error
	for ctx.Err() == nil {
		wait := pullWait
		if deadline, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(deadline))
		}
		if wait < 10*time.Millisecond {
			break
		}
		fetch, err := cons.Fetch(batchSize, jetstream.FetchMaxWait(wait))
		if err == nil {
			var msgs []jetstream.Msg
			for msg := range fetch.Messages() {
				msgs = append(msgs, msg)
			}
			err = fetch.Error()
			if len(msgs) > 0 {
				// Done well within AckWait, so that no advisory comes back while its
				// notice is being written.
				batchCtx, cancel := context.WithTimeout(work, AckWait/2)
				p.handle(batchCtx, msgs, &run)
				cancel()
			}
		}
		switch {
		case err == nil, errors.Is(err, nats.ErrTimeout):
			pause = 50 * time.Millisecond
			continue
		case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound):
			runErr = fmt.Errorf("advisory: reading %s: %w", ConsumerName, err)
		default:
			slog.WarnContext(ctx, "advisory: pull failed; retrying", "error", err.Error(), "pause", pause.String())
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			pause = min(2*pause, 2*time.Second)
			continue
		}
		break
	}
	if err := p.JS.Conn().FlushTimeout(5 * time.Second); err != nil && runErr == nil && !p.JS.Conn().IsClosed() {
		runErr = fmt.Errorf("advisory: flushing acknowledgements: %w", err)
	}
	return run.stats(), runErr
}

// group is the drops of one consumer in one hour within a batch: one notice's addition.
type group struct {
	consumer   string
	hour       time.Time
	msgs       []jetstream.Msg
	last       uint64 // the greatest stream sequence
	deliveries uint64 // of the drop at last
}

// handle turns one batch of advisories into notices: one addition per consumer and hour,
// one record lookup per consumer.
func (p *Processor) handle(ctx context.Context, msgs []jetstream.Msg, run *counters) {
	var groups []*group
	byKey := map[string]*group{}
	for _, msg := range msgs {
		stored := time.Now()
		if meta, err := msg.Metadata(); err == nil {
			stored = meta.Timestamp
		}
		d, err := Parse(msg.Subject(), msg.Data(), stored)
		if err != nil {
			slog.WarnContext(ctx, "advisory: unreadable advisory acknowledged", "subject", msg.Subject(), "error", err.Error())
			settle(msg.Ack, &run.skipped, &p.total.skipped)
			continue
		}
		if !consumer.ValidID(d.Consumer) {
			// The bridge's own durable, or anything else on the stream: nobody's to tell.
			slog.InfoContext(ctx, "advisory: a consumer that is not Herald's dropped a message", "consumer", d.Consumer, "sequence", d.StreamSeq)
			settle(msg.Ack, &run.skipped, &p.total.skipped)
			continue
		}
		hour := Hour(d.At)
		key := d.Consumer + "/" + hour.Format(time.RFC3339)
		g := byKey[key]
		if g == nil {
			g = &group{consumer: d.Consumer, hour: hour}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.msgs = append(g.msgs, msg)
		if d.StreamSeq >= g.last {
			g.last, g.deliveries = d.StreamSeq, d.Deliveries
		}
	}
	owners := map[string]*consumer.Record{}
	failed := map[string]error{}
	events := &eventStream{js: p.JS}
	for _, g := range groups {
		rec, ok := owners[g.consumer]
		err := failed[g.consumer]
		if !ok && err == nil {
			rec, err = p.Owners.Lookup(ctx, g.consumer)
			if err != nil {
				failed[g.consumer] = err
			} else {
				owners[g.consumer] = rec
			}
		}
		p.notify(ctx, g, rec, err, events, run)
	}
}

// notify adds g to its owner's notice, given the consumer's record (or the error of
// reading it), and settles g's advisories.
func (p *Processor) notify(ctx context.Context, g *group, rec *consumer.Record, lookupErr error, events *eventStream, run *counters) {
	n := int64(len(g.msgs))
	log := slog.With("consumer", g.consumer, "hour", g.hour.Format(time.RFC3339), "dropped", n, "sequence", g.last)
	switch {
	case fault.Is(lookupErr, fault.NotFound):
		// Deleted or expired since: its owner has nothing left to act on.
		log.WarnContext(ctx, "advisory: a consumer without a record dropped messages; no notice")
		p.settleAll(g.msgs, false, &run.skipped, &p.total.skipped)
		return
	case lookupErr != nil:
		log.ErrorContext(ctx, "advisory: reading the consumer failed; will retry", "error", lookupErr.Error())
		p.settleAll(g.msgs, true, &run.retried, &p.total.retried)
		return
	}
	uuid := events.uuid(ctx, g.last)
	_, _, err := p.Inbox.AddTally(ctx, inbox.Tally{
		UserID:    rec.Owner,
		ID:        NoticeID(g.consumer, rec.Owner, g.hour),
		Add:       n,
		Last:      g.last,
		EventUUID: uuid,
		Content: func(count int64, last uint64) inbox.Content {
			return Content(g.consumer, g.hour, g.deliveries, count, last)
		},
	})
	if err != nil {
		log.ErrorContext(ctx, "advisory: writing the owner's notice failed; will retry", "uuid", uuid, "error", err.Error())
		p.settleAll(g.msgs, true, &run.retried, &p.total.retried)
		return
	}
	log.InfoContext(ctx, "advisory: the owner was told of dropped messages", "uuid", uuid, "owner", rec.Owner)
	p.settleAll(g.msgs, false, &run.dropped, &p.total.dropped)
}

// eventStream reads events of HERALD_EVENTS by sequence, opening the stream once.
type eventStream struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// uuid returns the uuid (the Nats-Msg-Id) of the event at seq, or "" when the stream no
// longer has it.
func (e *eventStream) uuid(ctx context.Context, seq uint64) string {
	if e.stream == nil {
		s, err := e.js.Stream(ctx, event.StreamName)
		if err != nil {
			return ""
		}
		e.stream = s
	}
	msg, err := e.stream.GetMsg(ctx, seq)
	if err != nil {
		return ""
	}
	return msg.Header.Get(nats.MsgIdHdr)
}

// settleAll acknowledges msgs, or hands them back for later when retry, counting them.
func (p *Processor) settleAll(msgs []jetstream.Msg, retry bool, runCount, total *atomic.Int64) {
	delay := p.NakDelay
	if delay <= 0 {
		delay = DefaultNakDelay
	}
	for _, msg := range msgs {
		if retry {
			settle(func() error { return msg.NakWithDelay(delay) }, runCount, total)
		} else {
			settle(msg.Ack, runCount, total)
		}
	}
}

// settle acknowledges (or NAKs) one advisory and counts it.
func settle(ack func() error, runCount, total *atomic.Int64) {
	_ = ack()
	runCount.Add(1)
	total.Add(1)
}
