package baseline

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A Round runs fn some number of times and returns how long that took.
type Round func(fn func() error) time.Duration

// Sequential is a round of n calls one after another. Timing the whole block keeps the
// clock's own cost out of fast code. An error fails the benchmark.
func Sequential(b *testing.B, n int) Round {
	return func(fn func() error) time.Duration {
		start := time.Now()
		for range n {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
}

// Parallel is a round of n calls shared by workers goroutines. An error fails the
// benchmark.
func Parallel(b *testing.B, n, workers int) Round {
	return func(fn func() error) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		var failed atomic.Pointer[error]
		start := time.Now()
		for range workers {
			wg.Go(func() {
				for next.Add(1) <= int64(n) {
					if err := fn(); err != nil {
						failed.Store(&err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(*err)
		}
		return time.Since(start)
	}
}

// Compare runs one round of each of fns per benchmark iteration, rotating which goes
// first, after an untimed round of each, and returns the calls per second of each, a
// round being perRound calls.
func Compare(b *testing.B, perRound int, round Round, fns ...func() error) []float64 {
	for _, fn := range fns {
		round(fn)
	}
	totals := make([]time.Duration, len(fns))
	first := 0
	for b.Loop() {
		for i := range fns {
			j := (first + i) % len(fns)
			totals[j] += round(fns[j])
		}
		first = (first + 1) % len(fns)
	}
	rates := make([]float64, len(fns))
	for i, t := range totals {
		rates[i] = float64(b.N) * float64(perRound) / t.Seconds()
	}
	return rates
}

// Report reports value as unit, base as "base-"+unit, and value/base as "ratio".
func Report(b *testing.B, unit string, value, base float64) {
	b.ReportMetric(value, unit)
	b.ReportMetric(base, "base-"+unit)
	b.ReportMetric(value/base, "ratio")
}

// Alternate compares fn with base in blocks of block sequential calls and reports their
// calls per second as unit (see Report), with the allocations per call of each as
// "allocs/call" and "base-allocs/call".
func Alternate(b *testing.B, unit string, block int, fn, base func() error) {
	b.Helper()
	allocs := testing.AllocsPerRun(block, func() { fn() })
	baseAllocs := testing.AllocsPerRun(block, func() { base() })
	rates := Compare(b, block, Sequential(b, block), fn, base)
	Report(b, unit, rates[0], rates[1])
	b.ReportMetric(allocs, "allocs/call")
	b.ReportMetric(baseAllocs, "base-allocs/call")
}
