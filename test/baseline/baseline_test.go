package baseline

import (
	"errors"
	"sync/atomic"
	"testing"
)

func TestSequentialRunsEveryCall(t *testing.T) {
	var calls atomic.Int64
	testing.Benchmark(func(b *testing.B) {
		calls.Store(0)
		Sequential(b, 7)(func() error { calls.Add(1); return nil })
	})
	if got := calls.Load(); got != 7 {
		t.Errorf("Sequential(7) made %d calls", got)
	}
}

func TestParallelRunsEveryCall(t *testing.T) {
	var calls atomic.Int64
	testing.Benchmark(func(b *testing.B) {
		calls.Store(0)
		Parallel(b, 64, 4)(func() error { calls.Add(1); return nil })
	})
	if got := calls.Load(); got != 64 {
		t.Errorf("Parallel(64, 4) made %d calls", got)
	}
}

func TestRoundFailsOnError(t *testing.T) {
	for name, round := range map[string]func(b *testing.B) Round{
		"sequential": func(b *testing.B) Round { return Sequential(b, 3) },
		"parallel":   func(b *testing.B) Round { return Parallel(b, 3, 2) },
	} {
		t.Run(name, func(t *testing.T) {
			var failed bool
			testing.Benchmark(func(b *testing.B) {
				defer func() { failed = b.Failed() }()
				round(b)(func() error { return errors.New("boom") })
			})
			if !failed {
				t.Error("an error did not fail the benchmark")
			}
		})
	}
}

// TestCompareCallsEachAlike checks that every function gets the warm-up round and one
// round per iteration, and a rate.
func TestCompareCallsEachAlike(t *testing.T) {
	var a, c atomic.Int64
	var rates []float64
	var n int
	testing.Benchmark(func(b *testing.B) {
		a.Store(0)
		c.Store(0)
		rates = Compare(b, 2, Sequential(b, 2),
			func() error { a.Add(1); return nil },
			func() error { c.Add(1); return nil })
		n = b.N
	})
	want := int64(2 * (n + 1))
	if a.Load() != want || c.Load() != want {
		t.Errorf("calls %d and %d over %d iterations of 2, want %d each", a.Load(), c.Load(), n, want)
	}
	if len(rates) != 2 || rates[0] <= 0 || rates[1] <= 0 {
		t.Errorf("rates %v", rates)
	}
}
