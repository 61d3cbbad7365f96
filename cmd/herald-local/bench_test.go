package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkEndToEnd measures the latency from POST /v1/events on herald-local to the
// webhook of a matching trigger on a local receiver: the EventsApi, NATS, the bridge,
// SNS, the route queue, the Router, the deliveries queue and Deliver. Events are sent
// one at a time, each after the previous one arrived; the figures are p50 and p99.
func BenchmarkEndToEnd(b *testing.B) {
	p := startStack(b)
	api := p.banner["HTTP API"]
	hook := newHookReceiver(b)
	createTrigger(b, p, api, hook.URL)
	token := strings.TrimSpace(p.shell(b, `printf '%s' "$PUBLISHER_TOKEN"`))
	publish := func() {
		req, _ := http.NewRequest(http.MethodPost, api+"/v1/events", strings.NewReader(`{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/demo/items/i1"}}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var ack struct {
			UUID string `json:"uuid"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&ack)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || ack.UUID == "" {
			b.Fatalf("publish: %d", resp.StatusCode)
		}
	}
	// The trigger reaches the Router at its first batch; one delivery warms every
	// function on the way.
	arrived := func(n int) bool { h, _ := hook.received(); return len(h) >= n }
	publish()
	waitUntil(b, func() bool { return arrived(1) })

	var latencies []time.Duration
	for b.Loop() {
		h, _ := hook.received()
		start := time.Now()
		publish()
		waitUntil(b, func() bool { return arrived(len(h) + 1) })
		latencies = append(latencies, time.Since(start))
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

// waitUntil polls cond every millisecond (the resolution the latency needs) for up to
// 30 s.
func waitUntil(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("the webhook did not arrive within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
}
