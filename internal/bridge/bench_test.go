package bridge_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

// benchEvents is how many events each iteration moves, through the bridge and through
// the plain loop alike.
const benchEvents = 5000

// BenchmarkBridge measures events/s from the JetStream stream to SNS through the bridge,
// and, in the same run against the same fauxqs topic, a plain loop of concurrent
// PublishBatch calls (10 entries each, as many in flight as the bridge has) sending the
// same messages: the fastest any relay could go there. ratio is bridge/plain. A smaller
// round of each runs first, untimed, so that neither pays for opening connections.
func BenchmarkBridge(b *testing.B) {
	r := newRig(b, "")
	ctx := context.Background()
	opts := bridge.Options{}
	concurrency := 16 // bridge.Options' default
	pub := fanout.NewPublisher(env.SNS, r.topicARN)

	prepare := func(n int) ([]*event.Event, []fanout.Entry) {
		events := make([]*event.Event, n)
		entries := make([]fanout.Entry, n)
		for j := range events {
			events[j] = testEvent(j, "resource.ResourceUpdated")
			body, err := events[j].MarshalJSON()
			if err != nil {
				b.Fatal(err)
			}
			entries[j] = fanout.Entry{Body: string(body), Attributes: fanout.Attributes(events[j], uint64(j+1))}
		}
		return events, entries
	}
	// plain sends entries as the baseline does and returns how long it took.
	plain := func(entries []fanout.Entry) time.Duration {
		start := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range concurrency {
			wg.Go(func() {
				for {
					lo := int(next.Add(fanout.MaxBatchEntries)) - fanout.MaxBatchEntries
					if lo >= len(entries) {
						return
					}
					errs, err := pub.PublishBatch(ctx, entries[lo:min(lo+fanout.MaxBatchEntries, len(entries))])
					if err != nil {
						b.Error(err)
						return
					}
					for _, e := range errs {
						if e != nil {
							b.Error(e)
						}
					}
				}
			})
		}
		wg.Wait()
		took := time.Since(start)
		purge(b, r.queueURL)
		return took
	}
	// relay puts events on the stream, then times a new bridge from its start until it
	// has relayed them all.
	relay := func(events []*event.Event) time.Duration {
		r.publish(b, events)
		runCtx, cancel := context.WithCancel(ctx)
		br := bridge.New(r.js, pub, opts)
		done := make(chan error, 1)
		start := time.Now()
		go func() { _, err := br.Run(runCtx); done <- err }()
		// Polling the bridge's own counter keeps the NATS server out of the measurement.
		for br.Stats().Relayed < int64(len(events)) {
			time.Sleep(time.Millisecond)
		}
		took := time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		purge(b, r.queueURL)
		return took
	}

	warmEvents, warmEntries := prepare(500)
	plain(warmEntries)
	relay(warmEvents)

	var bridgeTime, plainTime time.Duration
	for b.Loop() {
		events, entries := prepare(benchEvents)
		plainTime += plain(entries)
		bridgeTime += relay(events)
	}
	n := float64(b.N * benchEvents)
	bridgeRate := n / bridgeTime.Seconds()
	plainRate := n / plainTime.Seconds()
	b.ReportMetric(bridgeRate, "events/s")
	b.ReportMetric(plainRate, "base-events/s")
	b.ReportMetric(bridgeRate/plainRate, "ratio")
}

// purge empties the subscribed queue, so that each measurement starts with the same
// emulator state.
func purge(b *testing.B, queueURL string) {
	if _, err := env.SQS.PurgeQueue(context.Background(), &sqs.PurgeQueueInput{QueueUrl: aws.String(queueURL)}); err != nil {
		b.Fatal(err)
	}
}
