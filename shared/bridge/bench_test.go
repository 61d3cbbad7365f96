package bridge_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/shared/bridge"
	"github.com/heraldhq/herald/shared/event"
	"github.com/heraldhq/herald/shared/fanout"
)

// benchEvents is how many events each iteration moves, through the bridge and through
// the plain loop alike.
const benchEvents = 5000

// BenchmarkBridge measures events/s from the JetStream stream to SNS through the bridge,
// and, in the same run against the same fauxqs topic, a plain loop of concurrent
// PublishBatch calls (10 entries each, as many in flight as the bridge has) sending the
// same messages: the fastest any relay could go there. ratio is bridge/plain.
func BenchmarkBridge(b *testing.B) {
	r := newRig(b, "")
	ctx := context.Background()
	opts := bridge.Options{}
	concurrency := 16 // bridge.Options' default
	pub := fanout.NewPublisher(env.SNS, r.topicARN)

	var bridgeTime, plainTime time.Duration
	for i := 0; b.Loop(); i++ {
		events := make([]*event.Event, benchEvents)
		entries := make([]fanout.Entry, benchEvents)
		for j := range events {
			events[j] = testEvent(j, "resource.ResourceUpdated")
			body, err := events[j].MarshalJSON()
			if err != nil {
				b.Fatal(err)
			}
			entries[j] = fanout.Entry{Body: string(body), Attributes: fanout.Attributes(events[j], uint64(j+1))}
		}

		// Plain loop.
		b.StopTimer()
		start := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
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
			}()
		}
		wg.Wait()
		plainTime += time.Since(start)

		purge(b, r.queueURL)

		// Bridge: the events wait on the stream; time from start to all acknowledged.
		r.publish(b, events)
		runCtx, cancel := context.WithCancel(ctx)
		br := bridge.New(r.js, pub, opts)
		done := make(chan error, 1)
		start = time.Now()
		b.StartTimer()
		go func() { _, err := br.Run(runCtx); done <- err }()
		// Polling the bridge's own counter keeps the NATS server out of the measurement.
		for br.Stats().Relayed < benchEvents {
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		bridgeTime += time.Since(start)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		purge(b, r.queueURL)
		b.StartTimer()
	}
	n := float64(b.N * benchEvents)
	bridgeRate := n / bridgeTime.Seconds()
	plainRate := n / plainTime.Seconds()
	b.ReportMetric(bridgeRate, "bridge-events/s")
	b.ReportMetric(plainRate, "plain-events/s")
	b.ReportMetric(bridgeRate/plainRate, "ratio")
}

// purge empties the subscribed queue, so that each measurement starts with the same
// emulator state.
func purge(b *testing.B, queueURL string) {
	if _, err := env.SQS.PurgeQueue(context.Background(), &sqs.PurgeQueueInput{QueueUrl: aws.String(queueURL)}); err != nil {
		b.Fatal(err)
	}
}
