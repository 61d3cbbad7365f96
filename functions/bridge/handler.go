package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/advisory"
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
	// Advisories turns the max-deliveries advisories of consumers into their owners'
	// MESSAGE_DROPPED notices, beside the relay; nil runs none. The Bridge runs it
	// because it is the function that always runs (every minute; a daemon locally), so
	// that a notice follows its drop within a minute.
	Advisories *advisory.Processor
	Margin     time.Duration // zero means DefaultMargin

	// Metrics receives EventsRelayed, BridgeLag, StreamFullness and MessagesDropped, at
	// the end of each scheduled run and every ReportEvery (zero means DefaultReportEvery)
	// in daemon mode; nil records none.
	Metrics     *metrics.Writer
	ReportEvery time.Duration
}

// Result is what one scheduled run reports.
type Result struct {
	Relayed      int64 `json:"relayed"`
	DeadLettered int64 `json:"dead_lettered"`
	Nakked       int64 `json:"nakked"`
	// Dropped counts the messages consumers dropped that their owners were told of.
	Dropped int64 `json:"dropped"`
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
	var adv advisory.Stats
	var advErr error
	var advising sync.WaitGroup
	if h.Advisories != nil {
		// Its batches end halfway into the margin, acknowledgements flushed, so that the
		// invocation is never stopped with notices written and advisories unacknowledged.
		advising.Go(func() { adv, advErr = h.Advisories.Run(runCtx, deadline.Add(-margin/2)) })
	}
	stats, err := h.Bridge.Run(runCtx)
	advising.Wait()
	res := Result{Relayed: stats.Relayed, DeadLettered: stats.DeadLettered, Nakked: stats.Nakked, Dropped: adv.Dropped}
	slog.InfoContext(ctx, "bridge run finished", "relayed", res.Relayed, "dead_lettered", res.DeadLettered, "nakked", res.Nakked,
		"dropped", adv.Dropped, "advisories_skipped", adv.Skipped, "advisories_retried", adv.Retried)
	rec := h.Metrics.Recorder()
	rec.Add(metrics.EventsRelayed, float64(stats.Relayed))
	rec.Add(metrics.MessagesDropped, float64(adv.Dropped))
	// Measured within the margin the run left, which the invocation's deadline bounds.
	if lag, ok := h.lag(ctx); ok {
		rec.Add(metrics.BridgeLag, float64(lag))
	}
	if pct, ok := h.fullness(ctx); ok {
		rec.Add(metrics.StreamFullness, pct)
	}
	rec.Flush()
	return res, errors.Join(err, advErr)
}

// fullness measures how full the stream is, logging why when it cannot.
func (h *Handler) fullness(ctx context.Context) (float64, bool) {
	pct, ok, err := h.Bridge.Fullness(ctx)
	if err != nil {
		if ctx.Err() == nil {
			slog.WarnContext(ctx, "measuring the stream's fullness failed", "error", err.Error())
		}
		return 0, false
	}
	return pct, ok
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

// Daemon runs the bridge (and the advisories beside it) until ctx is cancelled, starting
// each loop again after an error (a NATS restart, a deleted consumer) with a growing
// pause, and reports its metrics meanwhile.
func (h *Handler) Daemon(ctx context.Context) {
	// The last report follows the last run, so that it counts every event relayed.
	stop := make(chan struct{})
	var reporting, advising sync.WaitGroup
	reporting.Go(func() { h.report(ctx, stop) })
	defer func() { advising.Wait(); close(stop); reporting.Wait() }()
	if h.Advisories != nil {
		advising.Go(func() {
			restarting(ctx, "advisories", func() error { _, err := h.Advisories.Run(ctx, time.Time{}); return err })
		})
	}
	restarting(ctx, "bridge", func() error {
		stats, err := h.Bridge.Run(ctx)
		if ctx.Err() != nil {
			slog.Info("bridge stopped", "relayed", stats.Relayed, "dead_lettered", stats.DeadLettered, "nakked", stats.Nakked)
		}
		return err
	})
}

// restarting runs loop until ctx is cancelled, starting it again after it ends with a
// pause that grows while it keeps ending within a minute.
func restarting(ctx context.Context, name string, loop func() error) {
	pause := 100 * time.Millisecond
	for {
		start := time.Now()
		err := loop()
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			pause = 100 * time.Millisecond
		}
		slog.Error(name+" loop ended; restarting", "error", errText(err), "pause", pause.String())
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

// dropped is how many dropped messages the advisories told owners of, so far.
func (h *Handler) dropped() int64 {
	if h.Advisories == nil {
		return 0
	}
	return h.Advisories.Stats().Dropped
}

// report writes the daemon's metrics every ReportEvery until stop is closed, then the
// events relayed and drops told since the last report. An idle bridge (nothing relayed
// or told, the same lag and fullness) writes nothing, so as not to fill the local
// stack's log with identical lines; the first report is always written.
func (h *Handler) report(ctx context.Context, stop <-chan struct{}) {
	every := h.ReportEvery
	if every <= 0 {
		every = DefaultReportEvery
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	rec := h.Metrics.Recorder()
	var reported, reportedDropped int64 // relayed and dropped, as of the last report
	var lastLag uint64 = ^uint64(0)     // none measured yet
	lastFullness := -1.0                // none measured yet
	for {
		select {
		case <-stop:
			relayed, dropped := h.Bridge.Stats().Relayed-reported, h.dropped()-reportedDropped
			if relayed > 0 || dropped > 0 {
				rec.Add(metrics.EventsRelayed, float64(relayed))
				rec.Add(metrics.MessagesDropped, float64(dropped))
				rec.Flush()
			}
			return
		case <-tick.C:
		}
		total, dropped := h.Bridge.Stats().Relayed, h.dropped()
		lag, ok := h.lag(ctx)
		pct, pctOK := h.fullness(ctx)
		if total == reported && dropped == reportedDropped && (!ok || lag == lastLag) && (!pctOK || pct == lastFullness) {
			continue
		}
		rec.Add(metrics.EventsRelayed, float64(total-reported))
		rec.Add(metrics.MessagesDropped, float64(dropped-reportedDropped))
		if ok {
			rec.Add(metrics.BridgeLag, float64(lag))
			lastLag = lag
		}
		if pctOK {
			rec.Add(metrics.StreamFullness, pct)
			lastFullness = pct
		}
		rec.Flush()
		reported, reportedDropped = total, dropped
	}
}
