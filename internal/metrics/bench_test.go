package metrics

import (
	"io"
	"testing"
)

// BenchmarkDeliverBatch is what a Deliver invocation of a full SQS batch costs: ten
// deliveries recorded, then one flush.
func BenchmarkDeliverBatch(b *testing.B) {
	w := NewWriter(io.Discard, "herald-bench")
	b.ReportAllocs()
	for b.Loop() {
		r := w.Recorder()
		for i := range 10 {
			typ := ActionType(ActionTypes[i%3])
			r.Add(DeliveriesSucceeded, 1, typ)
			r.Add(DeliveryLatency, float64(40+i), typ)
		}
		r.Flush()
	}
}

// BenchmarkAdd is one value recorded into a recorder that already has its metric.
func BenchmarkAdd(b *testing.B) {
	r := NewWriter(io.Discard, "herald-bench").Recorder()
	r.Add(DeliveriesSucceeded, 1, ActionType("http"))
	b.ReportAllocs()
	for b.Loop() {
		r.Add(DeliveriesSucceeded, 1, ActionType("http"))
	}
}
