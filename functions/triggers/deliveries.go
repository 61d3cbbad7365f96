package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/trigger"
)

// MaxReplayEvents bounds the events one replay reads from the stream; a longer range is
// replayed in several requests, each starting where the previous one stopped.
const MaxReplayEvents = 10_000

// deliveries serves GET /v1/triggers/{id}/deliveries?status=&limit=&cursor=.
func (h *Handler) deliveries(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.owned(ctx, req, id, "status", "limit", "cursor")
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	page, err := apigw.PageParams(q, DefaultLimit, MaxLimit, "status")
	if err != nil {
		return apigw.Response{}, err
	}
	status := q["status"]
	if status != "" && !delivery.ValidStatus(status) {
		return apigw.Response{}, fault.Field("status", "must be one of "+strings.Join(delivery.Statuses, ", "))
	}
	items, next, err := h.Deliveries.List(ctx, t.ID, status, page.Limit, page.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.ReplyItems(items, next), nil
}

// retry serves POST /v1/triggers/{id}/deliveries/{delivery_id}/retry: the delivery runs
// again, from the start of the schedule, whatever became of it.
func (h *Handler) retry(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	deliveryID := req.PathParameters["delivery_id"]
	t, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Deliveries.Get(ctx, t.ID, deliveryID)
	if err != nil {
		return apigw.Response{}, err
	}
	if r.Status == delivery.StatusApproved || r.Status == delivery.StatusDenied {
		return apigw.Response{}, fault.New(fault.Conflict, "a sync verdict is not retried: publish the event again with mode=sync")
	}
	if _, err := h.Deliveries.Redeliver(ctx, h.Queue, r.Task(), true); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "delivery retried", "trigger", t.ID, "delivery", r.ID, "uuid", r.EventUUID)
	return apigw.Reply(http.StatusAccepted, map[string]string{"delivery_id": r.ID, "status": delivery.StatusQueued}), nil
}

// fire serves POST /v1/triggers/{id}/fire {"event":{…}}: the action runs for the given
// event now, whether or not the trigger's events and filter would match it (placeholder
// triggers have nothing else to run them), but only for an event in the trigger's scope.
func (h *Handler) fire(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	ev, raw, err := eventBody(req)
	if err != nil {
		return apigw.Response{}, err
	}
	// The action runs with the authority the trigger was made with: over its scope only.
	if err := t.CheckScope(ev); err != nil {
		return apigw.Response{}, err
	}
	task := &delivery.Task{TriggerID: t.ID, DeliveryID: delivery.ID(ev.UUID, t.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
	if _, err := h.Deliveries.Redeliver(ctx, h.Queue, task, true); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger fired", "trigger", t.ID, "delivery", task.DeliveryID, "uuid", ev.UUID)
	return apigw.Reply(http.StatusAccepted, map[string]string{"delivery_id": task.DeliveryID, "event_uuid": ev.UUID}), nil
}

// eventBody reads {"event":{…}} as the publish API would take the event: uuid and
// timestamp filled in when missing, then validated. It returns the event and its JSON.
func eventBody(req *awsevents.APIGatewayV2HTTPRequest) (*event.Event, json.RawMessage, error) {
	body, err := apigw.Body(req, MaxTestBytes)
	if err != nil {
		return nil, nil, err
	}
	var in struct {
		Event json.RawMessage `json:"event"`
	}
	if err := apigw.DecodeJSON(body, &in); err != nil {
		return nil, nil, err
	}
	if len(in.Event) == 0 {
		return nil, nil, fault.Field("event", "is required")
	}
	ev, err := event.Decode(in.Event)
	if err != nil {
		return nil, nil, fault.Prefix(err, "event")
	}
	ev.FillDefaults(time.Now())
	if err := ev.Validate(); err != nil {
		return nil, nil, fault.Prefix(err, "event")
	}
	raw, err := json.Marshal(ev)
	return ev, raw, err
}

// replayBody is the body of POST /v1/triggers/{id}/replay.
type replayBody struct {
	StartTime     *time.Time `json:"start_time"`
	StartSequence uint64     `json:"start_sequence"`
	EndTime       *time.Time `json:"end_time"`
}

// replay serves POST /v1/triggers/{id}/replay: the events still on the stream from the
// start (a time or a sequence) to the end (a time, or now) are matched against the
// trigger again, and each that matches and was not delivered successfully is queued.
func (h *Handler) replay(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.authorized(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	raw, err := apigw.Body(req, 4096)
	if err != nil {
		return apigw.Response{}, err
	}
	var body replayBody
	if err := apigw.DecodeJSON(raw, &body); err != nil {
		return apigw.Response{}, err
	}
	if (body.StartTime == nil) == (body.StartSequence == 0) {
		return apigw.Response{}, fault.Field("start_time", "give exactly one of start_time and start_sequence")
	}
	if t.IsPlaceholder() {
		return apigw.Response{}, fault.New(fault.Conflict, "a placeholder trigger matches no published event; use fire")
	}
	end := time.Now()
	if body.EndTime != nil {
		end = *body.EndTime
	}
	res, err := h.replayRange(ctx, t, body, end)
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger replayed", "trigger", t.ID, "scanned", res.Scanned, "matched", res.Matched, "queued", res.Queued)
	return apigw.Reply(http.StatusAccepted, res), nil
}

// replayResult is the answer of a replay.
type replayResult struct {
	Scanned int `json:"scanned"` // events read from the stream
	Matched int `json:"matched"`
	Queued  int `json:"queued"` // matched, and not delivered successfully before
	// NextSequence is where a further replay starts when the range held more than one
	// request reads; 0 when the range is done.
	NextSequence uint64 `json:"next_sequence"`
}

// replayRange reads the trigger's scope on the stream from the start of body to end, or
// until the invocation's deadline nears; it always gets through one event.
func (h *Handler) replayRange(ctx context.Context, t *trigger.Trigger, body replayBody, end time.Time) (replayResult, error) {
	var res replayResult
	f, err := t.CompileFilter()
	if err != nil {
		return res, err
	}
	var m match.Matcher
	m.Add(t.ID, t.MatchEvents(), f)
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{scopeSubject(t)}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: body.StartSequence}
	if body.StartTime != nil {
		cfg.DeliverPolicy, cfg.OptStartSeq, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, 0, body.StartTime
	}
	c, err := h.JS.OrderedConsumer(ctx, event.StreamName, cfg)
	if err != nil {
		return res, fault.Wrap(fault.Unavailable, err, "the event bus could not replay; try again")
	}
	for res.Scanned < MaxReplayEvents {
		batch, err := c.FetchNoWait(min(500, MaxReplayEvents-res.Scanned))
		if err != nil {
			return res, fault.Wrap(fault.Unavailable, err, "the event bus could not replay; try again")
		}
		n := 0
		for msg := range batch.Messages() {
			n++
			md, err := msg.Metadata()
			if err != nil {
				continue
			}
			if md.Timestamp.After(end) {
				return res, nil
			}
			res.Scanned++
			res.NextSequence = md.Sequence.Stream + 1
			queued, matched, err := h.replayOne(ctx, t, &m, msg.Data())
			if err != nil {
				return res, err
			}
			res.Matched += matched
			res.Queued += queued
			if h.outOfTime(ctx) {
				// Answer within the HTTP API's limit; NextSequence says where to go on.
				return res, nil
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return res, fault.Wrap(fault.Unavailable, err, "the event bus could not replay; try again")
		}
		if n == 0 {
			res.NextSequence = 0
			return res, nil
		}
	}
	return res, nil
}

// DefaultReplayMargin is the time a replay keeps before its invocation's deadline to
// answer: the HTTP API gives up at 30 s whatever the function's timeout.
const DefaultReplayMargin = 3 * time.Second

// outOfTime reports whether the invocation's deadline is within the replay margin.
func (h *Handler) outOfTime(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < cmp.Or(h.ReplayMargin, DefaultReplayMargin)
}

// replayOne matches one stored event and queues it when it matches; it returns how many
// were queued and matched (0 or 1 each).
func (h *Handler) replayOne(ctx context.Context, t *trigger.Trigger, m *match.Matcher, data []byte) (queued, matched int, err error) {
	ev, err := event.Decode(data)
	if err != nil || ev.Validate() != nil {
		return 0, 0, nil // the bridge dead-letters such messages; nothing to deliver
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return 0, 0, nil
	}
	mev, err := match.ParseEvent(raw)
	if err != nil || len(m.Match(mev)) == 0 {
		return 0, 0, nil
	}
	task := &delivery.Task{TriggerID: t.ID, DeliveryID: delivery.ID(ev.UUID, t.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
	sent, err := h.Deliveries.Redeliver(ctx, h.Queue, task, false)
	if err != nil {
		return 0, 1, fmt.Errorf("replaying %s: %w", ev.UUID, err)
	}
	if sent {
		return 1, 1, nil
	}
	return 0, 1, nil
}

// scopeSubject returns the stream subjects of the trigger's resource scope: every event
// for a trigger without a path, and every system event (all stored under
// herald.events.system.<Name>.system._) for one that selects only those. The matcher
// decides the rest, as the Router does.
func scopeSubject(t *trigger.Trigger) string {
	switch {
	case t.AllPaths() && t.SystemOnly():
		return event.SubjectRoot + "." + event.SystemDomain + ".>"
	case t.AllPaths():
		return event.StreamSubjects
	}
	base := event.SubjectRoot + ".*.*." + strings.ReplaceAll(t.Resource.Path, "/", ".")
	if t.Resource.IncludeSubresources {
		return base + ".>"
	}
	return base + "._"
}
