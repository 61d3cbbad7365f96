package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/bridge"
)

// DefaultMargin is how long before its deadline the scheduled run stops pulling: enough
// to finish the batches in flight and flush acknowledgements.
const DefaultMargin = 10 * time.Second

// Handler runs the bridge loop for one scheduled invocation or as a daemon.
type Handler struct {
	Bridge *bridge.Bridge
	Margin time.Duration // zero means DefaultMargin
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
	return res, err
}

// Daemon runs the bridge until ctx is cancelled, starting the loop again after an error
// (a NATS restart, a deleted consumer) with a growing pause.
func (h *Handler) Daemon(ctx context.Context) {
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
