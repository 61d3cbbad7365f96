package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/metrics"
)

// lockedBuffer is the function's stdout, read by the test while the daemon writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// totals reads the EMF lines written so far.
func (b *lockedBuffer) totals() (relayed, lag metricsview.Series, lines int) {
	all, lines := b.series(metrics.EventsRelayed, metrics.BridgeLag)
	return all[0], all[1], lines
}

// series reads the EMF lines written so far: the series of each of names, by Stack.
func (b *lockedBuffer) series(names ...string) ([]metricsview.Series, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := metricsview.New()
	for _, line := range bytes.SplitAfter(b.buf.Bytes(), []byte("\n")) {
		v.Line(line)
	}
	snap := v.Snapshot()
	stack := map[string]string{"Stack": "herald-test"}
	out := make([]metricsview.Series, len(names))
	for i, name := range names {
		out[i], _ = snap.Find(name, stack)
	}
	return out, snap.Lines
}

// TestScheduledRunMetrics: a run writes one EMF line with the events it relayed and
// the lag it left.
func TestScheduledRunMetrics(t *testing.T) {
	h, js, _ := newFunction(t)
	out := &lockedBuffer{}
	h.Metrics = metrics.NewWriter(out, "herald-test")
	// The run pulls until its deadline less the margin: a window of seconds, ample for
	// twelve events however loaded the machine.
	h.Margin = time.Second
	publish(t, js, 12)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Second)
	defer cancel()
	if _, err := h.Handle(ctx, awsevents.EventBridgeEvent{}); err != nil {
		t.Fatal(err)
	}
	relayed, lag, lines := out.totals()
	if lines != 1 || relayed.Sum != 12 || lag.Samples != 1 || lag.Unit != "Count" {
		t.Errorf("%d lines, EventsRelayed %+v, BridgeLag %+v; want one line, 12 relayed and one lag", lines, relayed, lag)
	}
	// The stream is bounded by the template's StreamMaxBytes, far from full; nobody
	// dropped anything.
	more, _ := out.series(metrics.StreamFullness, metrics.MessagesDropped)
	if full := more[0]; full.Samples != 1 || full.Unit != "Percent" || full.Max <= 0 || full.Max >= 1 {
		t.Errorf("StreamFullness %+v, want one value in Percent, above 0 and below 1", full)
	}
	if dropped := more[1]; dropped.Samples != 1 || dropped.Sum != 0 {
		t.Errorf("MessagesDropped %+v, want one value of 0", dropped)
	}
}

// TestDaemonMetrics: the daemon reports while it runs, and on stopping reports what it
// relayed since: over all its lines, every event relayed counts once.
func TestDaemonMetrics(t *testing.T) {
	h, js, queueURL := newFunction(t)
	out := &lockedBuffer{}
	h.Metrics = metrics.NewWriter(out, "herald-test")
	h.ReportEvery = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Daemon(ctx); close(done) }()
	received(t, queueURL, publish(t, js, 30))
	testenv.WaitFor(t, 30*time.Second, func() bool {
		relayed, lag, _ := out.totals()
		return relayed.Sum == 30 && lag.Samples > 0
	}, "a report of the 30 events relayed, with the lag")
	received(t, queueURL, publish(t, js, 5))
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the daemon did not stop after cancellation")
	}
	if relayed, _, _ := out.totals(); relayed.Sum != 35 {
		t.Errorf("EventsRelayed over the daemon's reports: %+v, want 35", relayed)
	}
}
