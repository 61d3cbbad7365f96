package advisory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go"
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
	// Skipped counts advisories acknowledged without a notice: unreadable, not Herald's
	// consumer, no record or an unreadable one, or denied by the record's max_deliver
	// (forged).
	Skipped int64
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

// flushReserve is what a batch leaves of the time to finish for flushing its
// acknowledgements.
const flushReserve = time.Second

// Run reads advisories until ctx is done, and returns what this run did. It pulls with
// bounded Fetches that end within PullWait (and before ctx's deadline), so that a
// scheduled run stops on time; the batch in hand when ctx ends is finished first. When
// finish is not zero, every batch ends by then, its acknowledgements flushed, whatever
// is left of it handed back for later: a scheduled run gives the invocation's deadline
// less a margin, so that no batch outlives the invocation with notices written and
// advisories not acknowledged. (Those would count nothing twice, see handle, but
// would be read again for nothing.)
func (p *Processor) Run(ctx context.Context, finish time.Time) (Stats, error) {
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
	runErr := bus.Pull(ctx, slog.Default(), "advisory", ConsumerName, cons, batchSize, func() time.Duration {
		wait := pullWait
		if deadline, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(deadline))
		}
		if !finish.IsZero() {
			wait = min(wait, time.Until(finish.Add(-flushReserve)))
		}
		return wait
	}, func(fetch jetstream.MessageBatch) {
		var msgs []jetstream.Msg
		for msg := range fetch.Messages() {
			msgs = append(msgs, msg)
		}
		if len(msgs) == 0 {
			return
		}
		// Done well within AckWait, so that no advisory comes back while its notice is
		// being written, and by finish.
		end := time.Now().Add(AckWait / 2)
		if !finish.IsZero() && finish.Add(-flushReserve).Before(end) {
			end = finish.Add(-flushReserve)
		}
		batchCtx, cancel := context.WithDeadline(work, end)
		p.handle(batchCtx, msgs, ackFloor(batchCtx, cons), &run)
		cancel()
	})
	flush := 5 * time.Second
	if !finish.IsZero() {
		flush = min(flush, max(time.Until(finish), 100*time.Millisecond))
	}
	if err := p.JS.Conn().FlushTimeout(flush); err != nil && runErr == nil && !p.JS.Conn().IsClosed() {
		runErr = fmt.Errorf("advisory: flushing acknowledgements: %w", err)
	}
	return run.stats(), runErr
}

// ackFloor returns the stream sequence of HERALD_ADVISORIES at or below which cons has
// every advisory acknowledged, or 0 when it cannot tell.
func ackFloor(ctx context.Context, cons jetstream.Consumer) uint64 {
	info, err := cons.Info(ctx)
	if err != nil {
		return 0
	}
	return info.AckFloor.Stream
}

// advisory is one advisory in hand: its message, its sequence on HERALD_ADVISORIES and
// the drop it tells of.
type advisory struct {
	msg jetstream.Msg
	seq uint64
	Drop
}

// group is the drops of one consumer in one hour within a batch: one notice's addition.
type group struct {
	consumer string
	hour     time.Time
	drops    []advisory
}

// handle turns one batch of advisories into notices: one addition per consumer and hour,
// one record lookup per consumer. Each addition is marked with the advisories' own
// sequences, and floor is where the durable consumer's acknowledgements stand: an
// advisory handled again (its acknowledgement lost, or its notice written but the answer
// not received) counts nothing twice.
func (p *Processor) handle(ctx context.Context, msgs []jetstream.Msg, floor uint64, run *counters) {
	var groups []*group
	byKey := map[string]*group{}
	for _, msg := range msgs {
		a, err := read(msg)
		if err != nil {
			slog.WarnContext(ctx, "advisory: unreadable advisory acknowledged", "subject", msg.Subject(), "error", err.Error())
			settle(msg.Ack, &run.skipped, &p.total.skipped)
			continue
		}
		if !consumer.ValidID(a.Consumer) {
			// The bridge's own durable, or anything else on the stream: nobody's to tell.
			slog.InfoContext(ctx, "advisory: a consumer that is not Herald's dropped a message", "consumer", a.Consumer, "sequence", a.StreamSeq)
			settle(msg.Ack, &run.skipped, &p.total.skipped)
			continue
		}
		hour := Hour(a.At)
		key := a.Consumer + "/" + hour.Format(time.RFC3339)
		g := byKey[key]
		if g == nil {
			g = &group{consumer: a.Consumer, hour: hour}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.drops = append(g.drops, a)
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
		p.notify(ctx, g, rec, err, events, floor, run)
	}
}

// read parses the advisory msg. The drop's time is when the stream stored it, which
// only the server sets: an advisory's body is whatever its publisher wrote.
func read(msg jetstream.Msg) (advisory, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return advisory{}, fmt.Errorf("advisory: no stream metadata: %w", err)
	}
	d, err := Parse(msg.Subject(), msg.Data(), meta.Timestamp)
	if err != nil {
		return advisory{}, err
	}
	return advisory{msg: msg, seq: meta.Sequence.Stream, Drop: d}, nil
}

// retryable reports whether reading a consumer's record failed for a reason that may
// pass: the table could not be reached (a failed DynamoDB call is a
// smithy.OperationError), or time ran out. Anything else is a record that cannot be
// decoded, which no retry mends.
func retryable(err error) bool {
	var call *smithy.OperationError
	return errors.As(err, &call) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		fault.Is(err, fault.Unavailable)
}

// genuine returns the drops of g that agree with rec's max_deliver, and settles the
// others as forged. JetStream gives a message up after max_deliver deliveries, so its
// advisory says at least that many; an advisory of a consumer without a max_deliver
// (-1), or of fewer deliveries, was published by someone else (or before the
// max_deliver was raised, which is then lost).
func (p *Processor) genuine(ctx context.Context, g *group, rec *consumer.Record, run *counters) []advisory {
	maxDeliver := consumer.DefaultMaxDeliver
	if rec.MaxDeliver != nil {
		maxDeliver = *rec.MaxDeliver
	}
	kept := g.drops[:0:0]
	for _, a := range g.drops {
		if maxDeliver >= 1 && a.Deliveries >= uint64(maxDeliver) {
			kept = append(kept, a)
			continue
		}
		slog.WarnContext(ctx, "advisory: an advisory that the consumer's max_deliver denies; not counted",
			"consumer", g.consumer, "advisory_sequence", a.seq, "sequence", a.StreamSeq, "deliveries", a.Deliveries, "max_deliver", maxDeliver)
		settle(a.msg.Ack, &run.skipped, &p.total.skipped)
	}
	return kept
}

// notify adds g to its owner's notice, given the consumer's record (or the error of
// reading it), and settles g's advisories.
func (p *Processor) notify(ctx context.Context, g *group, rec *consumer.Record, lookupErr error, events *eventStream, floor uint64, run *counters) {
	log := slog.With("consumer", g.consumer, "hour", g.hour.Format(time.RFC3339))
	switch {
	case fault.Is(lookupErr, fault.NotFound):
		// Deleted or expired since: its owner has nothing left to act on.
		log.WarnContext(ctx, "advisory: a consumer without a record dropped messages; no notice", "dropped", len(g.drops))
		p.settleAll(g.drops, false, &run.skipped, &p.total.skipped)
		return
	case lookupErr != nil && retryable(lookupErr):
		log.ErrorContext(ctx, "advisory: reading the consumer failed; will retry", "dropped", len(g.drops), "error", lookupErr.Error())
		p.settleAll(g.drops, true, &run.retried, &p.total.retried)
		return
	case lookupErr != nil:
		// Unreadable: a retry would read the same until the advisories expire.
		log.ErrorContext(ctx, "advisory: the consumer's record is unreadable; no notice", "dropped", len(g.drops), "error", lookupErr.Error())
		p.settleAll(g.drops, false, &run.skipped, &p.total.skipped)
		return
	}
	drops := p.genuine(ctx, g, rec, run)
	if len(drops) == 0 {
		return
	}
	var last, deliveries uint64
	marks := make([]uint64, len(drops))
	for i, a := range drops {
		marks[i] = a.seq
		if a.StreamSeq >= last {
			last, deliveries = a.StreamSeq, a.Deliveries
		}
	}
	n := int64(len(drops))
	log = log.With("dropped", n, "sequence", last)
	uuid := events.uuid(ctx, last, rec.FilterSubjects)
	_, added, err := p.Inbox.AddTally(ctx, inbox.Tally{
		UserID:    rec.Owner,
		ID:        NoticeID(g.consumer, rec.Owner, g.hour),
		Add:       n,
		Last:      last,
		EventUUID: uuid,
		Content: func(count int64, last uint64) inbox.Content {
			return Content(g.consumer, g.hour, deliveries, count, last)
		},
		Marks: marks,
		Floor: floor,
	})
	if err != nil {
		log.ErrorContext(ctx, "advisory: writing the owner's notice failed; will retry", "uuid", uuid, "error", err.Error())
		p.settleAll(drops, true, &run.retried, &p.total.retried)
		return
	}
	// Drops counted before (by a run that died before acknowledging them) count in the
	// stats again: that run reported none.
	log.InfoContext(ctx, "advisory: the owner was told of dropped messages", "uuid", uuid, "owner", rec.Owner, "counted_before", n-added)
	p.settleAll(drops, false, &run.dropped, &p.total.dropped)
}

// eventStream reads events of HERALD_EVENTS by sequence, opening the stream once.
type eventStream struct {
	js     jetstream.JetStream
	stream jetstream.Stream
}

// uuid returns the uuid (the Nats-Msg-Id) of the event at seq, or "" when the stream no
// longer has it or it is not on one of the consumer's subjects filters: an advisory
// forged with another sequence must not show its reader the uuid of an event the
// consumer could never have been sent (another tenant's, say).
func (e *eventStream) uuid(ctx context.Context, seq uint64, filters []string) string {
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
	for _, f := range filters {
		if subjectMatches(f, msg.Subject) {
			return msg.Header.Get(nats.MsgIdHdr)
		}
	}
	return ""
}

// subjectMatches reports whether subject is matched by the NATS subject filter pattern,
// whose tokens may be "*" (any one token) or, last, ">" (one or more).
func subjectMatches(pattern, subject string) bool {
	ps, ss := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, p := range ps {
		switch {
		case p == ">":
			return i == len(ps)-1 && len(ss) > i
		case i >= len(ss):
			return false
		case p != "*" && p != ss[i]:
			return false
		}
	}
	return len(ps) == len(ss)
}

// settleAll acknowledges the advisories, or hands them back for later when retry,
// counting them.
func (p *Processor) settleAll(advisories []advisory, retry bool, runCount, total *atomic.Int64) {
	delay := p.NakDelay
	if delay <= 0 {
		delay = DefaultNakDelay
	}
	for _, a := range advisories {
		msg := a.msg
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
