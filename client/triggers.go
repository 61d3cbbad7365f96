package client

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"time"

	"github.com/heraldhq/herald/wire"
)

// CreateTrigger creates a trigger (201). Its answer is the only one that shows the
// action's secret (an http action's generated "whsec_…"): keep it from here.
//
// A create is not idempotent, so it is retried only when the request certainly did
// not reach the server: a failed connection or a 429.
func (c *Client) CreateTrigger(ctx context.Context, spec wire.TriggerSpec) (*wire.Trigger, error) {
	var out wire.Trigger
	if err := c.call(ctx, &request{method: http.MethodPost, path: "/v1/triggers", body: spec}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListTriggers returns a page of the caller's triggers.
func (c *Client) ListTriggers(ctx context.Context, opts ListOptions) (*Page[*wire.Trigger], error) {
	var out Page[*wire.Trigger]
	req := &request{method: http.MethodGet, path: "/v1/triggers", query: opts.values(), idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllTriggers iterates over the caller's triggers from opts on, opts.Limit at a time.
// An error ends the iteration.
func (c *Client) AllTriggers(ctx context.Context, opts ListOptions) iter.Seq2[*wire.Trigger, error] {
	return all(ctx, opts, c.ListTriggers)
}

// GetTrigger returns one of the caller's triggers, without its secret.
func (c *Client) GetTrigger(ctx context.Context, id string) (*wire.Trigger, error) {
	return c.triggerCall(ctx, http.MethodGet, nil, id)
}

// ReplaceTrigger replaces a trigger's whole spec. A spec whose action has no secret
// keeps the current one; rotating it is giving a new one.
func (c *Client) ReplaceTrigger(ctx context.Context, id string, spec wire.TriggerSpec) (*wire.Trigger, error) {
	return c.triggerCall(ctx, http.MethodPut, spec, id)
}

// EnableTrigger turns a trigger back on, after its owner or Herald (too many exhausted
// deliveries) disabled it; disable it with ReplaceTrigger and Enabled false.
func (c *Client) EnableTrigger(ctx context.Context, id string) (*wire.Trigger, error) {
	return c.triggerCall(ctx, http.MethodPost, nil, id, "enable")
}

// triggerCall sends an idempotent request about trigger id (GET, PUT, enable) that
// answers the trigger.
func (c *Client) triggerCall(ctx context.Context, method string, body any, id string, suffix ...string) (*wire.Trigger, error) {
	path, err := pathOf(append([]string{"v1", "triggers", id}, suffix...)...)
	if err != nil {
		return nil, err
	}
	var out wire.Trigger
	if err := c.call(ctx, &request{method: method, path: path, body: body, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteTrigger deletes a trigger (204). As with DeleteConsumer, a retry after an
// attempt that deleted it but lost the answer reports IsNotFound.
func (c *Client) DeleteTrigger(ctx context.Context, id string) error {
	path, err := pathOf("v1", "triggers", id)
	if err != nil {
		return err
	}
	return c.call(ctx, &request{method: http.MethodDelete, path: path, idempotent: true}, nil)
}

// TestResult is the answer of TestTrigger.
type TestResult struct {
	// Matched is whether the event matches the trigger's event types and filter.
	Matched bool `json:"matched"`
	// Enabled is whether the trigger would run: a disabled one that matches delivers
	// nothing.
	Enabled bool `json:"enabled"`
	// Explain lists each condition and how it fared, the event type first.
	Explain []wire.Step `json:"explain"`
}

// TestTrigger reports whether ev would match the trigger, and which condition failed
// if not. Nothing is delivered. The server fills in a missing uuid and timestamp, as
// publishing would.
func (c *Client) TestTrigger(ctx context.Context, id string, ev *wire.Event) (*TestResult, error) {
	var out TestResult
	if err := c.eventCall(ctx, id, "test", ev, true, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// FireResult is the answer of FireTrigger.
type FireResult struct {
	DeliveryID string `json:"delivery_id"`
	EventUUID  string `json:"event_uuid"`
}

// FireTrigger runs the trigger's action for ev now (202), whether or not the trigger
// would match it; it is how placeholder triggers (without events, and without a
// condition of their filter on "event") run. Follow the delivery with ListDeliveries.
//
// It is not retried after the request may have reached the server: every fire queues
// the action again, so a retry could run it twice.
func (c *Client) FireTrigger(ctx context.Context, id string, ev *wire.Event) (*FireResult, error) {
	var out FireResult
	if err := c.eventCall(ctx, id, "fire", ev, false, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// eventCall posts {"event": ev} to /v1/triggers/{id}/{verb}.
func (c *Client) eventCall(ctx context.Context, id, verb string, ev *wire.Event, idempotent bool, out any) error {
	if ev == nil {
		return errors.New("herald: nil event")
	}
	path, err := pathOf("v1", "triggers", id, verb)
	if err != nil {
		return err
	}
	body := struct {
		Event *wire.Event `json:"event"`
	}{ev}
	return c.call(ctx, &request{method: http.MethodPost, path: path, body: body, idempotent: idempotent}, out)
}

// ListDeliveries returns a page of the trigger's deliveries, newest first, those with
// status only unless it is empty (see wire.Statuses).
func (c *Client) ListDeliveries(ctx context.Context, triggerID, status string, opts ListOptions) (*Page[*wire.Delivery], error) {
	path, err := pathOf("v1", "triggers", triggerID, "deliveries")
	if err != nil {
		return nil, err
	}
	q := opts.values()
	if status != "" {
		q.Set("status", status)
	}
	var out Page[*wire.Delivery]
	if err := c.call(ctx, &request{method: http.MethodGet, path: path, query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllDeliveries iterates over the trigger's deliveries with status (any when empty)
// from opts on, opts.Limit at a time. An error ends the iteration.
func (c *Client) AllDeliveries(ctx context.Context, triggerID, status string, opts ListOptions) iter.Seq2[*wire.Delivery, error] {
	return all(ctx, opts, func(ctx context.Context, o ListOptions) (*Page[*wire.Delivery], error) {
		return c.ListDeliveries(ctx, triggerID, status, o)
	})
}

// RetryResult is the answer of RetryDelivery.
type RetryResult struct {
	DeliveryID string `json:"delivery_id"`
	Status     string `json:"status"` // wire.StatusQueued
}

// RetryDelivery runs one delivery again from the start of the trigger's retry
// schedule, whatever became of it (202). Like FireTrigger it is not retried after the
// request may have reached the server.
func (c *Client) RetryDelivery(ctx context.Context, triggerID, deliveryID string) (*RetryResult, error) {
	path, err := pathOf("v1", "triggers", triggerID, "deliveries", deliveryID, "retry")
	if err != nil {
		return nil, err
	}
	var out RetryResult
	if err := c.call(ctx, &request{method: http.MethodPost, path: path}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplayOptions are the range of a replay: from StartTime or StartSequence (exactly
// one of them) to EndTime, or to now when EndTime is zero.
type ReplayOptions struct {
	StartTime     time.Time
	StartSequence uint64
	EndTime       time.Time
}

// ReplayResult is the answer of ReplayTrigger.
type ReplayResult struct {
	Scanned int `json:"scanned"` // events read from the stream
	Matched int `json:"matched"`
	Queued  int `json:"queued"` // matched, and not delivered successfully before
	// NextSequence is where to continue when the range held more events than one
	// request reads (10,000); 0 when the range is done.
	NextSequence uint64 `json:"next_sequence"`
}

// ReplayTrigger matches the events still on the stream in the range against the
// trigger again, and queues a delivery for each that matches and was not delivered
// successfully (202). When NextSequence is not 0, call it again with StartSequence set
// to it (and StartTime zero), keeping EndTime, to carry on.
//
// It is not retried after the request may have reached the server: a delivery queued
// by the lost attempt and not yet run would be queued twice.
func (c *Client) ReplayTrigger(ctx context.Context, id string, opts ReplayOptions) (*ReplayResult, error) {
	if opts.StartTime.IsZero() == (opts.StartSequence == 0) {
		return nil, errors.New("herald: ReplayTrigger: give exactly one of StartTime and StartSequence")
	}
	path, err := pathOf("v1", "triggers", id, "replay")
	if err != nil {
		return nil, err
	}
	body := struct {
		StartTime     *time.Time `json:"start_time,omitempty"`
		StartSequence uint64     `json:"start_sequence,omitempty"`
		EndTime       *time.Time `json:"end_time,omitempty"`
	}{StartSequence: opts.StartSequence}
	if !opts.StartTime.IsZero() {
		body.StartTime = &opts.StartTime
	}
	if !opts.EndTime.IsZero() {
		body.EndTime = &opts.EndTime
	}
	var out ReplayResult
	if err := c.call(ctx, &request{method: http.MethodPost, path: path, body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
