package lambdalocal

import (
	"context"
	"testing"
	"time"
)

// BenchmarkColdStart measures Warm on a fresh function: Runtime API server, process
// start, and the runtime's init up to its first GET /next. The coldstart-ns metric is the
// part from process start to that request, as ColdStarts reports it.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	var total time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		f, err := New(Config{Name: "Bench", Binary: testBinary, MaxInstances: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := f.Warm(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, d := range f.ColdStarts() {
			total += d
			n++
		}
		f.Close()
		b.StartTimer()
	}
	if n > 0 {
		b.ReportMetric(float64(total.Nanoseconds())/float64(n), "coldstart-ns")
	}
}

// BenchmarkInvokeWarm measures one invocation round trip on a warm instance: hand-over
// through GET /next, the handler, the response POST and reading it.
func BenchmarkInvokeWarm(b *testing.B) {
	f := newFunction(b, Config{Name: "Bench", MaxInstances: 1})
	ctx := context.Background()
	if err := f.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	payload := req{Mode: "echo", Data: map[string]any{"event": "resource.created", "path": "/p/1/c/2"}}.payload(b)
	for b.Loop() {
		if _, err := f.InvokeBytes(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeWarmParallel is BenchmarkInvokeWarm with four warm instances.
func BenchmarkInvokeWarmParallel(b *testing.B) {
	f := newFunction(b, Config{Name: "Bench", MaxInstances: 4})
	ctx := context.Background()
	for range 4 {
		if err := f.Warm(ctx); err != nil {
			b.Fatal(err)
		}
	}
	payload := req{Mode: "echo", Data: map[string]any{"event": "resource.created"}}.payload(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.InvokeBytes(ctx, payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
