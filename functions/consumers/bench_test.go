package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/reply"
)

// BenchmarkFetchAck measures messages/s fetched and acknowledged through the handler
// (GET …/batch?batch_size=100, then POST /v1/acknowledge of those replies: decoding,
// permission checks, signing, verifying, confirmed acks) against a raw JetStream loop
// in the same run (FetchNoWait(100), Ack each without waiting for a confirmation) over
// the same events, and the p50/p99 latency of one batch fetch through the handler.
//
// The filtered variant (filtered-msgs/s) runs a consumer with a filter on
// data.metadata.title over the same events, half of which match: Herald hides the
// other half (acknowledging each) and the batches fill up with the matching ones. Its
// rate counts every event the consumer got through, shown or hidden, in the handler's
// time, so that it compares with the raw loop over the same events.
func BenchmarkFetchAck(b *testing.B) {
	const batch, perIteration = 100, 2000
	h, js := newHandler(b)
	ctx := context.Background()
	// The handler logs every acknowledge request; the lines cost their formatting
	// here as in Lambda, but would bury the results.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	claims := &auth.Claims{Subject: "bench-" + uuid.NewString()[:8], TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}}

	var handlerTime, filteredTime, rawTime, rawSyncTime time.Duration
	var fetchLatencies, filteredLatencies []time.Duration
	// round runs one iteration's events through the handler and the raw loops, adding
	// to the totals above.
	round := func(perIteration int) {
		first := uint64(0)
		for i := range perIteration {
			title := "Draft"
			if i%2 == 0 {
				title = "Final"
			}
			body := fmt.Sprintf(`{"uuid":%q,"event":"resource.ResourceUpdated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"collection","path":"projects/p1/collections/c%d"},"data":{"metadata":{"title":"%s cut %d"}}}`, uuid.NewString(), i, title, i)
			ack, err := js.Publish(ctx, event.Subject("resource.ResourceUpdated", fmt.Sprintf("projects/p1/collections/c%d", i)), []byte(body))
			if err != nil {
				b.Fatal(err)
			}
			if first == 0 {
				first = ack.Sequence
			}
		}
		spec := fmt.Sprintf(`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"deliver_policy":"by_start_sequence","start_sequence":%d`, first)
		// Through the handler, without a filter and then with one.
		handlerTime += drain(b, h, claims, spec+"}", batch, perIteration, &fetchLatencies)
		filteredTime += drain(b, h, claims, spec+`,"filter":{"data.metadata.title":{"prefix":"Final"}}}`, batch, (perIteration+1)/2, &filteredLatencies)

		// Raw JetStream over the same events, twice: acks sent without waiting (the
		// fastest loop, and the goal's baseline), and acks confirmed one by one with
		// AckSync (what a client needs to know its acks were applied, as the handler's
		// answer tells).
		for _, confirmed := range []bool{false, true} {
			raw, err := js.CreateConsumer(ctx, event.StreamName, jetstream.ConsumerConfig{
				FilterSubject: "herald.events.*.*.projects.p1.>", AckPolicy: jetstream.AckExplicitPolicy,
				DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: first, MaxAckPending: 10_000,
			})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for done := 0; done < perIteration; {
				msgs, err := raw.FetchNoWait(batch)
				if err != nil {
					b.Fatal(err)
				}
				for m := range msgs.Messages() {
					ack := m.Ack
					if confirmed {
						ack = func() error { return m.DoubleAck(ctx) }
					}
					if err := ack(); err != nil {
						b.Fatal(err)
					}
					done++
				}
			}
			if err := js.Conn().Flush(); err != nil {
				b.Fatal(err)
			}
			if confirmed {
				rawSyncTime += time.Since(start)
			} else {
				rawTime += time.Since(start)
			}
		}
	}
	// Warm-up: a smaller round, not counted, so that no measured one pays for opening
	// connections or filling caches.
	round(batch * 2)
	handlerTime, filteredTime, rawTime, rawSyncTime, fetchLatencies, filteredLatencies = 0, 0, 0, 0, nil, nil
	for b.Loop() {
		round(perIteration)
	}
	n := float64(b.N * perIteration)
	handlerRate, rawRate := n/handlerTime.Seconds(), n/rawTime.Seconds()
	b.ReportMetric(handlerRate, "msgs/s")
	b.ReportMetric(rawRate, "base-msgs/s")
	b.ReportMetric(handlerRate/rawRate, "ratio")
	b.ReportMetric(n/filteredTime.Seconds(), "filtered-msgs/s")
	b.ReportMetric(n/rawSyncTime.Seconds(), "raw-acksync-msgs/s")
	b.ReportMetric(percentileMS(fetchLatencies, 50), "fetch-p50-ms")
	b.ReportMetric(percentileMS(fetchLatencies, 99), "fetch-p99-ms")
	b.ReportMetric(percentileMS(filteredLatencies, 50), "filtered-fetch-p50-ms")
}

// drain creates a consumer of spec and fetches and acknowledges through h, in batches
// of batch, until it has had want messages, and returns the time spent in the handler.
// Only that time counts: decoding the answer and encoding the acknowledgement is the
// client's work, done on the client's machine. Each fetch's latency is added to
// latencies.
func drain(b *testing.B, h *Handler, claims *auth.Claims, spec string, batch, want int, latencies *[]time.Duration) time.Duration {
	ctx := context.Background()
	var created struct {
		ID string `json:"id"`
	}
	resp, _ := h.Handle(ctx, request("POST", "/v1/consumers", "", spec, claims, nil))
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(resp.Body), &created) != nil {
		b.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	query := map[string]string{"batch_size": fmt.Sprint(batch)}
	var spent time.Duration
	for done := 0; done < want; {
		t0 := time.Now()
		resp, _ := h.Handle(ctx, request("GET", "/v1/consumers/{id}/batch", created.ID, "", claims, query))
		fetchTime := time.Since(t0)
		*latencies = append(*latencies, fetchTime)
		var out struct {
			Messages []struct {
				Reply reply.Reply `json:"reply"`
			} `json:"messages"`
		}
		if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(resp.Body), &out) != nil {
			b.Fatalf("batch: %d %s", resp.StatusCode, resp.Body)
		}
		if len(out.Messages) == 0 {
			b.Fatalf("batch: empty after %d of %d messages", done, want)
		}
		rs := make([]reply.Reply, len(out.Messages))
		for i, m := range out.Messages {
			rs[i] = m.Reply
		}
		body, _ := json.Marshal(map[string]any{"replies": rs, "action": "ack"})
		t1 := time.Now()
		if resp, _ := h.Handle(ctx, request("POST", "/v1/acknowledge", "", string(body), nil, nil)); resp.StatusCode != http.StatusOK {
			b.Fatalf("acknowledge: %d %s", resp.StatusCode, resp.Body)
		}
		spent += fetchTime + time.Since(t1)
		done += len(rs)
	}
	return spent
}

// percentileMS returns the p-th percentile of ds in milliseconds.
func percentileMS(ds []time.Duration, p int) float64 {
	slices.Sort(ds)
	return float64(ds[len(ds)*p/100].Microseconds()) / 1000
}
