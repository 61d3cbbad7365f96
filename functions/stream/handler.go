package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/shared/apigw"
	"github.com/heraldhq/herald/shared/auth"
	"github.com/heraldhq/herald/shared/consumer"
	"github.com/heraldhq/herald/shared/event"
	"github.com/heraldhq/herald/shared/fault"
	"github.com/heraldhq/herald/shared/reply"
)

// Defaults of the stream's timing.
const (
	// DefaultKeepAlive is how long a stream may go without a frame before a keep-alive
	// comment is sent, so that proxies and clients do not take it for dead.
	DefaultKeepAlive = 15 * time.Second
	// DefaultMargin is how long before the invocation's deadline the stream asks the
	// client to reconnect, leaving time for the last frame to reach it.
	DefaultMargin = 5 * time.Second

	// fetchBatch and fetchWait bound one pull: few messages, so that a stream holds
	// back little it has not written yet, and a short wait, so that keep-alives, the
	// deadline and a departed client are noticed promptly.
	fetchBatch = 10
	fetchWait  = time.Second
	// minFetchWait is the shortest pull worth asking the server for.
	minFetchWait = 10 * time.Millisecond
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

	KeepAlive time.Duration // zero means DefaultKeepAlive
	Margin    time.Duration // zero means DefaultMargin
}

// Handle answers one Function URL request: a problem+json error, or a 200 whose body is
// the consumer's messages as server-sent events until the invocation nears its end.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (*events.LambdaFunctionURLStreamingResponse, error) {
	id, ok := consumerID(req.RawPath)
	if !ok {
		return problem(ctx, fault.Newf(fault.NotFound, "no route %s %s", req.RequestContext.HTTP.Method, req.RawPath)), nil
	}
	if m := req.RequestContext.HTTP.Method; m != http.MethodGet {
		return methodNotAllowed(m), nil
	}
	c, r, err := h.open(ctx, &req, id)
	if err != nil {
		return problem(ctx, err), nil
	}
	if err := h.Store.Touch(ctx, r); err != nil && !fault.Is(err, fault.NotFound) {
		// The pulls reset the JetStream consumer's inactivity clock themselves; a missed
		// touch only makes the record's expiry lag.
		slog.WarnContext(ctx, "touching the consumer failed", "consumer", id, "error", err.Error())
	}
	pr, pw := io.Pipe()
	// A reader that stops reading would leave a write blocked for good; the end of the
	// invocation releases it.
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	go func() {
		defer stop()
		h.stream(ctx, pw, c, id)
	}()
	slog.InfoContext(ctx, "stream started", "consumer", id, "owner", r.Owner)
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: http.StatusOK,
		Headers: map[string]string{
			"Content-Type":  "text/event-stream",
			"Cache-Control": "no-cache",
		},
		Body: pr,
	}, nil
}

// open authenticates the request and returns the caller's consumer id, refusing a
// caller no longer allowed to read what it selects.
func (h *Handler) open(ctx context.Context, req *events.LambdaFunctionURLRequest, id string) (jetstream.Consumer, *consumer.Record, error) {
	token, err := auth.BearerToken(apigw.Header(req.Headers, "authorization"))
	if err != nil {
		return nil, nil, err
	}
	claims, err := h.Verifier.Verify(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	r, err := h.Store.Get(ctx, id, claims.Subject)
	if err != nil {
		return nil, nil, err
	}
	// Permissions change after a consumer is made: a revoked grant stops the next stream.
	if err := r.Authorize(claims); err != nil {
		return nil, nil, err
	}
	// Its JetStream consumer is paused: say why rather than stream nothing (and touch
	// it, keeping it from expiring).
	if r.DisabledReason != "" {
		return nil, nil, fault.New(fault.Conflict, "the consumer is "+r.DisabledReason)
	}
	c, err := h.JS.Consumer(ctx, event.StreamName, id)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, nil, fault.New(fault.NotFound, "no such consumer")
	case err != nil:
		return nil, nil, fault.Wrap(fault.Unavailable, err, "the event bus failed reading the consumer; try again")
	}
	return c, r, nil
}

// stream writes the messages of c to w as server-sent events until the deadline less
// the margin, when it asks the client to reconnect, or until the client goes away.
// Nothing is acknowledged here: clients acknowledge through POST /v1/acknowledge, and
// whatever they do not comes back after its ack wait, on this stream or the next.
func (h *Handler) stream(ctx context.Context, w *io.PipeWriter, c jetstream.Consumer, id string) {
	keepAlive := orDefault(h.KeepAlive, DefaultKeepAlive)
	end, hasEnd := ctx.Deadline()
	if hasEnd {
		end = end.Add(-orDefault(h.Margin, DefaultMargin))
	}
	lastWrite := time.Now()
	write := func(frame []byte) bool {
		if _, err := w.Write(frame); err != nil {
			slog.InfoContext(ctx, "stream client gone", "consumer", id, "error", err.Error())
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
		if now.Sub(lastWrite) >= keepAlive {
			if !write([]byte(keepAliveFrame)) {
				break
			}
			now = lastWrite
		}
		// Wake for whichever comes first: the next keep-alive, the end, or a full pull.
		wait := min(fetchWait, keepAlive-now.Sub(lastWrite))
		if hasEnd {
			wait = min(wait, end.Sub(now))
		}
		b, err := c.Fetch(fetchBatch, jetstream.FetchMaxWait(max(wait, minFetchWait)))
		if err != nil {
			h.fail(ctx, w, id, err)
			return
		}
		for m := range b.Messages() {
			msg, err := consumer.NewMessage(m, h.Keys, id)
			if err != nil {
				slog.ErrorContext(ctx, "fetched message without metadata", "consumer", id, "error", err.Error())
				continue
			}
			frame, err := messageFrame(msg)
			if err != nil {
				slog.ErrorContext(ctx, "encoding a message failed", "consumer", id, "error", err.Error())
				continue
			}
			if !write(frame) {
				// The messages not written come back after their ack wait.
				w.Close()
				return
			}
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			h.fail(ctx, w, id, err)
			return
		}
	}
	w.Close()
}

// fail ends a stream whose pull failed: the consumer was deleted, or the bus is down.
// The client is asked to reconnect, and learns on doing so which it was.
func (h *Handler) fail(ctx context.Context, w *io.PipeWriter, id string, err error) {
	if ctx.Err() == nil {
		slog.WarnContext(ctx, "stream pull failed", "consumer", id, "error", err.Error())
		w.Write([]byte(reconnectFrame))
	}
	w.Close()
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

// problem answers err as problem+json, in one piece rather than as a stream.
func problem(ctx context.Context, err error) *events.LambdaFunctionURLStreamingResponse {
	resp := apigw.Error(ctx, err)
	return &events.LambdaFunctionURLStreamingResponse{StatusCode: resp.StatusCode, Headers: resp.Headers, Body: strings.NewReader(resp.Body)}
}

// methodNotAllowed answers a method other than GET. A Function URL passes every method
// on, so the function refuses them itself, as the HTTP API would.
func methodNotAllowed(method string) *events.LambdaFunctionURLStreamingResponse {
	body, _ := json.Marshal(apigw.Problem{
		Type:   "urn:herald:problem:method-not-allowed",
		Title:  "method not allowed",
		Status: http.StatusMethodNotAllowed,
		Detail: method + " is not allowed here; use GET",
	})
	return &events.LambdaFunctionURLStreamingResponse{
		StatusCode: http.StatusMethodNotAllowed,
		Headers:    map[string]string{"Content-Type": apigw.ProblemContentType, "Allow": http.MethodGet},
		Body:       bytes.NewReader(body),
	}
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
