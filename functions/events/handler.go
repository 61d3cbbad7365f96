package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trace"
	"github.com/heraldhq/herald/internal/trigger"
)

// Limits of POST /v1/events. A batch body is bounded by Lambda's 6 MB synchronous payload;
// each event in it by event.MaxSize.
const (
	MaxBatch     = 100
	MaxBodyBytes = 6 * 1000 * 1000
)

// Handler serves the EventsApi routes: health, the catalog and publish. They are declared
// in routes, each a method that returns an apigw.Response or an error for apigw.Respond
// to answer.
type Handler struct {
	JS  jetstream.JetStream
	Now func() time.Time

	// Sync holds the sync triggers and Runner runs them, for ?mode=sync; without them
	// sync publishing answers 503.
	Sync   *trigger.Index
	Runner *action.Runner
	// Deliveries is where every sync verdict is written, in its trigger's delivery log.
	Deliveries *delivery.Store
	// Metrics receives EventsPublished and SyncVerdicts; nil records none.
	Metrics *metrics.Writer
}

// routes are the EventsApi routes, as template.yaml declares them.
var routes = apigw.NewRouter(apigw.Routes[*Handler]{
	"GET /v1/health":         (*Handler).health,
	"GET /v1/catalog":        (*Handler).catalog,
	"GET /v1/catalog/{type}": (*Handler).catalogType,
	"POST /v1/events":        (*Handler).publish,
})

// Handle answers one HTTP API request through its route in routes.
func (h *Handler) Handle(ctx context.Context, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, error) {
	return routes.Handle(ctx, h, req)
}

// health serves GET /v1/health, without an authorizer: 503 while the event bus is
// unreachable.
func (h *Handler) health(context.Context, *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	if !h.JS.Conn().IsConnected() {
		return apigw.Reply(http.StatusServiceUnavailable, map[string]string{"status": "degraded", "nats": h.JS.Conn().Status().String()}), nil
	}
	return apigw.Reply(http.StatusOK, map[string]string{"status": "ok"}), nil
}

// catalog serves GET /v1/catalog: the event types with their schemas and examples, for
// any caller with a token.
func (h *Handler) catalog(_ context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	if _, err := apigw.Claims(req); err != nil {
		return apigw.Response{}, err
	}
	return apigw.Reply(http.StatusOK, map[string]any{"types": event.Catalog()}), nil
}

// catalogType serves GET /v1/catalog/{type}: one event type with its schema and
// example, for any caller with a token; 404 for a type outside the catalog.
func (h *Handler) catalogType(_ context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	if _, err := apigw.Claims(req); err != nil {
		return apigw.Response{}, err
	}
	typ := req.PathParameters["type"]
	e, ok := event.CatalogEntry(typ)
	if !ok {
		return apigw.Response{}, fault.Newf(fault.NotFound, "the catalog has no event type %q; GET /v1/catalog lists them", typ)
	}
	return apigw.Reply(http.StatusOK, e), nil
}

// batchBody is the batch form of POST /v1/events.
type batchBody struct {
	Events []json.RawMessage `json:"events"`
}

// publish serves POST /v1/events: one event or a batch, published at once, or one event
// vetted first by the sync triggers with ?mode=sync.
func (h *Handler) publish(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if !claims.IsPublisher() {
		return apigw.Response{}, fault.New(fault.Forbidden, "publishing needs a service token with the publisher role")
	}
	if err := checkQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	body, err := apigw.Body(req, MaxBodyBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	list, batch, err := h.decode(body)
	if err != nil {
		return apigw.Response{}, err
	}
	rec := h.Metrics.Recorder()
	defer rec.Flush()
	if req.QueryStringParameters["mode"] == "sync" {
		if batch {
			return apigw.Response{}, fault.Field("mode", "sync publishing takes one event, not a batch")
		}
		return h.publishSync(ctx, rec, list[0])
	}

	if !batch {
		ack, err := bus.Publish(ctx, h.JS, list[0])
		if err != nil {
			return apigw.Response{}, fault.Wrap(fault.Unavailable, err, "the event bus did not accept the event; retry with the same uuid")
		}
		countPublished(rec, ack)
		cataloged := event.Known(list[0].Event)
		slog.InfoContext(ctx, "event published", "uuid", ack.UUID, "event", list[0].Event, "sequence", ack.Sequence, "duplicate", ack.Duplicate, "cataloged", cataloged, "trace", trace.Root(trace.FromContext(ctx)))
		return apigw.Reply(http.StatusAccepted, published{Ack: ack, Cataloged: cataloged}), nil
	}

	acks, errs := bus.PublishAll(ctx, h.JS, list)
	results := make([]result, len(list))
	failed := 0
	for i := range list {
		cataloged := event.Known(list[i].Event)
		if errs[i] != nil {
			failed++
			results[i] = result{UUID: list[i].UUID, Cataloged: cataloged, Error: "not published; retry with the same uuid"}
			slog.ErrorContext(ctx, "event not published", "uuid", list[i].UUID, "error", errs[i].Error())
			continue
		}
		results[i] = result{UUID: acks[i].UUID, Sequence: acks[i].Sequence, Duplicate: acks[i].Duplicate, Cataloged: cataloged}
		countPublished(rec, acks[i])
	}
	slog.InfoContext(ctx, "batch published", "events", len(list), "failed", failed)
	status := http.StatusAccepted
	if failed > 0 {
		// The results still say which events were stored: a retry of the whole batch with
		// the same uuids is safe, since the stream deduplicates on them.
		status = http.StatusServiceUnavailable
	}
	return apigw.Reply(status, map[string]any{"results": results}), nil
}

// countPublished counts an event the stream stored. A duplicate of one already there is
// not counted: the bridge relays it once, and EventsPublished is compared with
// EventsRelayed.
func countPublished(rec *metrics.Recorder, ack bus.Ack) {
	if !ack.Duplicate {
		rec.Add(metrics.EventsPublished, 1)
	}
}

// published is the answer to one event published at once: the stream's receipt, and
// whether the event's type is in the catalog (and so was checked against its schema).
// A type outside it is published all the same; false tells a publisher that a
// misspelt type went unnoticed.
type published struct {
	bus.Ack
	Cataloged bool `json:"cataloged"`
}

// result is one event's outcome in a batch answer.
type result struct {
	UUID      string `json:"uuid"`
	Sequence  uint64 `json:"sequence,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
	// Cataloged says whether the event's type is in the catalog, as in published.
	Cataloged bool   `json:"cataloged"`
	Error     string `json:"error,omitempty"`
}

// checkQuery accepts only the parameters this route knows.
func checkQuery(q map[string]string) error {
	var fields []fault.FieldError
	for k, v := range q {
		switch {
		case k == "mode" && (v == "" || v == "async" || v == "sync"):
		case k == "mode":
			fields = append(fields, fault.FieldError{Field: "mode", Message: fmt.Sprintf("must be async or sync, not %q", v)})
		default:
			fields = append(fields, fault.FieldError{Field: k, Message: "unknown query parameter"})
		}
	}
	return fault.Fields(fields)
}

// decode reads one event or a batch {"events": [...]}, filling uuid and timestamp where
// missing and validating every event, and every event of a catalog type against its
// schema. A batch is all or nothing: if any event is invalid, none is published and the
// error lists every field at fault as events[i].field.
func (h *Handler) decode(body []byte) ([]*event.Event, bool, error) {
	if !isBatch(body) {
		e, err := h.one(body)
		if err != nil {
			return nil, false, err
		}
		return []*event.Event{e}, false, nil
	}
	var b batchBody
	if err := apigw.DecodeJSON(body, &b); err != nil {
		return nil, true, err
	}
	switch {
	case len(b.Events) == 0:
		return nil, true, fault.Field("events", "must hold at least one event")
	case len(b.Events) > MaxBatch:
		return nil, true, fault.Field("events", fmt.Sprintf("at most %d events per request, not %d", MaxBatch, len(b.Events)))
	}
	list := make([]*event.Event, len(b.Events))
	var fields []fault.FieldError
	var tooLarge error
	for i, raw := range b.Events {
		e, err := h.one(raw)
		if err != nil {
			err = fault.Prefix(err, fmt.Sprintf("events[%d]", i))
			if fault.Is(err, fault.TooLarge) && tooLarge == nil {
				tooLarge = err
			}
			var fe *fault.Error
			if errors.As(err, &fe) {
				fields = append(fields, fe.Fields...)
			}
			continue
		}
		list[i] = e
	}
	if tooLarge != nil && len(fields) == 1 {
		return nil, true, tooLarge
	}
	if err := fault.Fields(fields); err != nil {
		return nil, true, err
	}
	return list, true, nil
}

// one reads and checks one event: the envelope's rules first, then, for an event of a
// catalog type, its contract, whose schemas take the envelope for granted.
func (h *Handler) one(raw []byte) (*event.Event, error) {
	e, err := event.Decode(raw)
	if err != nil {
		return nil, err
	}
	e.FillDefaults(h.Now())
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if err := contract.Check(e); err != nil {
		return nil, err
	}
	return e, nil
}

// isBatch tells the batch form by its only key, "events"; a single event always has
// "event". Anything else is decoded as a single event so that its errors name its fields.
func isBatch(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return false
		}
		switch key {
		case "events":
			return true
		case "event":
			return false
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return false
		}
	}
	return false
}
