package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/wire"
)

// Limits and defaults of the routes.
const (
	DefaultLimit, MaxLimit = 20, 100
	// MaxSpecBytes bounds a create or replace body (a JavaScript action may be long).
	MaxSpecBytes = 256 * 1024
	// MaxTestBytes bounds a test body: one event and its envelope.
	MaxTestBytes = event.MaxSize + 1024
)

// Handler serves the TriggersApi routes. They are declared in routes, each a
// method that returns an apigw.Response or an error for apigw.Respond to answer.
type Handler struct {
	Store      *trigger.Store
	Deliveries *delivery.Store
	Queue      *delivery.Queue
	JS         jetstream.JetStream // replay reads the stream
	// Policy is what actions may reach: every action is checked against it.
	Policy actionspec.Policy
	// ReplayMargin is the time a replay keeps before the deadline to answer; zero means
	// DefaultReplayMargin.
	ReplayMargin time.Duration
}

// routes are the TriggersApi routes, as template.yaml declares them.
var routes = apigw.NewRouter(apigw.Routes[*Handler]{
	"POST /v1/triggers":                                     (*Handler).create,
	"GET /v1/triggers":                                      (*Handler).list,
	"GET /v1/triggers/{id}":                                 (*Handler).get,
	"PUT /v1/triggers/{id}":                                 (*Handler).replace,
	"DELETE /v1/triggers/{id}":                              (*Handler).delete,
	"POST /v1/triggers/{id}/test":                           (*Handler).test,
	"POST /v1/triggers/{id}/enable":                         (*Handler).enable,
	"GET /v1/triggers/{id}/deliveries":                      (*Handler).deliveries,
	"POST /v1/triggers/{id}/deliveries/{delivery_id}/retry": (*Handler).retry,
	"POST /v1/triggers/{id}/replay":                         (*Handler).replay,
	"POST /v1/triggers/{id}/fire":                           (*Handler).fire,
	"GET /v1/admin/triggers":                                (*Handler).adminList,
	"POST /v1/admin/triggers/{id}/disable":                  (*Handler).adminDisable,
	"DELETE /v1/admin/triggers/{id}":                        (*Handler).adminDelete,
})

// Handle answers one HTTP API request through its route in routes.
func (h *Handler) Handle(ctx context.Context, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, error) {
	return routes.Handle(ctx, h, req)
}

// spec reads, normalizes, checks and authorizes a create or replace body: every field,
// the action's against the operator's policy, each fault named.
func (h *Handler) spec(req *awsevents.APIGatewayV2HTTPRequest) (trigger.Spec, error) {
	var s trigger.Spec
	claims, err := apigw.Claims(req)
	if err != nil {
		return s, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return s, err
	}
	body, err := apigw.Body(req, MaxSpecBytes)
	if err != nil {
		return s, err
	}
	if err := apigw.DecodeJSON(body, &s); err != nil {
		return s, err
	}
	var fields []fault.FieldError
	if s.Writable != nil {
		fields = append(fields, fault.FieldError{Field: "writable", Message: "is set by Herald from the owner's grants"})
	}
	err = s.Normalize()
	var fe *fault.Error
	switch {
	case err == nil:
	case errors.As(err, &fe) && fe.Kind == fault.Invalid:
		fields = append(fields, fe.Fields...)
	default:
		return s, err
	}
	if !slices.ContainsFunc(fields, func(f fault.FieldError) bool { return strings.HasPrefix(f.Field, "action") }) {
		fields = append(fields, h.Policy.Check(s.Action, s.Mode)...)
	}
	if err := fault.Fields(fields); err != nil {
		return s, err
	}
	if err := s.Authorize(claims); err != nil {
		return s, err
	}
	s.SetWritable(claims)
	return s, nil
}

// create serves POST /v1/triggers.
func (h *Handler) create(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	s, err := h.spec(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := s.EnsureSecret(nil); err != nil {
		return apigw.Response{}, err
	}
	claims, _ := apigw.Claims(req)
	store := h.Store
	if claims.IsAdmin() {
		store = store.Exempt() // administrators are not limited by MaxPerOwner
	}
	t, err := store.Create(ctx, s, claims.Subject)
	if err != nil {
		return apigw.Response{}, err
	}
	warnings := h.eventTypeWarnings(ctx, t)
	slog.InfoContext(ctx, "trigger created", "trigger", t.ID, "owner", t.Owner, "mode", t.Mode, "events", len(t.Events), "warnings", len(warnings))
	// The one answer that shows the action's secret: the owner configures the
	// receiver with it.
	return apigw.Reply(http.StatusCreated, trigger.Created{Trigger: t.WithSecrets(), Warnings: warnings}), nil
}

// eventTypeWarnings warns of the event type patterns in a create that Herald knows
// nothing of. They are checked after the trigger is made, as they never stop it; when
// the stream cannot be read, the patterns it would have had to confirm get no warning,
// as one that may be wrong is worse than none.
func (h *Handler) eventTypeWarnings(ctx context.Context, t *trigger.Trigger) []wire.Warning {
	patterns := t.Events
	// The stream is looked at only under the trigger's path, which the caller may read:
	// a warning must not tell what others published. A trigger without a path gets the
	// catalog's word only.
	var scopes []string
	if t.Resource.Path != "" {
		scopes = []string{t.Resource.Path}
	}
	unknown, err := bus.UnknownEventTypes(ctx, h.JS, patterns, scopes)
	if err != nil {
		slog.WarnContext(ctx, "the trigger's event types could not all be checked against the stream", "error", err.Error())
	}
	return apigw.EventTypeWarnings("events", patterns, unknown)
}

// list serves GET /v1/triggers: the caller's own.
func (h *Handler) list(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := apigw.PageParams(req.QueryStringParameters, DefaultLimit, MaxLimit)
	if err != nil {
		return apigw.Response{}, err
	}
	ts, next, err := h.Store.List(ctx, claims.Subject, page.Limit, page.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	items := make([]*trigger.Trigger, len(ts))
	for i, t := range ts {
		items[i] = t.View()
	}
	return apigw.ReplyItems(items, next), nil
}

// owned returns the caller's trigger id; anyone else's is a 404.
func (h *Handler) owned(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest, id string, params ...string) (*trigger.Trigger, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return nil, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters, params...); err != nil {
		return nil, err
	}
	return h.Store.Get(ctx, id, claims.Subject)
}

// authorized is owned for what makes events flow to the trigger's action again
// (enable, replay): the caller must still hold what creating it needed, READ on its scope
// (WRITE for sync), or an owner whose access was withdrawn could go on receiving
// events. Reading, testing, firing and deleting what one owns need only ownership.
func (h *Handler) authorized(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest, id string, params ...string) (*trigger.Trigger, error) {
	t, err := h.owned(ctx, req, id, params...)
	if err != nil {
		return nil, err
	}
	claims, _ := apigw.Claims(req)
	if err := t.Authorize(claims); err != nil {
		return nil, err
	}
	return t, nil
}

// get serves GET /v1/triggers/{id}.
func (h *Handler) get(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Reply(http.StatusOK, t.View()), nil
}

// replace serves PUT /v1/triggers/{id}: the whole spec, checked as on create.
func (h *Handler) replace(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	old, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	s, err := h.spec(req)
	if err != nil {
		return apigw.Response{}, err
	}
	// A replacement without a secret keeps the current one: rotating is explicit.
	if err := s.EnsureSecret(old.Action); err != nil {
		return apigw.Response{}, err
	}
	claims, _ := apigw.Claims(req)
	t, err := h.Store.Replace(ctx, id, claims.Subject, s)
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger replaced", "trigger", t.ID, "owner", t.Owner)
	return apigw.Reply(http.StatusOK, t.View()), nil
}

// delete serves DELETE /v1/triggers/{id}.
func (h *Handler) delete(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := h.Store.Delete(ctx, id, t.Owner); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger deleted", "trigger", id, "owner", t.Owner)
	return apigw.ReplyNoContent(), nil
}

// enable serves POST /v1/triggers/{id}/enable: back on after the owner or Herald
// disabled it.
func (h *Handler) enable(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.authorized(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	if t, err = h.Store.SetEnabled(ctx, id, t.Owner, true, ""); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "trigger enabled", "trigger", id, "owner", t.Owner)
	return apigw.Reply(http.StatusOK, t.View()), nil
}

// testAnswer is the answer of POST /v1/triggers/{id}/test.
type testAnswer struct {
	Matched bool `json:"matched"`
	// Enabled is whether the trigger would run: a disabled trigger that matches
	// delivers nothing.
	Enabled bool         `json:"enabled"`
	Explain []match.Step `json:"explain"`
}

// test serves POST /v1/triggers/{id}/test {"event":{…}}: would the event match, and
// why not. Nothing is delivered.
func (h *Handler) test(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	t, err := h.owned(ctx, req, id)
	if err != nil {
		return apigw.Response{}, err
	}
	body, err := apigw.Body(req, MaxTestBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var in struct {
		Event json.RawMessage `json:"event"`
	}
	if err := apigw.DecodeJSON(body, &in); err != nil {
		return apigw.Response{}, err
	}
	if len(in.Event) == 0 {
		return apigw.Response{}, fault.Field("event", "is required")
	}
	ev, err := event.Decode(in.Event)
	if err != nil {
		return apigw.Response{}, fault.Prefix(err, "event")
	}
	// The dry run takes the event as the API would publish it: uuid and timestamp are
	// filled in when missing.
	ev.FillDefaults(time.Now())
	if err := ev.Validate(); err != nil {
		return apigw.Response{}, fault.Prefix(err, "event")
	}
	canonical, err := json.Marshal(ev)
	if err != nil {
		return apigw.Response{}, err
	}
	mev, err := match.ParseEvent(canonical)
	if err != nil {
		return apigw.Response{}, fault.Prefix(err, "event")
	}
	f, err := t.CompileFilter()
	if err != nil {
		return apigw.Response{}, err
	}
	x := f.Explain(mev)
	// The patterns the Router matches under: "*" for a trigger whose filter selects the
	// events, which then shows in the filter's own step on "event".
	events := t.MatchEvents()
	if events == nil {
		events = []string{}
	}
	typeStep := match.Step{Field: "events", Path: "event", Operator: "any-of", Found: []json.RawMessage{jsonString(ev.Event)}}
	typeStep.Operand, _ = json.Marshal(events)
	typeStep.Matched = typeMatches(t.ID, events, mev)
	answer := testAnswer{Matched: typeStep.Matched && x.Matched, Enabled: t.IsEnabled(), Explain: append([]match.Step{typeStep}, x.Steps...)}
	return apigw.Reply(http.StatusOK, answer), nil
}

// typeMatches reports whether the event's type matches one of the trigger's patterns,
// as the Router's matcher decides it. A placeholder trigger (no patterns) matches no
// event.
func typeMatches(id string, events []string, ev *match.Event) bool {
	var m match.Matcher
	m.Add(id, events, nil)
	return len(m.Match(ev)) == 1
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
