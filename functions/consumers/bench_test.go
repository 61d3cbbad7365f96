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
func BenchmarkFetchAck(b *testing.B) {
	const batch, perIteration = 100, 2000
	h, js := newHandler(b)
	ctx := context.Background()
	// The handler logs every acknowledge request; the lines cost their formatting
	// here as in Lambda, but would bury the results.
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	claims := &auth.Claims{Subject: "bench-" + uuid.NewString()[:8], TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}}

	var handlerTime, rawTime, rawSyncTime time.Duration
	var fetchLatencies []time.Duration
	// round runs one iteration's events through the handler and the raw loops, adding
	// to the totals above.
	round := func(perIteration int) {
		first := uint64(0)
		for i := range perIteration {
			body := fmt.Sprintf(`{"uuid":%q,"event":"resource.ResourceUpdated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"collection","path":"projects/p1/collections/c%d"}}`, uuid.NewString(), i)
			ack, err := js.Publish(ctx, event.Subject("resource.ResourceUpdated", fmt.Sprintf("projects/p1/collections/c%d", i)), []byte(body))
			if err != nil {
				b.Fatal(err)
			}
			if first == 0 {
				first = ack.Sequence
			}
		}
		spec := fmt.Sprintf(`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"deliver_policy":"by_start_sequence","start_sequence":%d}`, first)

		// Through the handler.
		var created struct {
			ID string `json:"id"`
		}
		resp, _ := h.Handle(ctx, request("POST", "/v1/consumers", "", spec, claims, nil))
		if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(resp.Body), &created) != nil {
			b.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
		}
		query := map[string]string{"batch_size": fmt.Sprint(batch)}
		// Only the time spent in the handler counts: decoding the answer and encoding
		// the acknowledgement is the client's work, done on the client's machine.
		for done := 0; done < perIteration; {
			t0 := time.Now()
			resp, _ := h.Handle(ctx, request("GET", "/v1/consumers/{id}/batch", created.ID, "", claims, query))
			fetchTime := time.Since(t0)
			fetchLatencies = append(fetchLatencies, fetchTime)
			var out struct {
				Messages []struct {
					Reply reply.Reply `json:"reply"`
				} `json:"messages"`
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(resp.Body), &out) != nil {
				b.Fatalf("batch: %d %s", resp.StatusCode, resp.Body)
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
			handlerTime += fetchTime + time.Since(t1)
			done += len(rs)
		}

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
	handlerTime, rawTime, rawSyncTime, fetchLatencies = 0, 0, 0, nil
	for b.Loop() {
		round(perIteration)
	}
	n := float64(b.N * perIteration)
	handlerRate, rawRate := n/handlerTime.Seconds(), n/rawTime.Seconds()
	b.ReportMetric(handlerRate, "msgs/s")
	b.ReportMetric(rawRate, "base-msgs/s")
	b.ReportMetric(handlerRate/rawRate, "ratio")
	b.ReportMetric(n/rawSyncTime.Seconds(), "raw-acksync-msgs/s")
	slices.Sort(fetchLatencies)
	b.ReportMetric(float64(fetchLatencies[len(fetchLatencies)/2].Microseconds())/1000, "fetch-p50-ms")
	b.ReportMetric(float64(fetchLatencies[len(fetchLatencies)*99/100].Microseconds())/1000, "fetch-p99-ms")
}
