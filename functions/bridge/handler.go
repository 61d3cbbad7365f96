package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/metrics"
)

// DefaultMargin is how long before its deadline the scheduled run stops pulling: enough
// to finish the batches in flight and flush acknowledgements.
const DefaultMargin = 10 * time.Second

// DefaultReportEvery is how often the daemon writes its metrics.
const DefaultReportEvery = 5 * time.Second

// Handler runs the bridge loop for one scheduled invocation or as a daemon.
type Handler struct {
	Bridge *bridge.Bridge
	Margin time.Duration // zero means DefaultMargin

	// Metrics receives EventsRelayed and BridgeLag, at the end of each scheduled run and
	// every ReportEvery (zero means DefaultReportEvery) in daemon mode; nil records none.
	Metrics     *metrics.Writer
	ReportEvery time.Duration
}

// Result is what one scheduled run reports.
type Result struct {
	Relayed      int64 `json:"relayed"`
	DeadLettered int64 `json:"dead_lettered"`
	Nakked       int64 `json:"nakked"`
}

// Handle drains the consumer until the invocation's deadline minus the margin.
func (h *Handler) Handle(ctx context.Context, _ awsevents.EventBridgeEvent) (Result, error) {
	margin := h.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return Result{}, errors.New("bridge: the invocation has no deadline")
	}
	runCtx, cancel := context.WithDeadline(ctx, deadline.Add(-margin))
	defer cancel()
	stats, err := h.Bridge.Run(runCtx)
	res := Result(stats)
	slog.InfoContext(ctx, "bridge run finished", "relayed", res.Relayed, "dead_lettered", res.DeadLettered, "nakked", res.Nakked)
	rec := h.Metrics.Recorder()
	rec.Add(metrics.EventsRelayed, float64(stats.Relayed))
	// Measured within the margin the run left, which the invocation's deadline bounds.
	if lag, ok := h.lag(ctx); ok {
		rec.Add(metrics.BridgeLag, float64(lag))
	}
	rec.Flush()
	return res, err
}

// lag measures the bridge's lag, logging why when it cannot.
func (h *Handler) lag(ctx context.Context) (uint64, bool) {
	lag, err := h.Bridge.Lag(ctx)
	if err != nil {
		if ctx.Err() == nil {
			slog.WarnContext(ctx, "measuring the bridge's lag failed", "error", err.Error())
		}
		return 0, false
	}
	return lag, true
}

// Daemon runs the bridge until ctx is cancelled, starting the loop again after an error
// (a NATS restart, a deleted consumer) with a growing pause, and reports its metrics
// meanwhile.
func (h *Handler) Daemon(ctx context.Context) {
	// The last report follows the last run, so that it counts every event relayed.
	stop := make(chan struct{})
	var reporting sync.WaitGroup
	reporting.Go(func() { h.report(ctx, stop) })
	defer func() { close(stop); reporting.Wait() }()
	pause := 100 * time.Millisecond
	for {
		start := time.Now()
		stats, err := h.Bridge.Run(ctx)
		if ctx.Err() != nil {
			slog.Info("bridge stopped", "relayed", stats.Relayed, "dead_lettered", stats.DeadLettered, "nakked", stats.Nakked)
			return
		}
		if time.Since(start) > time.Minute {
			pause = 100 * time.Millisecond
		}
		slog.Error("bridge loop ended; restarting", "error", errText(err), "pause", pause.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

func errText(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

// report writes the daemon's metrics every ReportEvery until stop is closed, then the
// events relayed since the last report. An idle bridge (nothing relayed, the same lag)
// writes nothing, so as not to fill the local stack's log with identical lines; the
// first report is always written.
func (h *Handler) report(ctx context.Context, stop <-chan struct{}) {
	every := h.ReportEvery
	if every <= 0 {
		every = DefaultReportEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	rec := h.Metrics.Recorder()
	var reported int64              // relayed, as of the last report
	var lastLag uint64 = ^uint64(0) // none measured yet
	for {
		select {
		case <-stop:
			if relayed := h.Bridge.Stats().Relayed - reported; relayed > 0 {
				rec.Add(metrics.EventsRelayed, float64(relayed))
				rec.Flush()
			}
			return
		case <-tick.C:
		}
		total := h.Bridge.Stats().Relayed
		lag, ok := h.lag(ctx)
		if total == reported && (!ok || lag == lastLag) {
			continue
		}
		rec.Add(metrics.EventsRelayed, float64(total-reported))
		if ok {
			rec.Add(metrics.BridgeLag, float64(lag))
			lastLag = lag
		}
		rec.Flush()
		reported = total
	}
}
