package main

import (
	"context"
	"encoding/json"
	"log/slog"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trace"
	"github.com/heraldhq/herald/internal/trigger"
)

// Handler matches the events of an SQS batch and queues their delivery tasks.
type Handler struct {
	Triggers   *trigger.Index // the async triggers
	Deliveries *delivery.Store
	Queue      *delivery.Queue
	// Metrics receives EventsRouted and TriggersMatched; nil records none.
	Metrics *metrics.Writer
}

// Handle routes every event of the batch. A message whose event cannot be read, or
// whose tasks could not all be queued, is a batch item failure: it comes back (and
// after the queue's receive limit goes to its dead-letter queue). Queuing is idempotent
// per (trigger, event), so coming back queues nothing twice.
func (h *Handler) Handle(ctx context.Context, batch awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	var resp awsevents.SQSEventResponse
	rec := h.Metrics.Recorder()
	defer rec.Flush()
	if err := h.Triggers.Refresh(ctx); err != nil {
		// Routing against triggers that may be stale beyond the promise would deliver
		// to deleted ones or miss new ones: the whole batch comes back instead.
		slog.ErrorContext(ctx, "refreshing the triggers failed; the batch comes back", "error", err.Error())
		for _, m := range batch.Records {
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
		return resp, nil
	}
	for _, m := range batch.Records {
		if !h.route(ctx, rec, m) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// route matches one message's event and queues its tasks; it reports whether the
// message is done. rec counts the event and the triggers it matched.
func (h *Handler) route(ctx context.Context, rec *metrics.Recorder, m awsevents.SQSMessage) bool {
	ev, err := event.Decode([]byte(m.Body))
	if err == nil {
		err = ev.Validate()
	}
	if err != nil {
		slog.ErrorContext(ctx, "route message is not a valid event", "message_id", m.MessageId, "error", err.Error())
		return false
	}
	// Matching sees the event as Herald stores it, with a derived path filled in.
	raw, err := json.Marshal(ev)
	if err != nil {
		slog.ErrorContext(ctx, "encoding the event failed", "uuid", ev.UUID, "error", err.Error())
		return false
	}
	mev, err := match.ParseEvent(raw)
	if err != nil {
		slog.ErrorContext(ctx, "the matcher cannot read the event", "uuid", ev.UUID, "error", err.Error())
		return false
	}
	matched := h.Triggers.Match(mev)
	traceHeader := eventTrace(m)
	origin, _ := ev.Origin()
	ok, routed := true, 0
	for _, tr := range matched {
		if tr.ID == origin.Trigger {
			// A trigger never matches what its own action made: the shortest loop is
			// cut at once, longer ones at the hop limit.
			continue
		}
		t := &delivery.Task{TriggerID: tr.ID, DeliveryID: delivery.ID(ev.UUID, tr.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw, Trace: traceHeader}
		if _, err := h.Deliveries.Enqueue(ctx, h.Queue, t); err != nil {
			slog.ErrorContext(ctx, "queuing a delivery failed; the event comes back", "uuid", ev.UUID, "trigger", tr.ID, "error", err.Error())
			ok = false
		}
		routed++
	}
	rec.Add(metrics.EventsRouted, 1)
	rec.Add(metrics.TriggersMatched, float64(routed))
	slog.InfoContext(ctx, "event routed", "uuid", ev.UUID, "event", ev.Event, "triggers", routed, "trace", trace.Root(traceHeader))
	return ok
}

// eventTrace returns the trace header the Bridge put on the event's message, or "".
func eventTrace(m awsevents.SQSMessage) string {
	a, ok := m.MessageAttributes[fanout.AttrTraceHeader]
	if !ok || a.StringValue == nil || !trace.Valid(*a.StringValue) {
		return ""
	}
	return *a.StringValue
}
