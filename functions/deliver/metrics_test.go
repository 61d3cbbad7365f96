package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/metrics"
)

// TestMetrics: each attempt counts as succeeded or failed, each failure then as retried
// or exhausted, and each success's latency from the event's timestamp, by Stack and by
// Stack and the action's type.
func TestMetrics(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int  // the webhook's answers; none for a nats action
		schedule string // the one retry
		status   string // the delivery's end
		typ      string
		want     map[string]float64 // sums; every Deliveries* metric not named must be absent
	}{
		{"success after a retry", []int{500, 200}, "1s", delivery.StatusSucceeded, "http",
			map[string]float64{metrics.DeliveriesFailed: 1, metrics.DeliveriesRetried: 1, metrics.DeliveriesSucceeded: 1}},
		{"exhausted", []int{500}, "1s", delivery.StatusExhausted, "http",
			map[string]float64{metrics.DeliveriesFailed: 2, metrics.DeliveriesRetried: 1, metrics.DeliveriesExhausted: 1}},
		{"gone", []int{410}, "1s", delivery.StatusExhausted, "http",
			map[string]float64{metrics.DeliveriesFailed: 1, metrics.DeliveriesExhausted: 1}},
		{"nats", nil, "1s", delivery.StatusSucceeded, "nats",
			map[string]float64{metrics.DeliveriesSucceeded: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newHarness(t, true)
			var out bytes.Buffer
			x.h.Metrics = metrics.NewWriter(&out, "herald-test")
			action := `{"type":"nats","subject":"herald.actions.metrics"}`
			if tt.statuses != nil {
				action = `{"type":"http","url":"` + newReceiver(t, tt.statuses...).URL + `"}`
			}
			tr := x.trigger(t, action, tt.schedule)
			if rec := x.run(t, x.queue(t, tr), 30*time.Second); rec.Status != tt.status {
				t.Fatalf("delivery %+v, want %s", rec, tt.status)
			}
			view := metricsview.New()
			for _, line := range bytes.SplitAfter(out.Bytes(), []byte("\n")) {
				view.Line(line)
			}
			snap := view.Snapshot()
			stack := map[string]string{"Stack": "herald-test"}
			byType := map[string]string{"Stack": "herald-test", "ActionType": tt.typ}
			for _, name := range []string{metrics.DeliveriesSucceeded, metrics.DeliveriesFailed, metrics.DeliveriesRetried, metrics.DeliveriesExhausted} {
				for _, dims := range []map[string]string{stack, byType} {
					s, ok := snap.Find(name, dims)
					want, named := tt.want[name]
					if ok != named || s.Sum != want {
						t.Errorf("%s by %v: %+v (written %v), want sum %v (written %v)\n%s", name, dims, s, ok, want, named, out.Bytes())
					}
				}
			}
			succeeded := tt.want[metrics.DeliveriesSucceeded]
			for _, dims := range []map[string]string{stack, byType} {
				s, ok := snap.Find(metrics.DeliveryLatency, dims)
				if ok != (succeeded > 0) || s.Samples != int(succeeded) || s.Min < 0 || (ok && s.Unit != "Milliseconds") {
					t.Errorf("DeliveryLatency by %v: %+v (written %v), want %v samples of at least 0 ms", dims, s, ok, succeeded)
				}
			}
		})
	}
}
