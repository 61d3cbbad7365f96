package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/lambdalocal"
)

// parseRate reads an EventBridge rate expression: rate(1 minute), rate(5 minutes),
// rate(2 hours), rate(1 day). Cron expressions are not run locally.
func parseRate(expr string) (time.Duration, error) {
	inner, ok := strings.CutPrefix(expr, "rate(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return 0, fmt.Errorf("schedule %q: only rate(...) expressions run locally", expr)
	}
	fields := strings.Fields(strings.TrimSuffix(inner, ")"))
	if len(fields) != 2 {
		return 0, fmt.Errorf("schedule %q: want rate(<n> <unit>)", expr)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("schedule %q: %q is not a positive whole number", expr, fields[0])
	}
	unit := map[string]time.Duration{
		"minute": time.Minute, "minutes": time.Minute,
		"hour": time.Hour, "hours": time.Hour,
		"day": 24 * time.Hour, "days": 24 * time.Hour,
	}[fields[1]]
	if unit == 0 {
		return 0, fmt.Errorf("schedule %q: unknown unit %q", expr, fields[1])
	}
	return time.Duration(n) * unit, nil
}

// schedule invokes fn every interval with the event EventBridge Scheduler sends.
type schedule struct {
	function, rule string
	interval       time.Duration
	fn             *lambdalocal.Function
	region         string
	log            *slog.Logger
}

func (s *schedule) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			payload, _ := json.Marshal(awsevents.EventBridgeEvent{
				Version: "0", ID: uuid.NewString(), DetailType: "Scheduled Event", Source: "aws.events",
				AccountID: "000000000000", Time: now.UTC(), Region: s.region,
				Resources: []string{"arn:aws:events:" + s.region + ":000000000000:rule/" + s.rule},
				Detail:    json.RawMessage("{}"),
			})
			if _, err := s.fn.InvokeBytes(ctx, payload); err != nil && ctx.Err() == nil {
				s.log.Error("scheduled invocation failed", "function", s.function, "error", err.Error())
			}
		}
	}
}
