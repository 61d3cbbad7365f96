package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trace"
)

// SyncDeadline bounds the whole vetting of one event: every sync trigger runs at once,
// and one that has not answered by then has timed out (and denies, unless it allows on
// error).
const SyncDeadline = 10 * time.Second

// publishSync serves POST /v1/events?mode=sync: the sync triggers that match the event
// vet it first; it is published only when all approve. rec counts the verdicts and the
// event, once published.
func (h *Handler) publishSync(ctx context.Context, rec *metrics.Recorder, ev *event.Event) (apigw.Response, error) {
	if h.Sync == nil || h.Runner == nil {
		return apigw.Response{}, fault.New(fault.Unavailable, "sync publishing is not configured here")
	}
	if err := h.Sync.Refresh(ctx); err != nil {
		return apigw.Response{}, fault.Wrap(fault.Unavailable, err, "the sync triggers could not be read; try again")
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return apigw.Response{}, err
	}
	mev, err := match.ParseEvent(raw)
	if err != nil {
		return apigw.Response{}, err
	}
	triggers := h.Sync.Match(mev)
	verdicts := make([]action.Verdict, len(triggers))
	vctx, cancel := context.WithTimeout(ctx, SyncDeadline)
	defer cancel()
	var wg sync.WaitGroup
	for i, t := range triggers {
		wg.Go(func() {
			cfg, err := action.ParseConfig(t.Action)
			if err != nil {
				verdicts[i] = action.Verdict{TriggerID: t.ID, Reason: err.Error(), Outcome: action.Outcome{Err: err}}
				return
			}
			verdicts[i] = h.Runner.Decide(vctx, action.Delivery{Action: cfg, Event: ev, Raw: raw, DeliveryID: ev.UUID, TriggerID: t.ID})
		})
	}
	wg.Wait()
	for _, v := range verdicts {
		rec.Add(metrics.SyncVerdicts, 1, metrics.Verdict(verdictName(v)))
	}
	if err := h.logVerdicts(ctx, ev, raw, verdicts); err != nil {
		// Nothing is published without its verdicts on record.
		return apigw.Response{}, fault.Wrap(fault.Unavailable, err, "the verdicts could not be recorded; try again")
	}
	var denials []action.Verdict
	for _, v := range verdicts {
		if !v.Approve {
			denials = append(denials, v)
		}
	}
	if len(denials) > 0 {
		slog.InfoContext(ctx, "event vetoed", "uuid", ev.UUID, "event", ev.Event, "triggers", len(triggers), "denials", len(denials))
		return apigw.Response{}, vetoed(denials)
	}
	ack, err := bus.Publish(ctx, h.JS, ev)
	if err != nil {
		return apigw.Response{}, fault.Wrap(fault.Unavailable, err, "the event bus did not accept the event; retry with the same uuid")
	}
	countPublished(rec, ack)
	slog.InfoContext(ctx, "event approved and published", "uuid", ack.UUID, "event", ev.Event, "triggers", len(triggers), "sequence", ack.Sequence, "trace", trace.Root(trace.FromContext(ctx)))
	return apigw.Reply(http.StatusCreated, map[string]any{
		"approved": true, "uuid": ack.UUID, "sequence": ack.Sequence, "duplicate": ack.Duplicate, "cataloged": event.Known(ev.Event), "verdicts": verdicts,
	}), nil
}

// verdictName is the Verdict dimension of v: error when the action could not answer
// (whatever its on_error made of that), else the trigger's own approved or denied.
func verdictName(v action.Verdict) string {
	switch {
	case v.Outcome.Err != nil:
		return metrics.VerdictError
	case v.Approve:
		return metrics.VerdictApproved
	}
	return metrics.VerdictDenied
}

// vetoed is the error for an event the sync triggers denied, answered 422 with the
// verdicts that denied it as an extension member.
func vetoed(denials []action.Verdict) error {
	return &fault.Error{
		Kind:       fault.Vetoed,
		Detail:     "a sync trigger denied the event; it was not published",
		Extensions: map[string]any{"approved": false, "denials": denials},
	}
}

// logVerdicts writes each verdict to its trigger's delivery log, at once.
func (h *Handler) logVerdicts(ctx context.Context, ev *event.Event, raw json.RawMessage, verdicts []action.Verdict) error {
	if h.Deliveries == nil {
		return nil
	}
	errs := make([]error, len(verdicts))
	var wg sync.WaitGroup
	for i, v := range verdicts {
		wg.Go(func() {
			o := v.Outcome
			a := delivery.Attempt{At: h.Now().UTC(), StatusCode: o.StatusCode, DurationMS: o.Duration.Milliseconds(), Response: o.Response, Error: v.Reason}
			if v.Approve && o.Err == nil {
				a.Error = ""
			}
			task := &delivery.Task{TriggerID: v.TriggerID, DeliveryID: delivery.ID(ev.UUID, v.TriggerID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
			errs[i] = h.Deliveries.Verdict(ctx, task, a, v.Approve)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
