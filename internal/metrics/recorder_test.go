package metrics

import (
	"bytes"
	"math"
	"strings"
	"sync"
	"testing"
)

func TestFlushWritesNothingWhenEmpty(t *testing.T) {
	out := &writes{}
	r := testWriter(out).Recorder()
	r.Flush()
	if n := len(out.lines()); n != 0 {
		t.Errorf("an empty recorder wrote %d lines", n)
	}
}

// TestFlushEmpties: what one flush wrote is not written again; the recorder then
// collects afresh, as the bridge daemon's periodic reports need.
func TestFlushEmpties(t *testing.T) {
	out := &writes{}
	r := testWriter(out).Recorder()
	r.addFlush(EventsRelayed, 5)
	r.Flush()
	r.addFlush(EventsRelayed, 2)
	lines := out.lines()
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	for i, want := range []float64{5, 2} {
		if got := decode(t, lines[i]).values(t, EventsRelayed); len(got) != 1 || got[0] != want {
			t.Errorf("flush %d: %v, want %v", i, got, want)
		}
	}
}

func TestNilWriterDiscards(t *testing.T) {
	var w *Writer
	r := w.Recorder()
	r.Add(EventsPublished, 1)
	r.Flush() // must not panic
	var zero Recorder
	zero.addFlush(EventsPublished, 1)
}

func TestNonFiniteValuesDropped(t *testing.T) {
	out := &writes{}
	r := testWriter(out).Recorder()
	r.Add(DeliveryLatency, math.NaN())
	r.Add(DeliveryLatency, math.Inf(1))
	r.Flush()
	if n := len(out.lines()); n != 0 {
		t.Errorf("non-finite values wrote %d lines: %s", n, out.lines())
	}
}

func TestTwoDimensionsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("two dimensions besides Stack did not panic")
		}
	}()
	(&Recorder{}).Add(DeliveriesFailed, 1, ActionType("http"), Verdict(VerdictError))
}

func TestEmptyStackIsUnknown(t *testing.T) {
	if got := NewWriter(&writes{}, "").Stack(); got != UnknownStack {
		t.Errorf("Stack() = %q, want %q", got, UnknownStack)
	}
	t.Setenv(StackEnv, "herald-prod")
	if got := FromEnv().Stack(); got != "herald-prod" {
		t.Errorf("FromEnv().Stack() = %q", got)
	}
}

// TestConcurrentUse: goroutines adding to one recorder and flushing recorders of one
// writer lose no value, and every Write is exactly one whole line.
func TestConcurrentUse(t *testing.T) {
	out := &writes{}
	w := testWriter(out)
	shared := w.Recorder()
	const goroutines, each = 8, 500
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			own := w.Recorder()
			for i := range each {
				shared.Add(DeliveriesSucceeded, 1, ActionType(ActionTypes[i%2]))
				own.Add(DeliveryLatency, float64(g), ActionType("http"))
				if i%50 == 0 {
					own.Flush()
				}
			}
			own.Flush()
		})
	}
	wg.Wait()
	shared.Flush()
	succeeded, latencies := 0.0, 0
	for _, line := range out.lines() {
		if bytes.Count(line, []byte("\n")) != 1 || !strings.HasPrefix(string(line), `{"_aws":`) {
			t.Fatalf("a Write that is not one line: %q", line)
		}
		l := decode(t, line)
		for _, v := range l.values(t, DeliveriesSucceeded) {
			succeeded += v
		}
		latencies += len(l.values(t, DeliveryLatency))
	}
	if succeeded != goroutines*each || latencies != goroutines*each {
		t.Errorf("succeeded %v, latencies %d; want %d each", succeeded, latencies, goroutines*each)
	}
}
