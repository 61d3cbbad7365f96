package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/lease"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
)

// Defaults of the stream's timing.
const (
	// DefaultKeepAlive is how long a stream may go without a frame before a keep-alive
	// comment is sent, so that proxies and clients do not take it for dead.
	DefaultKeepAlive = 15 * time.Second
	// DefaultMargin is how long before the invocation's deadline the stream asks the
	// client to reconnect, leaving time for the last frame to reach it.
	DefaultMargin = 5 * time.Second

	// fetchBatch and fetchWait bound one pull: one message, so that a stream pulls no
	// more than it writes next (the next pull only once that write went through), and a
	// client that leaves leaves at most one pulled message to give back; and a short
	// wait, so that keep-alives, the deadline and a stopped stream are noticed promptly.
	fetchBatch = 1
	fetchWait  = time.Second
	// minFetchWait is the shortest pull worth asking the server for.
	minFetchWait = 10 * time.Millisecond

	// DefaultMaxStreams is how many streams a user may hold open when
	// HERALD_MAX_STREAMS_PER_USER is not set: the template's default.
	DefaultMaxStreams = 10
	// DefaultMaxOpenStreams is how many streams may be open at once across all users
	// when HERALD_MAX_OPEN_STREAMS is not set (the template's MaxOpenStreams).
	DefaultMaxOpenStreams = 20
	// StreamsQuota names the quota in a refusal.
	StreamsQuota = "streams"

	// releaseTimeout bounds releasing a stream's lease after it ended, which may be
	// after the invocation's context did, and bounds making sure the server has the
	// naks of messages given back.
	releaseTimeout = 3 * time.Second
	// closeWait bounds how long closing the body waits for the stream to finish: the
	// pull in flight (fetchWait), giving back what it brought, releasing the leases.
	closeWait = fetchWait + 2*releaseTimeout
)

// Frames and comments of the event stream that carry no message.
const (
	keepAliveFrame = ": keep-alive\n\n"
	reconnectFrame = "event: reconnect\ndata: {}\n\n"
)

// Handler serves GET /v1/consumers/{id}/stream through a Function URL, which has no
// authorizer in front of it: the handler verifies the bearer token itself.
type Handler struct {
	Store    *consumer.Store
	JS       jetstream.JetStream
	Keys     *reply.Keyring // signs the replies of streamed messages
	Verifier *auth.Verifier
	// Tickets redeems the single-use tickets that stand for a token (?ticket=); nil
	// refuses them.
	Tickets *ticket.Redeemer

	// Leases counts each user's open streams across instances; MaxStreams is how many
	// one user may hold. Admins are exempt. A nil Leases counts nothing (tests of other
	// behaviour); the function always sets it.
	Leases     *lease.Store
	MaxStreams int

	// OpenStreams counts the open streams of every user, admins included, in one pool
	// of MaxOpenStreams: each is an invocation of up to 15 minutes, and together they
	// must not take the account's concurrency from the other functions. Nil counts
	// nothing (tests of other behaviour); the function always sets it.
	OpenStreams    *lease.Store
	MaxOpenStreams int

	KeepAlive time.Duration // zero means DefaultKeepAlive
	Margin    time.Duration // zero means DefaultMargin

	// Hidden counts the messages streams did not show: invalid events and those a
	// consumer's filter or event types leave out (see consumer.Screen).
	Hidden consumer.Tally
	// Inbox serves the caller's inbox stream at InboxPath (inbox.go); nil answers it 404.
	Inbox *InboxSource
}

// Handle answers one Function URL request: a problem+json error, or a 200 whose body is
// the consumer's messages as server-sent events until the invocation nears its end or
// the token expires. A user holding MaxStreams open streams already is answered 429.
func (h *Handler) Handle(ctx context.Context, req awsevents.LambdaFunctionURLRequest) (*awsevents.LambdaFunctionURLStreamingResponse, error) {
	if isInboxPath(req.RawPath) {
		return h.serveInbox(ctx, req)
	}
	id, ok := consumerID(req.RawPath)
	if !ok {
		return problem(ctx, fault.Newf(fault.NotFound, "no route %s %s", req.RequestContext.HTTP.Method, req.RawPath)), nil
	}
	if m := req.RequestContext.HTTP.Method; m != http.MethodGet {
		// A Function URL passes every method on, so the function refuses them itself,
		// as the HTTP API would.
		return problem(ctx, fault.NotAllowed(m+" is not allowed here; use GET", http.MethodGet)), nil
	}
	c, r, claims, err := h.open(ctx, &req, id)
	if err != nil {
		return problem(ctx, err), nil
	}
	sc, err := h.Store.Screen(r, &h.Hidden)
	if err != nil {
		return problem(ctx, fmt.Errorf("consumer %s: its stored filter does not compile: %w", id, err)), nil
	}
	ls, err := h.lease(ctx, claims, id)
	if err != nil {
		return problem(ctx, err), nil
	}
	if err := h.Store.Touch(ctx, r); err != nil && !fault.Is(err, fault.NotFound) {
		// The pulls reset the JetStream consumer's inactivity clock themselves; a missed
		// touch only makes the record's expiry lag.
		slog.WarnContext(ctx, "touching the consumer failed", "consumer", id, "error", err.Error())
	}
	body := h.start(ctx, c, sc, id, claims, ls)
	slog.InfoContext(ctx, "stream started", "consumer", id, "owner", r.Owner)
	return eventStream(body), nil
}

// errClientGone is why a stream stopped when its body was closed before it ended.
var errClientGone = errors.New("the stream's client is gone")

// start runs the stream in the background and returns its body.
func (h *Handler) start(ctx context.Context, c jetstream.Consumer, sc *consumer.Screen, id string, claims *auth.Claims, ls []*lease.Lease) *streamBody {
	end := h.end(ctx, claims)
	return startStream(ctx, func(sctx context.Context, w *io.PipeWriter) {
		defer h.release(ctx, ls, id)
		h.stream(sctx, w, c, sc, id, end, ls)
		if errors.Is(context.Cause(sctx), errClientGone) {
			slog.InfoContext(ctx, "stream client gone", "consumer", id)
		}
	})
}

// startStream runs run in the background, writing to the body it returns, and returns
// at once. run's context ends when the body is closed (errClientGone its cause) or ctx
// ends. The body ends once run returns: run releases the stream's leases before, so
// that a client that sees the end and opens the next stream finds the room free.
func startStream(ctx context.Context, run func(ctx context.Context, w *io.PipeWriter)) *streamBody {
	pr, pw := io.Pipe()
	sctx, stop := context.WithCancelCause(ctx)
	// A reader that stops reading would leave a write blocked for good; stopping the
	// stream (the body closed, or the invocation ended) releases it.
	unwatch := context.AfterFunc(sctx, func() { pr.CloseWithError(context.Cause(sctx)) })
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer unwatch()
		defer pw.Close()
		run(sctx, pw)
	}()
	return &streamBody{PipeReader: pr, stop: stop, done: done}
}

// streamBody is a stream's response body. The runtime closes it once its response
// ended: at the end of the stream, or when it could not pass the stream on because the
// client is gone, after which aws-lambda-go's runtime exits. So Close stops the stream
// at once and returns only once the stream has given back what it pulled and did not
// write and has released its leases (or after closeWait).
type streamBody struct {
	*io.PipeReader
	stop context.CancelCauseFunc
	done <-chan struct{}
}

// Close stops the stream and waits, up to closeWait, until it has cleaned up.
func (b *streamBody) Close() error {
	b.stop(errClientGone)
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case <-b.done:
	case <-t.C:
	}
	return nil
}

// open authenticates the request (a ticket of the consumer's stream, or a bearer token)
// and returns the caller's consumer and claims, refusing a caller no longer allowed to
// read what it selects.
func (h *Handler) open(ctx context.Context, req *awsevents.LambdaFunctionURLRequest, id string) (jetstream.Consumer, *consumer.Record, *auth.Claims, error) {
	// A browser's EventSource cannot send a token: it opens the stream with a ticket.
	claims, err := ticket.Authenticate(ctx, h.Verifier, h.Tickets, req.Headers, req.QueryStringParameters, ticket.ConsumerStreamPath(id))
	if err != nil {
		return nil, nil, nil, err
	}
	// The verifier's leeway for clock skew lets a token through a little past its exp,
	// but a stream that would have to end at once is no use: the client needs a new token.
	if !claims.Expires.After(time.Now()) {
		return nil, nil, nil, fault.New(fault.Unauthorized, "the token has expired")
	}
	r, err := h.Store.Get(ctx, id, claims.Subject)
	if err != nil {
		return nil, nil, nil, err
	}
	// Permissions change after a consumer is made: a revoked grant stops the next stream.
	if err := r.Authorize(claims); err != nil {
		return nil, nil, nil, err
	}
	// Its JetStream consumer is paused: say why rather than stream nothing (and touch
	// it, keeping it from expiring).
	if r.DisabledReason != "" {
		return nil, nil, nil, fault.New(fault.Conflict, "the consumer is "+r.DisabledReason)
	}
	c, err := h.JS.Consumer(ctx, event.StreamName, id)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, nil, nil, fault.New(fault.NotFound, "no such consumer")
	case err != nil:
		return nil, nil, nil, fault.Wrap(fault.Unavailable, err, "the event bus failed reading the consumer; try again")
	}
	return c, r, claims, nil
}

// openStreamsOwner is the owner of the pool of every open stream in the streams table.
// A token's subject is printable, so no user's slots are these.
const openStreamsOwner = "\x00open-streams"

// lease takes a slot of the stack's pool of open streams, answering 503 when every one
// is taken, and one of the caller's own, answering 429 naming the quota when they hold
// MaxStreams already (admins take none of their own). It returns the leases taken.
func (h *Handler) lease(ctx context.Context, claims *auth.Claims, id string) ([]*lease.Lease, error) {
	var ls []*lease.Lease
	if h.OpenStreams != nil {
		l, err := h.OpenStreams.Acquire(ctx, openStreamsOwner, max(h.MaxOpenStreams, 1), id)
		if fault.Is(err, fault.OverQuota) {
			return nil, fault.New(fault.Unavailable, "every live stream Herald allows at once is open; try again later")
		}
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	if h.Leases == nil || claims.IsAdmin() {
		return ls, nil
	}
	l, err := h.Leases.Acquire(ctx, claims.Subject, max(h.MaxStreams, 1), id)
	if err != nil {
		h.release(ctx, ls, id)
		return nil, err
	}
	return append(ls, l), nil
}

// release gives the stream's slots back, with a context of its own: the stream may end
// because the invocation's did.
func (h *Handler) release(ctx context.Context, ls []*lease.Lease, id string) {
	if len(ls) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	for _, l := range ls {
		if err := l.Release(ctx); err != nil {
			// The lease lapses by itself within its TTL.
			slog.WarnContext(ctx, "releasing the stream's lease failed", "consumer", id, "error", err.Error())
		}
	}
}

// renew renews the stream's leases; false when one was lost. A failed renewal is only
// logged: a lease outlives one or two.
func (h *Handler) renew(ctx context.Context, ls []*lease.Lease, id string) bool {
	for _, l := range ls {
		if err := l.Renew(ctx); errors.Is(err, lease.ErrLost) {
			slog.WarnContext(ctx, "the stream's lease was lost", "consumer", id)
			return false
		} else if err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "renewing the stream's lease failed", "consumer", id, "error", err.Error())
		}
	}
	return true
}

// end returns when the stream must ask its client to reconnect: when the token expires
// or at the invocation's deadline less the margin, whichever comes first.
func (h *Handler) end(ctx context.Context, claims *auth.Claims) time.Time {
	end := claims.Expires
	if d, ok := ctx.Deadline(); ok {
		if d = d.Add(-orDefault(h.Margin, DefaultMargin)); end.IsZero() || d.Before(end) {
			end = d
		}
	}
	return end
}

// stream writes the messages of c that sc shows to w as server-sent events until end (the token's
// expiry or the deadline less the margin; zero for none), when it asks the client to
// reconnect, or until the client goes away: a write fails, or ctx ends (the body was
// closed). It renews the stream's leases ls as it goes, and asks the client to reconnect
// if one was lost. Nothing is acknowledged here: clients acknowledge through
// POST /v1/acknowledge, and whatever they do not comes back after its ack wait, on this
// stream or the next; what was pulled and not written is given back at once. The
// caller closes w.
func (h *Handler) stream(ctx context.Context, w io.Writer, c jetstream.Consumer, sc *consumer.Screen, id string, end time.Time, ls []*lease.Lease) {
	keepAlive := orDefault(h.KeepAlive, DefaultKeepAlive)
	hasEnd := !end.IsZero()
	renewed := time.Now()
	lastWrite := time.Now()
	write := func(frame []byte) bool {
		if ctx.Err() != nil {
			return false
		}
		if _, err := w.Write(frame); err != nil {
			if ctx.Err() == nil { // else stopped, and said so
				slog.InfoContext(ctx, "stream client gone", "consumer", id, "error", err.Error())
			}
			return false
		}
		lastWrite = time.Now()
		return true
	}
	for ctx.Err() == nil {
		now := time.Now()
		if hasEnd && !now.Before(end) {
			write([]byte(reconnectFrame))
			break
		}
		if len(ls) > 0 && now.Sub(renewed) >= ls[0].RenewEvery() {
			if !h.renew(ctx, ls, id) {
				// Streaming on would let more streams be open than allowed.
				write([]byte(reconnectFrame))
				break
			}
			renewed = now
		}
		if now.Sub(lastWrite) >= keepAlive {
			if !write([]byte(keepAliveFrame)) {
				break
			}
			now = lastWrite
		}
		// Wake for whichever comes first: the next keep-alive, the end, or a message.
		wait := min(fetchWait, keepAlive-now.Sub(lastWrite))
		if hasEnd {
			wait = min(wait, end.Sub(now))
		}
		b, err := c.Fetch(fetchBatch, jetstream.FetchMaxWait(max(wait, minFetchWait)))
		if err != nil {
			h.fail(ctx, w, id, err)
			return
		}
		if !h.send(ctx, b, sc, id, write) {
			return
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			h.fail(ctx, w, id, err)
			return
		}
	}
}

// send writes the messages of the pull b that sc shows as frames with write, and
// reports whether the client is still there. Once it is not (a write failed, or ctx
// ended), the rest of the pull and the message whose write failed are given back, so
// that the consumer's next client gets them at once rather than after their ack wait.
func (h *Handler) send(ctx context.Context, b jetstream.MessageBatch, sc *consumer.Screen, id string, write func([]byte) bool) bool {
	var pulled []jetstream.Msg
	for m := range b.Messages() {
		pulled = append(pulled, m)
	}
	if ctx.Err() != nil {
		h.giveBack(ctx, pulled, id)
		return false
	}
	// What is not shown is acknowledged (or held back) by the screen.
	shown := sc.Sift(ctx, pulled).Shown
	for i, m := range shown {
		frame, ok := h.frame(ctx, m, id)
		if !ok {
			continue
		}
		if !write(frame) {
			h.giveBack(ctx, shown[i:], id)
			return false
		}
	}
	return ctx.Err() == nil
}

// frame returns the event-stream frame of m. A message that cannot be framed is logged
// and left to come back after its ack wait.
func (h *Handler) frame(ctx context.Context, m jetstream.Msg, id string) ([]byte, bool) {
	msg, err := consumer.NewMessage(m, h.Keys, id)
	if err != nil {
		slog.ErrorContext(ctx, "fetched message without metadata", "consumer", id, "uuid", msgUUID(m), "error", err.Error())
		return nil, false
	}
	frame, err := messageFrame(msg)
	if err != nil {
		slog.ErrorContext(ctx, "encoding a message failed", "consumer", id, "uuid", msgUUID(m), "error", err.Error())
		return nil, false
	}
	return frame, true
}

// giveBack naks msgs, which were pulled and not written, for immediate redelivery, and
// waits until the server has the naks: the process may exit right after the stream.
func (h *Handler) giveBack(ctx context.Context, msgs []jetstream.Msg, id string) {
	if len(msgs) == 0 {
		return
	}
	for _, m := range msgs {
		if err := m.Nak(); err != nil {
			// It comes back after its ack wait instead.
			slog.WarnContext(ctx, "giving a message back failed", "consumer", id, "uuid", msgUUID(m), "error", err.Error())
		}
	}
	uuids := make([]string, len(msgs))
	for i, m := range msgs {
		uuids[i] = msgUUID(m)
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := h.JS.Conn().FlushWithContext(fctx); err != nil {
		slog.WarnContext(ctx, "confirming messages given back failed", "consumer", id, "uuids", uuids, "error", err.Error())
		return
	}
	slog.InfoContext(ctx, "messages given back", "consumer", id, "uuids", uuids)
}

// msgUUID is the uuid of the event m carries: its Nats-Msg-Id, under which Herald
// publishes every event.
func msgUUID(m jetstream.Msg) string {
	return m.Headers().Get(nats.MsgIdHdr)
}

// fail ends a stream whose pull failed: the consumer was deleted, or the bus is down.
// The client is asked to reconnect, and learns on doing so which it was.
func (h *Handler) fail(ctx context.Context, w io.Writer, id string, err error) {
	if ctx.Err() == nil {
		slog.WarnContext(ctx, "stream pull failed", "consumer", id, "error", err.Error())
		w.Write([]byte(reconnectFrame))
	}
}

// messageFrame returns msg as an event-stream frame. JSON has no raw line breaks, so
// the data fits on one line whatever the event holds.
func messageFrame(msg consumer.Message) ([]byte, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("id: ")
	b.WriteString(strconv.FormatUint(msg.Sequence, 10))
	b.WriteString("\nevent: message\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes(), nil
}

// consumerID returns the {id} of a path /v1/consumers/{id}/stream.
func consumerID(path string) (string, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 4 || parts[0] != "v1" || parts[1] != "consumers" || parts[2] == "" || parts[3] != "stream" {
		return "", false
	}
	return parts[2], true
}

// problem answers err as problem+json (apigw.Error), in one piece rather than as a
// stream.
func problem(ctx context.Context, err error) *awsevents.LambdaFunctionURLStreamingResponse {
	resp := apigw.Error(ctx, err)
	return &awsevents.LambdaFunctionURLStreamingResponse{StatusCode: resp.StatusCode, Headers: resp.Headers, Body: strings.NewReader(resp.Body)}
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// eventStream is the 200 answer whose body is a stream of server-sent events.
func eventStream(body io.Reader) *awsevents.LambdaFunctionURLStreamingResponse {
	return &awsevents.LambdaFunctionURLStreamingResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type":  "text/event-stream",
			"Cache-Control": "no-cache",
		},
		Body: body,
	}
}
