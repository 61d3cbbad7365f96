package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/store"
	"github.com/heraldhq/herald/internal/trace"
	"github.com/heraldhq/herald/internal/trigger"
)

// DefaultDisableAfterExhausted is how many deliveries of a trigger may be exhausted in a
// row before Herald disables it (the template's DisableAfterExhausted).
const DefaultDisableAfterExhausted = 5

// Bounds of the retry delays.
const (
	jitter = 0.2 // ±20 % of each step
	// maxVisibility is the longest SQS lets a message stay hidden.
	maxVisibility = 12 * time.Hour
	// concurrency bounds the deliveries of one batch run at once: one slow receiver
	// must not hold up the others for its whole timeout each.
	concurrency = 10
)

// Handler runs the delivery tasks of an SQS batch.
type Handler struct {
	Triggers      *trigger.Store
	Deliveries    *delivery.Store
	Inbox         *inbox.Store
	Runner        *action.Runner
	SQS           *sqs.Client
	QueueURL      string // the deliveries queue, whose messages' visibility schedules retries
	DeadLetterURL string // its dead-letter queue, where exhausted deliveries go
	DisableAfter  int
	Now           func() time.Time // time.Now when nil
	Rand          func() float64   // rand.Float64 when nil; for jitter
	// Metrics receives the Deliveries* metrics and DeliveryLatency; nil records none.
	Metrics *metrics.Writer
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Handle runs every task of the batch. A task whose attempt failed and is to be retried
// is a batch item failure after its message's visibility was set to the retry delay: SQS
// hands it back then. Everything else (success, exhaustion, a poison message, a task
// with nothing left to do) is done and deleted.
func (h *Handler) Handle(ctx context.Context, batch awsevents.SQSEvent) (awsevents.SQSEventResponse, error) {
	var resp awsevents.SQSEventResponse
	var mu sync.Mutex
	tally := h.Metrics.Recorder()
	defer tally.Flush()
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for _, m := range batch.Records {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if !h.deliver(ctx, tally, m) {
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return resp, nil
}

// deliver runs one task and reports whether its message is done. tally counts the
// attempt's outcome.
func (h *Handler) deliver(ctx context.Context, tally *metrics.Recorder, m awsevents.SQSMessage) bool {
	var task delivery.Task
	if why := readTask(m.Body, &task); why != "" {
		// Only a message from elsewhere gets here: the dead-letter queue keeps it for
		// someone to look at, and it never holds up the queue nor counts against the
		// trigger it names.
		slog.ErrorContext(ctx, "delivery message is not a task", "message_id", m.MessageId, "reason", why)
		if m.Body == "" {
			// Nothing to keep, and SQS refuses an empty body.
			return true
		}
		return h.deadLetter(ctx, m.Body, "not a delivery task: "+why) == nil
	}
	log := slog.With("uuid", task.EventUUID, "trigger", task.TriggerID, "delivery", task.DeliveryID, "trace", trace.Root(task.Trace))
	rec, err := h.Deliveries.Get(ctx, task.TriggerID, task.DeliveryID)
	if fault.Is(err, fault.NotFound) {
		// Its record expired (or a task made by hand): record it again and go on.
		if _, err = h.Deliveries.Claim(ctx, &task); err == nil {
			rec, err = h.Deliveries.Get(ctx, task.TriggerID, task.DeliveryID)
		}
	}
	if err != nil {
		log.ErrorContext(ctx, "reading the delivery failed; the task comes back", "error", err.Error())
		return false
	}
	switch rec.Status {
	case delivery.StatusSucceeded, delivery.StatusExhausted, delivery.StatusSkipped:
		// A task sent twice (the Router or a retry raced): already settled.
		return true
	}
	t, err := h.Triggers.Lookup(ctx, task.TriggerID)
	switch {
	case fault.Is(err, fault.NotFound):
		log.InfoContext(ctx, "trigger deleted; delivery skipped")
		return h.Deliveries.SetStatus(ctx, rec, delivery.StatusSkipped) == nil
	case err != nil:
		log.ErrorContext(ctx, "reading the trigger failed; the task comes back", "error", err.Error())
		return false
	case !t.IsEnabled():
		log.InfoContext(ctx, "trigger disabled; delivery skipped (replay delivers it once enabled)")
		return h.Deliveries.SetStatus(ctx, rec, delivery.StatusSkipped) == nil
	case t.Mode == trigger.Sync:
		// A sync trigger acts only while an event is vetted; a task for one (a retry
		// or replay made before its mode changed) must not run its action after the fact.
		log.InfoContext(ctx, "sync trigger; delivery skipped")
		return h.Deliveries.SetStatus(ctx, rec, delivery.StatusSkipped) == nil
	}
	start := h.now()
	o, typ, happened := h.run(ctx, t, &task)
	count := func(name string, v float64) {
		if typ == "" {
			// An action that cannot be read has no type to count it by.
			tally.Add(name, v)
			return
		}
		tally.Add(name, v, metrics.ActionType(typ))
	}
	a := delivery.Attempt{At: start.UTC(), StatusCode: o.StatusCode, DurationMS: o.Duration.Milliseconds(), Response: o.Response}
	if o.Err != nil {
		a.Error = o.Err.Error()
	}
	attempt := rec.RoundAttempts() + 1
	schedule := t.ScheduleDurations()
	if o.OK {
		count(metrics.DeliveriesSucceeded, 1)
		count(metrics.DeliveryLatency, max(float64(h.now().Sub(happened).Microseconds())/1000, 0))
	} else {
		count(metrics.DeliveriesFailed, 1)
	}
	switch {
	case o.OK:
		if err := h.Deliveries.Record(ctx, rec, a, delivery.StatusSucceeded, time.Time{}); err != nil {
			log.ErrorContext(ctx, "recording a successful attempt failed", "error", err.Error())
		}
		if t.ExhaustedInRow > 0 {
			if err := h.Triggers.ResetExhausted(ctx, t.ID); err != nil {
				log.WarnContext(ctx, "resetting the exhausted count failed", "error", err.Error())
			}
		}
		log.InfoContext(ctx, "delivered", "attempt", attempt, "status_code", o.StatusCode, "duration_ms", a.DurationMS)
		return true
	case o.Gone:
		count(metrics.DeliveriesExhausted, 1)
		log.WarnContext(ctx, "the target is gone (410); disabling the trigger", "attempt", attempt)
		h.exhaust(ctx, log, t, rec, a, "the target answered 410 Gone")
		h.disable(ctx, log, t, "its target answered 410 Gone")
		return true
	case o.Permanent || attempt > len(schedule):
		reason := fmt.Sprintf("%d attempts failed", attempt)
		if o.Permanent {
			reason = "it cannot succeed: " + a.Error
		}
		count(metrics.DeliveriesExhausted, 1)
		log.WarnContext(ctx, "delivery exhausted", "attempt", attempt, "reason", reason)
		h.exhaust(ctx, log, t, rec, a, reason)
		return true
	}
	delay := h.delay(schedule[attempt-1], o.RetryAfter)
	count(metrics.DeliveriesRetried, 1)
	if err := h.Deliveries.Record(ctx, rec, a, delivery.StatusRetrying, start.Add(delay)); err != nil {
		log.ErrorContext(ctx, "recording a failed attempt failed", "error", err.Error())
	}
	if _, err := h.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(h.QueueURL), ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: int32(math.Ceil(delay.Seconds())),
	}); err != nil {
		// The message comes back after the queue's own visibility timeout instead.
		log.WarnContext(ctx, "scheduling the retry failed", "error", err.Error())
	}
	log.InfoContext(ctx, "delivery failed; retrying", "attempt", attempt, "status_code", o.StatusCode, "error", a.Error, "retry_in", delay.String())
	return false
}

// readTask decodes a message body into task and returns why it is not a task as the
// Router and the Triggers API make them, or "" when it is one: ids that Herald made, and
// a valid event whose uuid the task names. Anything else must not reach a trigger.
func readTask(body string, task *delivery.Task) string {
	if err := json.Unmarshal([]byte(body), task); err != nil {
		return "unreadable: " + err.Error()
	}
	if !store.ValidULID(task.TriggerID) || !store.ValidULID(task.DeliveryID) {
		return "trigger_id and delivery_id must be Herald ids"
	}
	ev, err := event.Decode(task.Event)
	if err == nil {
		err = ev.Validate()
	}
	if err != nil {
		return "invalid event: " + err.Error()
	}
	if ev.UUID != task.EventUUID {
		return "event_uuid is not the event's uuid"
	}
	return ""
}

// run runs the trigger's action for the task. It also returns the action's type ("" when
// the action cannot be read) and when the event happened, for the metrics.
func (h *Handler) run(ctx context.Context, t *trigger.Trigger, task *delivery.Task) (action.Outcome, string, time.Time) {
	cfg, err := action.ParseConfig(t.Action)
	if err != nil {
		return action.Outcome{Err: err, Permanent: true}, "", time.Time{}
	}
	ev, err := event.Decode(task.Event)
	if err != nil {
		return action.Outcome{Err: fmt.Errorf("the task's event is unreadable: %w", err), Permanent: true}, cfg.Type, time.Time{}
	}
	o := h.Runner.Run(ctx, action.Delivery{
		Action: cfg, Event: ev, Raw: task.Event, DeliveryID: task.DeliveryID, TriggerID: t.ID,
		Owner: t.Owner, Scope: action.Scope{Path: t.Resource.Path, Subresources: t.Resource.IncludeSubresources, Writable: t.Writable},
	})
	return o, cfg.Type, ev.Timestamp
}

// delay returns how long to wait before the next attempt: the schedule's step with
// ±20 % jitter, or the target's Retry-After kept within [step, 2×step].
func (h *Handler) delay(step, retryAfter time.Duration) time.Duration {
	var d time.Duration
	if retryAfter > 0 {
		d = min(max(retryAfter, step), 2*step)
	} else {
		r := rand.Float64
		if h.Rand != nil {
			r = h.Rand
		}
		d = time.Duration(float64(step) * (1 - jitter + 2*jitter*r()))
	}
	return min(max(d, time.Second), maxVisibility)
}

// exhaust settles a delivery that will not be tried again: its last attempt recorded,
// its task in the dead-letter queue, its owner told, and the trigger disabled when too
// many were exhausted in a row.
func (h *Handler) exhaust(ctx context.Context, log *slog.Logger, t *trigger.Trigger, rec *delivery.Record, a delivery.Attempt, reason string) {
	if err := h.Deliveries.Record(ctx, rec, a, delivery.StatusExhausted, time.Time{}); err != nil {
		log.ErrorContext(ctx, "recording the last attempt failed", "error", err.Error())
	}
	body, _ := json.Marshal(rec.Task())
	if err := h.deadLetter(ctx, string(body), reason); err != nil {
		log.ErrorContext(ctx, "moving the delivery to the dead-letter queue failed", "error", err.Error())
	}
	h.notify(ctx, log, t, inbox.DeliveryExhausted, rec.ID,
		fmt.Sprintf("A delivery of trigger %q (%s) was given up: %s. Retry it, or replay once the target works.", t.Name, t.ID, reason))
	n, err := h.Triggers.CountExhausted(ctx, t.ID)
	if err != nil {
		log.ErrorContext(ctx, "counting the exhausted delivery failed", "error", err.Error())
		return
	}
	if n >= h.DisableAfter && t.IsEnabled() {
		h.disable(ctx, log, t, fmt.Sprintf("%d deliveries in a row were exhausted", n))
	}
}

// disable turns the trigger off for reason and tells its owner.
func (h *Handler) disable(ctx context.Context, log *slog.Logger, t *trigger.Trigger, reason string) {
	if _, err := h.Triggers.SetEnabled(ctx, t.ID, "", false, reason); err != nil {
		log.ErrorContext(ctx, "disabling the trigger failed", "error", err.Error())
		return
	}
	t.Enabled = new(false)
	log.WarnContext(ctx, "trigger disabled", "reason", reason)
	h.notify(ctx, log, t, inbox.TriggerDisabled, "disabled-"+h.now().UTC().Format(time.RFC3339Nano),
		fmt.Sprintf("Trigger %q (%s) was disabled: %s. Fix the target, then enable it and replay what was missed.", t.Name, t.ID, reason))
}

// notify puts a notice of Herald's own in the trigger owner's inbox; about names what it
// is about (a delivery id), which keeps the notice unique.
func (h *Handler) notify(ctx context.Context, log *slog.Logger, t *trigger.Trigger, v inbox.Variant, about, message string) {
	if h.Inbox == nil {
		return
	}
	n := h.Inbox.New(t.Owner, inbox.Content{Variant: v, Message: message, Refs: []inbox.Ref{{Type: inbox.RefResource, Name: "trigger", Value: "triggers/" + t.ID}}}, about, h.now())
	if _, err := h.Inbox.Put(ctx, n); err != nil {
		log.ErrorContext(ctx, "notifying the trigger's owner failed", "variant", v, "error", err.Error())
	}
}

// deadLetter sends body to the dead-letter queue with the reason as an attribute.
func (h *Handler) deadLetter(ctx context.Context, body, reason string) error {
	if h.DeadLetterURL == "" {
		return errors.New("no dead-letter queue configured")
	}
	_, err := h.SQS.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(h.DeadLetterURL), MessageBody: aws.String(body),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{"reason": {DataType: aws.String("String"), StringValue: aws.String(reason)}},
	})
	return err
}
