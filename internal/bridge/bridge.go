package bridge

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
	"github.com/heraldhq/herald/internal/trace"
)

// Bridge relays events from JetStream to SNS.
type Bridge struct {
	js   jetstream.JetStream
	pub  *fanout.Publisher
	opts Options
	log  *slog.Logger

	total counters // since New, across runs
}

// New returns a Bridge reading through js and publishing with pub.
func New(js jetstream.JetStream, pub *fanout.Publisher, opts Options) *Bridge {
	return &Bridge{js: js, pub: pub, opts: opts.withDefaults(), log: slog.Default()}
}

// Stats count what one Run did.
type Stats struct {
	Relayed      int64 // acknowledged after SNS accepted them
	DeadLettered int64 // invalid, copied to the dead-letter subject and terminated
	Nakked       int64 // SNS kept failing; handed back to NATS for later redelivery
}

// counters are Stats that goroutines update concurrently.
type counters struct{ relayed, deadLettered, nakked atomic.Int64 }

func (c *counters) stats() Stats {
	return Stats{Relayed: c.relayed.Load(), DeadLettered: c.deadLettered.Load(), Nakked: c.nakked.Load()}
}

// tally counts one run's outcomes into the run's counters and the bridge's totals.
type tally struct{ run, total *counters }

func (t tally) relayed(n int64)      { t.run.relayed.Add(n); t.total.relayed.Add(n) }
func (t tally) deadLettered(n int64) { t.run.deadLettered.Add(n); t.total.deadLettered.Add(n) }
func (t tally) nakked(n int64)       { t.run.nakked.Add(n); t.total.nakked.Add(n) }

// Stats returns what the bridge did since New, across runs, while it runs: for health
// reports and for waiting on progress without asking the server.
func (b *Bridge) Stats() Stats { return b.total.stats() }

// ConsumerConfig is the durable consumer's configuration.
func (b *Bridge) ConsumerConfig() jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       ConsumerName,
		Description:   "Herald bridge: HERALD_EVENTS to the SNS topic",
		FilterSubject: event.StreamSubjects,
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckWait:       b.opts.AckWait,
		MaxDeliver:    -1, // never give up: an SNS outage must not lose events
		MaxAckPending: b.opts.MaxAckPending,
		MaxWaiting:    512,
	}
}

// EnsureConsumer creates the durable consumer or updates it to ConsumerConfig.
func (b *Bridge) EnsureConsumer(ctx context.Context) (jetstream.Consumer, error) {
	c, err := b.js.CreateOrUpdateConsumer(ctx, event.StreamName, b.ConsumerConfig())
	if err != nil {
		return nil, fmt.Errorf("bridge: ensuring consumer %s: %w", ConsumerName, err)
	}
	return c, nil
}

// item is one valid event on its way to SNS.
type item struct {
	msg   jetstream.Msg
	uuid  string
	entry fanout.Entry
}

// Run relays until ctx is done, then stops pulling, finishes what it holds (publishing or
// NAKing every message it received) and returns.
//
// It pulls with one bounded Fetch after another rather than a long-lived iterator: each
// pull asks for what the bridge can take and ends by itself within PullWait, so a stop is
// prompt and nothing the server sent is left in a client buffer until AckWait.
func (b *Bridge) Run(ctx context.Context) (Stats, error) {
	var run counters
	stats := tally{run: &run, total: &b.total}
	cons, err := b.EnsureConsumer(ctx)
	if err != nil {
		if ctx.Err() != nil {
			// Stopped while starting: nothing was fetched, so nothing is left undone.
			return Stats{}, nil
		}
		return Stats{}, err
	}

	// Work finishing after ctx ends (acks, NAKs, the last publishes) uses its own
	// context, so that stopping never abandons a message halfway.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()

	items := make(chan item, b.opts.PullBatch)
	batches := make(chan []item, b.opts.Concurrency)
	var workers sync.WaitGroup
	for range b.opts.Concurrency {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for batch := range batches {
				b.publish(work, ctx, batch, stats)
			}
		}()
	}
	go func() {
		b.batch(items, batches)
		close(batches)
	}()

	// A pull never outlasts the run's deadline: a scheduled run must end on time.
	runErr := bus.Pull(ctx, b.log, "bridge", ConsumerName, cons, b.opts.PullBatch, func() time.Duration {
		wait := b.opts.PullWait
		if deadline, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(deadline))
		}
		return wait
	}, func(fetch jetstream.MessageBatch) {
		for msg := range fetch.Messages() {
			if it, ok := b.prepare(work, msg, stats); ok {
				items <- it
			}
		}
	})
	close(items)
	workers.Wait()
	// Acks are fire-and-forget; flush them before a Lambda freezes or a daemon exits, so
	// that nothing relayed is redelivered as a duplicate.
	if err := b.js.Conn().FlushTimeout(5 * time.Second); err != nil && runErr == nil && !b.js.Conn().IsClosed() {
		runErr = fmt.Errorf("bridge: flushing acknowledgements: %w", err)
	}
	return run.stats(), runErr
}

// prepare validates msg and turns it into an item. An invalid message is dead-lettered
// here and reported as not ok.
func (b *Bridge) prepare(ctx context.Context, msg jetstream.Msg, stats tally) (item, bool) {
	meta, err := msg.Metadata()
	if err != nil {
		// Not a JetStream message: nothing to acknowledge.
		return item{}, false
	}
	e, err := event.CheckStored(msg.Subject(), msg.Data())
	if err != nil {
		uuid := ""
		if e != nil {
			uuid = e.UUID
		}
		b.deadLetter(ctx, msg, meta, uuid, err, stats)
		return item{}, false
	}
	return item{
		msg:  msg,
		uuid: e.UUID,
		entry: fanout.Entry{
			Body:       string(msg.Data()),
			Attributes: fanout.WithTrace(fanout.Attributes(e, meta.Sequence.Stream), msg.Headers().Get(trace.Header)),
		},
	}, true
}

// deadLetter copies msg to the dead-letter subject and terminates it. uuid is the event's,
// when the message decoded far enough to have one.
func (b *Bridge) deadLetter(ctx context.Context, msg jetstream.Msg, meta *jetstream.MsgMetadata, uuid string, reason error, stats tally) {
	dl := nats.NewMsg(event.DeadLetterSubject)
	dl.Data = msg.Data()
	for k, v := range msg.Headers() {
		dl.Header[k] = v
	}
	dl.Header.Set(bus.ErrorHeader, reason.Error())
	dl.Header.Set("Herald-Subject", msg.Subject())
	dl.Header.Set("Herald-Sequence", fmt.Sprint(meta.Sequence.Stream))
	// The original Nats-Msg-Id would be deduplicated against other dead letters; use the
	// stream sequence, unique per original message.
	dl.Header.Set(nats.MsgIdHdr, fmt.Sprintf("deadletter-%d", meta.Sequence.Stream))
	if _, err := b.js.PublishMsg(ctx, dl); err != nil {
		b.log.Error("bridge: dead-lettering failed; will retry", "uuid", uuid, "sequence", meta.Sequence.Stream, "error", err.Error())
		_ = msg.NakWithDelay(b.opts.nakDelay(meta.NumDelivered))
		stats.nakked(1)
		return
	}
	b.log.Warn("bridge: invalid event dead-lettered", "uuid", uuid, "sequence", meta.Sequence.Stream, "subject", msg.Subject(), "reason", reason.Error())
	_ = msg.Term()
	stats.deadLettered(1)
}

// batch groups items into batches within SNS's limits. A batch is sent when full, or when
// no item arrived for Linger.
func (b *Bridge) batch(items <-chan item, out chan<- []item) {
	var cur []item
	size := 0
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(cur) > 0 {
			out <- cur
			cur, size = nil, 0
		}
		timer.Stop()
	}
	for {
		select {
		case it, ok := <-items:
			if !ok {
				flush()
				return
			}
			if s := it.entry.Size(); len(cur) > 0 && size+s > fanout.MaxBatchBytes {
				flush()
			}
			cur = append(cur, it)
			size += it.entry.Size()
			if len(cur) == fanout.MaxBatchEntries {
				flush()
			} else if len(cur) == 1 {
				timer.Reset(b.opts.Linger)
			}
		case <-timer.C:
			flush()
		}
	}
}

// publish sends one batch, retrying the entries SNS did not accept, acknowledging each
// message as soon as its entry is accepted. Retries stop early once run is done, so that
// a stopping bridge hands failing messages back to NATS promptly.
func (b *Bridge) publish(ctx, run context.Context, batch []item, stats tally) {
	pending := batch
	backoff := b.opts.RetryBackoff
	for attempt := 0; ; attempt++ {
		entries := make([]fanout.Entry, len(pending))
		for i, it := range pending {
			entries[i] = it.entry
		}
		errs, err := b.pub.PublishBatch(ctx, entries)
		var failed []item
		var lastErr error
		for i, it := range pending {
			e := err
			if e == nil {
				e = errs[i]
			}
			if e != nil {
				failed = append(failed, it)
				lastErr = e
				continue
			}
			_ = it.msg.Ack()
			stats.relayed(1)
		}
		if len(failed) == 0 {
			return
		}
		pending = failed
		if attempt >= b.opts.Retries || run.Err() != nil {
			uuids := make([]string, len(pending))
			for i, it := range pending {
				delay := b.opts.NakDelay
				if meta, err := it.msg.Metadata(); err == nil {
					delay = b.opts.nakDelay(meta.NumDelivered)
				}
				_ = it.msg.NakWithDelay(delay)
				uuids[i] = it.uuid
			}
			stats.nakked(int64(len(pending)))
			// One line per batch, not per event: an outage would otherwise flood the log.
			b.log.Warn("bridge: SNS did not accept events; redelivery scheduled", "uuids", uuids, "error", lastErr.Error())
			return
		}
		select {
		case <-time.After(backoff):
		case <-run.Done():
		}
		backoff *= 2
	}
}

// Close flushes what the NATS connection still holds (acknowledgements) and closes it.
func (b *Bridge) Close() error {
	bus.Close(b.js)
	return nil
}
