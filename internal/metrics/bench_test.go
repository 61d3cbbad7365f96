package metrics

import (
	"io"
	"log/slog"
	"testing"

	"github.com/heraldhq/herald/test/baseline"
)

// BenchmarkDeliverBatch is what the metrics of a Deliver invocation of a full SQS batch
// cost: ten deliveries recorded, then one flush of EMF lines. Baseline: ten slog JSON
// lines, one per delivery, as Deliver logs them anyway; the ratio says what the metrics
// add beside the logs.
func BenchmarkDeliverBatch(b *testing.B) {
	w := NewWriter(io.Discard, "herald-bench")
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	metrics := func() error {
		r := w.Recorder()
		for i := range 10 {
			typ := ActionType(ActionTypes[i%3])
			r.Add(DeliveriesSucceeded, 1, typ)
			r.Add(DeliveryLatency, float64(40+i), typ)
		}
		r.Flush()
		return nil
	}
	logs := func() error {
		for i := range 10 {
			log.Info("delivered", "uuid", "0f186004-f5ea-4720-ad36-b50d4d6e46b8", "action", ActionTypes[i%3], "latency_ms", 40+i)
		}
		return nil
	}
	baseline.Alternate(b, "batches/s", 100, metrics, logs)
}
