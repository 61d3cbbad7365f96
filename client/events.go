package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/wire"
)

// Health is the answer of GET /v1/health.
type Health struct {
	// Status is "ok", or "degraded" when the event bus is not reachable.
	Status string `json:"status"`
	// NATS is the state of the connection to the event bus when degraded.
	NATS string `json:"nats,omitempty"`
}

// Health asks whether the API can publish. A degraded API answers 503: Health then
// returns the decoded answer together with the *Error. It is sent once, not retried,
// since a probe should report the state now.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	req := &request{method: http.MethodGet, path: "/v1/health", once: true}
	var h Health
	err := c.call(ctx, req, &h)
	var e *Error
	if errors.As(err, &e) && json.Unmarshal(e.Body, &h) == nil && h.Status != "" {
		return &h, err
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// Catalog returns the known event types, by the kind of resource they are about, each
// with its schema and an example. Publishers may use other types too.
func (c *Client) Catalog(ctx context.Context) ([]wire.EntityType, error) {
	var out struct {
		Types []wire.EntityType `json:"types"`
	}
	if err := c.call(ctx, &request{method: http.MethodGet, path: "/v1/catalog", idempotent: true}, &out); err != nil {
		return nil, err
	}
	return out.Types, nil
}

// CatalogEvent returns one known event type with its schema and an example. A type
// outside the catalog is a *Error with status 404 (see IsNotFound).
func (c *Client) CatalogEvent(ctx context.Context, eventType string) (*wire.CatalogEvent, error) {
	var out wire.CatalogEvent
	if err := c.call(ctx, &request{method: http.MethodGet, path: "/v1/catalog/" + url.PathEscape(eventType), idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PublishResult is the stream's receipt for a published event.
type PublishResult struct {
	UUID     string `json:"uuid"`
	Sequence uint64 `json:"sequence"` // on the stream
	// Duplicate is true when the stream already held an event with this uuid (a
	// retry); Sequence is then the first copy's.
	Duplicate bool `json:"duplicate"`
	// Cataloged is true when the event's type is in the catalog, and so was checked
	// against its schema. A type outside it is published all the same: false may
	// mean a misspelt type.
	Cataloged bool `json:"cataloged"`
}

// Publish publishes one event (202). The server fills in a missing timestamp. An event
// of a catalog type that breaks its schema is a 400 *Error naming the member at fault.
//
// An event without a uuid gets one here, in ev itself, before the first attempt: the
// stream drops an event whose uuid it already holds, so every retry, by this client or
// by the caller passing the same ev again, stores the event at most once.
func (c *Client) Publish(ctx context.Context, ev *wire.Event) (*PublishResult, error) {
	if ev == nil {
		return nil, errors.New("herald: Publish: nil event")
	}
	fillUUID(ev)
	var out PublishResult
	if err := c.call(ctx, publishRequest(ev, nil), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// publishRequest is POST /v1/events with body, retried like any idempotent request
// since the uuids make publishing so.
func publishRequest(body any, query url.Values) *request {
	return &request{method: http.MethodPost, path: "/v1/events", query: query, body: body, idempotent: true}
}

// fillUUID gives ev a random uuid when it has none.
func fillUUID(ev *wire.Event) {
	if ev.UUID == "" {
		ev.UUID = newUUID()
	}
}

// BatchResult is the answer of a batch publish, one result per event, in order.
type BatchResult struct {
	Results []BatchItem `json:"results"`
}

// BatchItem is one event's outcome in a batch.
type BatchItem struct {
	UUID      string `json:"uuid"`
	Sequence  uint64 `json:"sequence,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	// Cataloged is true when the event's type is in the catalog, as in PublishResult.
	Cataloged bool `json:"cataloged"`
	// Error says why the event was not stored; empty when it was.
	Error string `json:"error,omitempty"`
}

// Failed returns the items that were not stored.
func (r *BatchResult) Failed() []BatchItem {
	var out []BatchItem
	for _, it := range r.Results {
		if it.Error != "" {
			out = append(out, it)
		}
	}
	return out
}

// PublishBatch publishes up to 100 events in one request. Events without a uuid get
// one in place, as in Publish. The batch is all or nothing as far as validity goes: one
// invalid event fails the request (400) and the error names it as events[i].
//
// When the event bus stored some events and not others, the server answers 503 with
// each event's outcome. The client sends the whole batch again, which is safe as the
// stream drops the copies it already holds; if the retries run out, PublishBatch
// returns the last outcomes together with the *Error, and the events that
// BatchResult.Failed lists may be published again.
func (c *Client) PublishBatch(ctx context.Context, evs []*wire.Event) (*BatchResult, error) {
	if len(evs) == 0 {
		return nil, errors.New("herald: PublishBatch: no events")
	}
	for _, ev := range evs {
		if ev == nil {
			return nil, errors.New("herald: PublishBatch: nil event")
		}
		fillUUID(ev)
	}
	body := struct {
		Events []*wire.Event `json:"events"`
	}{evs}
	var out BatchResult
	err := c.call(ctx, publishRequest(body, nil), &out)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusServiceUnavailable {
		var partial BatchResult
		if json.Unmarshal(e.Body, &partial) == nil && len(partial.Results) > 0 {
			return &partial, err
		}
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SyncResult is the answer of a sync publish that every matching sync trigger
// approved: the event is published.
type SyncResult struct {
	Approved  bool   `json:"approved"`
	UUID      string `json:"uuid"`
	Sequence  uint64 `json:"sequence"`
	Duplicate bool   `json:"duplicate"`
	// Cataloged is true when the event's type is in the catalog, as in PublishResult.
	Cataloged bool `json:"cataloged"`
	// Verdicts are every matching sync trigger's, all approving; empty when no sync
	// trigger matched.
	Verdicts []wire.Verdict `json:"verdicts"`
}

// PublishSync publishes one event after the sync triggers that match it approve it
// (POST /v1/events?mode=sync, 201). A uuid is filled in as in Publish.
//
// When a trigger denies the event it is not published, and PublishSync returns a nil
// result and a *VetoError listing the denials (test with IsVetoed or errors.As). A veto
// is not retried.
//
// A 503 is retried like a publish: the stream drops a second copy. The sync triggers
// do run again on a retry, and see the same uuid as their delivery id.
func (c *Client) PublishSync(ctx context.Context, ev *wire.Event) (*SyncResult, error) {
	if ev == nil {
		return nil, errors.New("herald: PublishSync: nil event")
	}
	fillUUID(ev)
	var out SyncResult
	err := c.call(ctx, publishRequest(ev, url.Values{"mode": {"sync"}}), &out)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusUnprocessableEntity {
		var veto struct {
			Denials []wire.Verdict `json:"denials"`
		}
		if json.Unmarshal(e.Body, &veto) == nil && veto.Denials != nil {
			return nil, &VetoError{UUID: ev.UUID, Denials: veto.Denials, Err: e}
		}
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}
