package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
)

// BenchmarkDeliver measures webhook deliveries/s through the Deliver handler (batches of
// 10, run ten at a time as Handle does: reading the delivery and the trigger, signing,
// the guarded send, logging the attempt in DynamoDB) against a local receiver, and a
// plain net/http client loop with the same concurrency posting the same bodies to the
// same receiver, in the same run.
func BenchmarkDeliver(b *testing.B) {
	const perIteration = 200
	x := newHarness(b, true)
	// Every delivery logs a line; they cost their formatting here as in Lambda, but
	// would bury the results.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer receiver.Close()
	tr := x.trigger(b, `{"type":"http","url":"`+receiver.URL+`/hook"}`).ID
	ctx := context.Background()

	var handlerTime, plainTime time.Duration
	// round delivers n tasks through the handler, then the same bodies with the plain
	// loop, adding to the totals above.
	round := func(n int) {
		msgs := make([]awsevents.SQSMessage, n)
		bodies := make([][]byte, n)
		for i := range msgs {
			ev := &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC(), Resource: &event.Resource{Type: "collection", Path: "projects/p1/c"}}
			raw, _ := json.Marshal(ev)
			task := &delivery.Task{TriggerID: tr, DeliveryID: delivery.ID(ev.UUID, tr, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
			if _, err := x.h.Deliveries.Claim(ctx, task); err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(task)
			msgs[i] = awsevents.SQSMessage{MessageId: task.DeliveryID, Body: string(body)}
			bodies[i] = raw
		}
		start := time.Now()
		for i := 0; i < n; i += 10 {
			resp, err := x.h.Handle(ctx, awsevents.SQSEvent{Records: msgs[i : i+10]})
			if err != nil || len(resp.BatchItemFailures) != 0 {
				b.Fatalf("Handle: %v %+v", err, resp)
			}
		}
		handlerTime += time.Since(start)

		start = time.Now()
		work := make(chan []byte)
		var wg sync.WaitGroup
		for range concurrency {
			wg.Go(func() {
				for body := range work {
					resp, err := http.Post(receiver.URL+"/hook", "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
		for _, body := range bodies {
			work <- body
		}
		close(work)
		wg.Wait()
		plainTime += time.Since(start)
	}
	// Warm-up: one batch of each, not counted, so that no measured round pays for
	// opening connections.
	round(10)
	handlerTime, plainTime = 0, 0
	for b.Loop() {
		round(perIteration)
	}
	n := float64(b.N * perIteration)
	b.ReportMetric(n/handlerTime.Seconds(), "deliveries/s")
	b.ReportMetric(n/plainTime.Seconds(), "base-deliveries/s")
	b.ReportMetric(plainTime.Seconds()/handlerTime.Seconds(), "ratio")
}
