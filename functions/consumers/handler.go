package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/wire"
)

// Limits and defaults of the routes.
const (
	// MaxSpecBytes bounds a create body: 100 resources and 50 event types fit easily.
	MaxSpecBytes = 256 * 1024
	// MaxAckBodyBytes bounds an acknowledge body: MaxReplies replies of a few hundred
	// bytes each.
	MaxAckBodyBytes = 2 * 1000 * 1000

	DefaultLimit, MaxLimit         = 20, 100
	DefaultBatchSize, MaxBatchSize = 10, 1000
	MaxWaitMS                      = 20_000

	// AckTimeout is how long an acknowledge request waits for the server to confirm its
	// replies.
	AckTimeout = 5 * time.Second

	// NoWaitBudget bounds a batch asked for with wait_ms 0 when the consumer hides
	// messages: it pulls again while messages are ready and the batch is not full, for
	// at most this long, so that a filter that hides most of a backlog still answers
	// promptly (the next batch goes on from there).
	NoWaitBudget = time.Second
	// minPullWait is the shortest wait worth asking the server for; less time than
	// that left ends the batch.
	minPullWait = 10 * time.Millisecond
)

// Handler serves the ConsumersApi routes. They are declared in routes, each a
// method that returns an apigw.Response or an error for apigw.Respond to answer.
type Handler struct {
	Store *consumer.Store
	JS    jetstream.JetStream
	Keys  *reply.Keyring // signs the replies of fetched messages and checks them back
	// Tickets issues the tickets that open a consumer's stream without a token.
	Tickets *ticket.Keys

	// Hidden counts the messages batches did not show: invalid events and those a
	// consumer's filter or event types leave out (see consumer.Screen).
	Hidden consumer.Tally

	cache cache // the consumers this instance fetched from
}

// routes are the ConsumersApi routes, as template.yaml declares them.
var routes = apigw.NewRouter(apigw.Routes[*Handler]{
	"POST /v1/consumers":                    (*Handler).create,
	"GET /v1/consumers":                     (*Handler).list,
	"GET /v1/consumers/{id}":                (*Handler).get,
	"PUT /v1/consumers/{id}":                (*Handler).update,
	"DELETE /v1/consumers/{id}":             (*Handler).delete,
	"GET /v1/consumers/{id}/batch":          (*Handler).batch,
	"POST /v1/consumers/{id}/pause":         (*Handler).pause,
	"POST /v1/consumers/{id}/resume":        (*Handler).resume,
	"POST /v1/consumers/{id}/stream-ticket": (*Handler).streamTicket,
	"POST /v1/acknowledge":                  (*Handler).acknowledge,
	"GET /v1/admin/consumers":               (*Handler).adminList,
	"POST /v1/admin/consumers/{id}/disable": (*Handler).adminDisable,
	"DELETE /v1/admin/consumers/{id}":       (*Handler).adminDelete,
})

// Handle answers one HTTP API request through its route in routes. Without a route key
// (a $default route) the router matches the raw path and takes {id} from it.
func (h *Handler) Handle(ctx context.Context, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, error) {
	return routes.Handle(ctx, h, req)
}

// create serves POST /v1/consumers: READ on every scope path (or what Spec.Authorize
// asks for targets without paths) is needed.
func (h *Handler) create(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	body, err := apigw.Body(req, MaxSpecBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var spec consumer.Spec
	if err := apigw.DecodeJSON(body, &spec); err != nil {
		return apigw.Response{}, err
	}
	if err := spec.Normalize(); err != nil {
		return apigw.Response{}, err
	}
	if err := spec.Authorize(claims); err != nil {
		return apigw.Response{}, err
	}
	store := h.Store
	if claims.IsAdmin() {
		store = store.Exempt() // administrators are not limited by MaxPerOwner
	}
	r, err := store.Create(ctx, spec, claims.Subject)
	if err != nil {
		return apigw.Response{}, err
	}
	warnings := h.eventTypeWarnings(ctx, spec.EventTypes, spec.Target)
	slog.InfoContext(ctx, "consumer created", "id", r.ID, "owner", r.Owner, "filters", len(r.FilterSubjects), "warnings", len(warnings))
	return apigw.Reply(http.StatusCreated, consumer.Created{Record: r, Warnings: warnings}), nil
}

// eventTypeWarnings warns of the event types in a create that Herald knows nothing of.
// They are checked after the consumer is made, as they never stop it; when the stream
// cannot be read, the types it would have had to confirm get no warning, as one that
// may be wrong is worse than none.
func (h *Handler) eventTypeWarnings(ctx context.Context, types []string, target consumer.Target) []wire.Warning {
	// The stream is looked at only under the resources the consumer selects, which the
	// caller may read: a warning must not tell what others published.
	var scopes []string
	for _, r := range target.Resources {
		scopes = append(scopes, r.Path)
	}
	unknown, err := bus.UnknownEventTypes(ctx, h.JS, types, scopes)
	if err != nil {
		slog.WarnContext(ctx, "the consumer's event types could not all be checked against the stream", "error", err.Error())
	}
	return apigw.EventTypeWarnings("event_types", types, unknown)
}

// list serves GET /v1/consumers: the caller's own consumers, a page at a time.
func (h *Handler) list(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := apigw.PageParams(req.QueryStringParameters, DefaultLimit, MaxLimit)
	if err != nil {
		return apigw.Response{}, err
	}
	records, next, err := h.Store.List(ctx, claims.Subject, page.Limit, page.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.ReplyItems(records, next), nil
}

// view is a consumer as GET /v1/consumers/{id} shows it: the record and the JetStream
// consumer's counts and pause.
type view struct {
	*consumer.Record
	// NumPending counts the messages on the consumer's subjects not yet delivered,
	// before its filter and event type names are applied: some may be hidden.
	NumPending    uint64 `json:"num_pending"`
	NumAckPending int    `json:"num_ack_pending"` // delivered messages waiting for an acknowledgement
	consumer.PauseState
}

// newView returns the view of r with the JetStream consumer's info.
func newView(r *consumer.Record, info *jetstream.ConsumerInfo) view {
	return view{Record: r, NumPending: info.NumPending, NumAckPending: info.NumAckPending, PauseState: consumer.PauseStateOf(info)}
}

// get serves GET /v1/consumers/{id}, for the owner.
func (h *Handler) get(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Store.Get(ctx, id, claims.Subject)
	if err != nil {
		return apigw.Response{}, err
	}
	c, err := h.consumer(ctx, id)
	if err != nil {
		return apigw.Response{}, err
	}
	info, err := c.Info(ctx)
	if err != nil {
		return apigw.Response{}, busError(err, "reading the consumer")
	}
	return apigw.Reply(http.StatusOK, newView(r, info)), nil
}

// delete serves DELETE /v1/consumers/{id}: the owner may, and so may whoever holds
// WRITE on every path the consumer is scoped to. Everyone else learns nothing: 404.
func (h *Handler) delete(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Store.Lookup(ctx, id)
	if err != nil {
		return apigw.Response{}, err
	}
	if r.Owner != claims.Subject && !canWriteAll(claims, r.ScopePaths()) {
		return apigw.Response{}, fault.New(fault.NotFound, "no such consumer")
	}
	h.cache.drop(id)
	if err := h.Store.Delete(ctx, id); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "consumer deleted", "id", id, "owner", r.Owner, "by", claims.Subject)
	return apigw.ReplyNoContent(), nil
}

// canWriteAll reports whether c holds WRITE on every one of paths. A consumer without
// paths (announcements, all) is its owner's alone: "every path of none" must not let
// anyone delete it.
func canWriteAll(c *auth.Claims, paths []string) bool {
	if len(paths) == 0 {
		return false
	}
	for _, p := range paths {
		if !c.Can(p, auth.Write) {
			return false
		}
	}
	return true
}

// batch serves GET /v1/consumers/{id}/batch: the owner, still allowed to read what the
// consumer selects, gets at most batch_size messages, waiting up to wait_ms for them.
// Nothing is acknowledged here: every message comes back after its ack wait unless the
// caller acknowledges it.
func (h *Handler) batch(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	if err := apigw.CheckQuery(q, "batch_size", "wait_ms"); err != nil {
		return apigw.Response{}, err
	}
	size, err := apigw.IntParam(q, "batch_size", DefaultBatchSize, 1, MaxBatchSize)
	if err != nil {
		return apigw.Response{}, err
	}
	waitMS, err := apigw.IntParam(q, "wait_ms", 0, 0, MaxWaitMS)
	if err != nil {
		return apigw.Response{}, err
	}
	r, c, sc, err := h.open(ctx, id, claims.Subject)
	if err != nil {
		return apigw.Response{}, err
	}
	// Permissions change after a consumer is made: a revoked grant stops the next fetch.
	if err := r.Authorize(claims); err != nil {
		return apigw.Response{}, err
	}
	// Its JetStream consumer is paused: say why rather than answer empty batches (and
	// touch it, keeping it from expiring).
	if r.DisabledReason != "" {
		return apigw.Response{}, fault.New(fault.Conflict, "the consumer is "+r.DisabledReason)
	}
	msgs, err := h.pull(ctx, id, c, sc, size, time.Duration(waitMS)*time.Millisecond)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := h.Store.Touch(ctx, r); err != nil && !fault.Is(err, fault.NotFound) {
		// The fetch itself reset the JetStream consumer's inactivity clock; a missed
		// touch only makes the record's expiry lag by a minute more.
		slog.WarnContext(ctx, "touching the consumer failed", "consumer", id, "error", err.Error())
	}
	h.cache.put(id, r, c, sc, time.Now())
	return apigw.Reply(http.StatusOK, map[string]any{"messages": msgs}), nil
}

// pull fetches up to size messages of c that the screen sc shows, waiting up to wait
// for them. Hidden messages do not count: while the batch is not full and some were
// hidden, it pulls again, for the time left of wait (NoWaitBudget with no wait); each
// pull is judged by the consumer's rules as read after it returned (consumer.Screen). It
// never asks the server for more messages than the batch has room for, so nothing is
// delivered that the answer does not hold.
func (h *Handler) pull(ctx context.Context, id string, c jetstream.Consumer, sc *consumer.Screen, size int, wait time.Duration) ([]consumer.Message, error) {
	start := time.Now()
	msgs := make([]consumer.Message, 0, size)
	hidden, held := 0, 0
	for {
		need := size - len(msgs)
		left := wait - time.Since(start)
		var b jetstream.MessageBatch
		var err error
		if wait == 0 {
			b, err = c.FetchNoWait(need)
		} else {
			b, err = c.Fetch(need, jetstream.FetchMaxWait(left))
		}
		if err != nil {
			return nil, busError(err, "fetching messages")
		}
		var pulled []jetstream.Msg
		for m := range b.Messages() {
			pulled = append(pulled, m)
		}
		sifted := sc.Sift(ctx, pulled)
		for _, m := range sifted.Shown {
			msg, err := consumer.NewMessage(m, h.Keys, id)
			if err != nil {
				// Only a malformed reply subject gets here, which JetStream never sends;
				// without one the message cannot be acknowledged, and it will come back.
				slog.ErrorContext(ctx, "fetched message without metadata", "consumer", id, "error", err.Error())
				continue
			}
			msgs = append(msgs, msg)
		}
		hidden += sifted.Hidden
		held += sifted.Held
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			if len(msgs) == 0 && hidden == 0 && held == 0 {
				return nil, h.fetchFailed(ctx, id, err)
			}
			// The messages in hand are delivered already: answering them beats making the
			// caller wait out their ack wait.
			slog.WarnContext(ctx, "fetch ended early", "consumer", id, "messages", len(msgs), "error", err.Error())
			break
		}
		// Only hidden messages make another pull worth it: without them the pull
		// filled the batch, or found nothing more within the wait. Held ones end the
		// batch: the rules cannot be read, and each pull would give back more.
		if len(msgs) == size || sifted.Hidden == 0 || sifted.Held > 0 {
			break
		}
		if wait == 0 && time.Since(start) >= NoWaitBudget || wait > 0 && wait-time.Since(start) < minPullWait {
			break
		}
	}
	if hidden > 0 || held > 0 {
		// Hidden messages were acknowledged, and held ones given back, without waiting;
		// a frozen instance must not hold those back until the messages come back.
		if err := h.JS.Conn().FlushTimeout(AckTimeout); err != nil {
			slog.WarnContext(ctx, "sending the acknowledgements of hidden messages failed; they come back and are judged again", "consumer", id, "error", err.Error())
		}
		slog.InfoContext(ctx, "messages hidden from a batch", "consumer", id, "hidden", hidden, "held", held, "shown", len(msgs),
			"invalid_total", h.Hidden.Invalid.Load(), "filtered_total", h.Hidden.Filtered.Load())
	}
	return msgs, nil
}

// open returns the record, JetStream consumer and Screen of id for owner, from the
// cache when this instance has them, else read afresh and cached.
func (h *Handler) open(ctx context.Context, id, owner string) (*consumer.Record, jetstream.Consumer, *consumer.Screen, error) {
	if r, c, sc, ok := h.cache.get(id, time.Now()); ok {
		if r.Owner != owner {
			return nil, nil, nil, fault.New(fault.NotFound, "no such consumer")
		}
		return r, c, sc, nil
	}
	r, err := h.Store.Get(ctx, id, owner)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := h.consumer(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	sc, err := h.Store.Screen(r, &h.Hidden)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("consumer %s: its stored filter does not compile: %w", id, err)
	}
	h.cache.put(id, r, c, sc, time.Now())
	return r, c, sc, nil
}

// fetchFailed returns the error of a fetch that failed with err before any message.
// Nothing answers the pull requests of a deleted JetStream consumer (deleted by its
// owner through another instance, the Janitor, or its inactivity threshold), and a
// cached handle only learns that now: it is dropped, and a lookup tells a deleted
// consumer (404) from a failing event bus (503).
func (h *Handler) fetchFailed(ctx context.Context, id string, err error) error {
	if !errors.Is(err, nats.ErrNoResponders) && !errors.Is(err, jetstream.ErrConsumerDeleted) {
		return busError(err, "fetching messages")
	}
	h.cache.drop(id)
	if _, lookup := h.consumer(ctx, id); lookup != nil {
		return lookup
	}
	return busError(err, "fetching messages")
}

// consumer returns the JetStream consumer id; one JetStream removed (idle expiry) is a
// fault NotFound like a missing record.
func (h *Handler) consumer(ctx context.Context, id string) (jetstream.Consumer, error) {
	c, err := h.JS.Consumer(ctx, event.StreamName, id)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, fault.New(fault.NotFound, "no such consumer")
	case err != nil:
		return nil, busError(err, "reading the consumer")
	}
	return c, nil
}

// ackBody is the body of POST /v1/acknowledge.
type ackBody struct {
	Replies []reply.Reply `json:"replies"`
	// Action is absent (nil) for "ack", the default every acknowledge API has; an
	// explicit empty string is still refused.
	Action  *string `json:"action"`
	DelayMS int64   `json:"delay_ms"`
}

// acknowledge serves POST /v1/acknowledge. It has no authorizer: a reply signed by
// Herald for a consumer is the credential for acknowledging that delivery. Every reply
// is checked before any is acted on, and each action waits for the server to confirm.
func (h *Handler) acknowledge(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	raw, err := apigw.Body(req, MaxAckBodyBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var body ackBody
	if err := apigw.DecodeJSON(raw, &body); err != nil {
		return apigw.Response{}, err
	}
	action := reply.Ack
	if body.Action != nil {
		action, err = reply.ParseAction(*body.Action)
	}
	if err != nil {
		return apigw.Response{}, err
	}
	// Milliseconds beyond the longest delay would overflow a Duration; any value past
	// the limit gets the same error from Payload.
	delay := reply.MaxNakDelay + time.Millisecond
	if body.DelayMS <= reply.MaxNakDelay.Milliseconds() {
		delay = time.Duration(body.DelayMS) * time.Millisecond
	}
	payload, err := action.Payload(delay)
	if err != nil {
		return apigw.Response{}, err
	}
	if len(body.Replies) == 0 {
		return apigw.Response{}, fault.Field("replies", "must not be empty")
	}
	// The consumer comes from the first reply; VerifyAll then refuses any reply signed
	// for another consumer, the first one included when its signature is not genuine.
	first, err := reply.ParseAckSubject(body.Replies[0].Reply)
	if err != nil {
		return apigw.Response{}, fault.Field("replies[0]", "not a JetStream ack subject")
	}
	if _, err := reply.VerifyAll(h.Keys, body.Replies, first.Consumer, event.StreamName); err != nil {
		return apigw.Response{}, err
	}
	failed := confirm(ctx, h.JS.Conn(), body.Replies, payload)
	if len(failed) > 0 {
		slog.WarnContext(ctx, "acknowledgements not confirmed", "consumer", first.Consumer, "action", action, "failed", len(failed), "of", len(body.Replies))
		return apigw.Response{}, &fault.Error{
			Kind:   fault.Unavailable,
			Detail: fmt.Sprintf("%d of %d replies were not confirmed by the event bus (the consumer may have been deleted); sending them again is safe", len(failed), len(body.Replies)),
			Fields: failed,
		}
	}
	slog.InfoContext(ctx, "acknowledged", "consumer", first.Consumer, "action", action, "replies", len(body.Replies))
	return apigw.Reply(http.StatusOK, map[string]int{"acknowledged": len(body.Replies)}), nil
}

// busError reports a failure of the event bus as a fault Unavailable.
func busError(err error, doing string) error {
	return fault.Wrap(fault.Unavailable, err, "the event bus failed "+doing+"; try again")
}
