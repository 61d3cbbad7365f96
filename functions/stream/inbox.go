package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lease"
	"github.com/heraldhq/herald/internal/ticket"
)

// InboxPath is the path of the caller's inbox stream.
const InboxPath = "/v1/me/notifications/stream"

// MaxCatchUp is how many notifications newer than Last-Event-ID a reconnecting inbox
// stream replays; past it, it sends a reset frame instead and the client lists its
// inbox.
const MaxCatchUp = 100

// InboxSource is what the inbox stream reads: the notifications table, for what a
// client missed and the count, and the feed of changes, for what happens while it
// listens.
type InboxSource struct {
	Store *inbox.Store
	Feed  *inbox.Feed
}

// Frames of the inbox stream that carry no notification.
const resetFrame = "event: reset\ndata: {}\n\n"

// isInboxPath reports whether path is InboxPath (a trailing slash allowed, as the
// consumer stream allows it).
func isInboxPath(path string) bool {
	return strings.Trim(path, "/") == strings.Trim(InboxPath, "/")
}

// serveInbox answers GET /v1/me/notifications/stream: the caller's inbox as server-sent
// events. It needs a personal token, as every /v1/me route does. It takes the same open
// stream leases as a consumer's stream.
//
// The stream subscribes to the caller's changes first and then reads the table, so that
// nothing written in between is missed: with a Last-Event-ID it replays the
// notifications newer than that id (MaxCatchUp at most, else a reset frame), then
// sends the count of unacknowledged notifications, and then, live, a notification frame
// for each notification written, an acknowledged frame for each acknowledgement, and
// after each a new count.
func (h *Handler) serveInbox(ctx context.Context, req awsevents.LambdaFunctionURLRequest) (*awsevents.LambdaFunctionURLStreamingResponse, error) {
	if h.Inbox == nil {
		return problem(ctx, fault.Newf(fault.NotFound, "no route %s %s", req.RequestContext.HTTP.Method, req.RawPath)), nil
	}
	if m := req.RequestContext.HTTP.Method; m != http.MethodGet {
		return problem(ctx, fault.NotAllowed(m+" is not allowed here; use GET", http.MethodGet)), nil
	}
	// The query and headers are checked before a ticket is spent on a request that
	// would be refused anyway.
	if err := apigw.CheckQuery(withoutTicket(req.QueryStringParameters)); err != nil {
		return problem(ctx, err), nil
	}
	after := apigw.Header(req.Headers, "last-event-id")
	if after != "" && !inbox.ValidID(after) {
		return problem(ctx, fault.Field("Last-Event-ID", "must be the id of a notification frame")), nil
	}
	claims, err := h.inboxClaims(ctx, &req)
	if err != nil {
		return problem(ctx, err), nil
	}
	ls, err := h.lease(ctx, claims, "inbox")
	if err != nil {
		return problem(ctx, err), nil
	}
	// Subscribed before anything is read from the table: a change made meanwhile is
	// both in the table and announced, never in neither.
	sub, err := h.Inbox.Feed.Subscribe(ctx, claims.Subject)
	if err != nil {
		h.release(ctx, ls, "inbox")
		return problem(ctx, fault.Wrap(fault.Unavailable, err, "the event bus failed; try again")), nil
	}
	end := h.end(ctx, claims)
	// As a consumer's stream: closing the body (the client is gone) stops the stream at
	// once, and the close waits until its leases are released.
	body := startStream(ctx, func(sctx context.Context, w *io.PipeWriter) {
		defer h.release(ctx, ls, "inbox")
		defer sub.Close()
		s := inboxStream{h: h, w: w, user: claims.Subject, sub: sub, end: end, leases: ls, lastWrite: time.Now()}
		s.run(sctx, after)
		if errors.Is(context.Cause(sctx), errClientGone) {
			slog.InfoContext(ctx, "inbox stream client gone", "user", claims.Subject)
		}
	})
	slog.InfoContext(ctx, "inbox stream started", "user", claims.Subject, "after", after)
	return eventStream(body), nil
}

// inboxClaims authenticates the request: a bearer token that has not expired, or a
// ticket of the inbox stream (for a browser), of token_type personal. A scoped token (a
// person's, limited to some resources) or a service token is refused, as on every /v1/me
// route.
func (h *Handler) inboxClaims(ctx context.Context, req *awsevents.LambdaFunctionURLRequest) (*auth.Claims, error) {
	claims, err := ticket.AuthenticateInbox(ctx, h.Verifier, h.Tickets, req.Headers, req.QueryStringParameters)
	if err != nil {
		return nil, err
	}
	if !claims.Expires.After(time.Now()) {
		return nil, fault.New(fault.Unauthorized, "the token has expired")
	}
	return claims, nil
}

// inboxStream is one open inbox stream.
type inboxStream struct {
	h      *Handler
	w      *io.PipeWriter
	user   string
	sub    *inbox.Subscription
	end    time.Time // when to ask the client to reconnect; zero for never
	leases []*lease.Lease

	lastWrite time.Time
	replayed  map[string]bool // ids sent in the catch-up, which the feed may announce too
	tally     inbox.LiveCount // counts what the unacknowledged index does not show yet
}

// run writes the stream until it must end: the deadline or the token's expiry (reconnect
// frame), a lost lease or a subscription that may have missed a change (reconnect
// frame: the client comes back with its Last-Event-ID and catches up), or the client
// going away.
func (s *inboxStream) run(ctx context.Context, after string) {
	if after != "" && !s.catchUp(ctx, after) {
		return
	}
	if !s.count(ctx) {
		return
	}
	keepAlive := orDefault(s.h.KeepAlive, DefaultKeepAlive)
	renewed := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		now := time.Now()
		if !s.end.IsZero() && !now.Before(s.end) {
			s.write(ctx, []byte(reconnectFrame))
			return
		}
		if len(s.leases) > 0 && now.Sub(renewed) >= s.leases[0].RenewEvery() {
			if !s.h.renew(ctx, s.leases, "inbox") {
				s.write(ctx, []byte(reconnectFrame))
				return
			}
			renewed = now
		}
		if err := s.sub.Err(); err != nil {
			slog.WarnContext(ctx, "the inbox stream may have missed a change; asking its client to reconnect", "user", s.user, "error", err.Error())
			s.write(ctx, []byte(reconnectFrame))
			return
		}
		if now.Sub(s.lastWrite) >= keepAlive && !s.write(ctx, []byte(keepAliveFrame)) {
			return
		}
		// Wake for whichever comes first: the next keep-alive, renewal or the end. A
		// change wakes it at once.
		wake := s.lastWrite.Add(keepAlive)
		if len(s.leases) > 0 {
			wake = earliest(wake, renewed.Add(s.leases[0].RenewEvery()))
		}
		if !s.end.IsZero() {
			wake = earliest(wake, s.end)
		}
		timer.Reset(max(time.Until(wake), 0))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case m := <-s.sub.C():
			if !s.changes(ctx, m.Data) {
				return
			}
		}
	}
}

// catchUp sends the notifications newer than after, or a reset frame when there are
// more than MaxCatchUp. It reports whether the stream goes on.
func (s *inboxStream) catchUp(ctx context.Context, after string) bool {
	ns, complete, err := s.h.Inbox.Store.Since(ctx, s.user, after, MaxCatchUp)
	if err != nil {
		s.fail(ctx, err)
		return false
	}
	if !complete {
		return s.write(ctx, []byte(resetFrame))
	}
	s.replayed = make(map[string]bool, len(ns))
	for _, n := range ns {
		s.replayed[n.ID] = true
		if !s.notification(ctx, n) {
			return false
		}
	}
	return true
}

// changes sends the change in data and every other change already waiting, then the
// count once. It reports whether the stream goes on.
func (s *inboxStream) changes(ctx context.Context, data []byte) bool {
	for {
		c, err := inbox.ReadChange(data)
		if err != nil {
			slog.ErrorContext(ctx, "an announced inbox change is unreadable", "user", s.user, "error", err.Error())
		} else if !s.change(ctx, c) {
			return false
		}
		select {
		case m := <-s.sub.C():
			data = m.Data
			continue
		default:
		}
		return s.count(ctx)
	}
}

// change sends one change. It reports whether the stream goes on.
func (s *inboxStream) change(ctx context.Context, c inbox.Change) bool {
	if c.Notification != nil && c.Notification.UserID != s.user {
		return true
	}
	s.tally.Heard(c)
	switch {
	case c.Notification != nil:
		if s.replayed[c.Notification.ID] {
			return true
		}
		return s.notification(ctx, c.Notification)
	case c.Acknowledged != nil:
		frame, err := dataFrame("", "acknowledged", c.Acknowledged)
		if err != nil {
			slog.ErrorContext(ctx, "encoding an acknowledgement failed", "user", s.user, "error", err.Error())
			return true
		}
		return s.write(ctx, frame)
	}
	return true
}

// notification sends n.
func (s *inboxStream) notification(ctx context.Context, n *inbox.Notification) bool {
	frame, err := dataFrame(n.ID, "notification", n)
	if err != nil {
		slog.ErrorContext(ctx, "encoding a notification failed", "uuid", n.EventUUID, "user", s.user, "error", err.Error())
		return true
	}
	return s.write(ctx, frame)
}

// count sends the count of unacknowledged notifications: the unacknowledged index's,
// which may not show the change just heard yet (it is eventually consistent), corrected
// by the changes heard lately.
func (s *inboxStream) count(ctx context.Context) bool {
	ids, err := s.h.Inbox.Store.UnacknowledgedIDs(ctx, s.user)
	if err != nil {
		s.fail(ctx, err)
		return false
	}
	frame, err := dataFrame("", "count", map[string]int{"unacknowledged": s.tally.Count(ids)})
	if err != nil {
		return false
	}
	return s.write(ctx, frame)
}

// write writes frame, and reports whether the client is still there.
func (s *inboxStream) write(ctx context.Context, frame []byte) bool {
	if _, err := s.w.Write(frame); err != nil {
		slog.InfoContext(ctx, "inbox stream client gone", "user", s.user, "error", err.Error())
		return false
	}
	s.lastWrite = time.Now()
	return true
}

// fail ends a stream that could not read the table, asking the client to reconnect.
func (s *inboxStream) fail(ctx context.Context, err error) {
	if ctx.Err() == nil {
		slog.WarnContext(ctx, "inbox stream read failed", "user", s.user, "error", err.Error())
		s.write(ctx, []byte(reconnectFrame))
	}
}

// dataFrame returns an event-stream frame of the given event whose data is v as JSON
// (one line: JSON has no raw line breaks), with an id line when id is not "".
func dataFrame(id, event string, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if id != "" {
		b.WriteString("id: ")
		b.WriteString(id)
		b.WriteByte('\n')
	}
	b.WriteString("event: ")
	b.WriteString(event)
	b.WriteString("\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes(), nil
}

// earliest returns the earlier of a and b.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// withoutTicket returns query less the ticket parameter.
func withoutTicket(query map[string]string) map[string]string {
	if _, ok := query[ticket.QueryParam]; !ok {
		return query
	}
	rest := maps.Clone(query)
	delete(rest, ticket.QueryParam)
	return rest
}
