package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/wire"
)

// NotificationFilter narrows a listing or count of the caller's notifications. The zero
// filter selects every one.
type NotificationFilter struct {
	// Variant selects notifications of that variant; "" any.
	Variant wire.Variant
	// Ref, when set, selects notifications with a ref of its Type and Value (its Name is
	// not compared): {Type: wire.RefResource, Value: "projects/p1"} is what refers to
	// that resource itself.
	Ref *wire.Ref
}

// set adds the filter's query parameters to q.
func (f NotificationFilter) set(q url.Values) {
	if f.Variant != "" {
		q.Set("variant", string(f.Variant))
	}
	if f.Ref != nil {
		q.Set("ref", string(f.Ref.Type)+":"+f.Ref.Value)
	}
}

// ListNotificationsWhere is ListNotifications of the notifications f selects. With a
// filter, a page may hold fewer than opts.Limit items, none even, while more follow:
// the server reads at most 1000 notifications for one page.
func (c *Client) ListNotificationsWhere(ctx context.Context, state wire.State, f NotificationFilter, opts ListOptions) (*Page[*wire.Notification], error) {
	q := opts.values()
	if state != "" {
		q.Set("state", string(state))
	}
	f.set(q)
	var out Page[*wire.Notification]
	req := &request{method: http.MethodGet, path: "/v1/me/notifications", query: q, idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllNotificationsWhere iterates over the caller's notifications in state that f
// selects, from opts on. An error ends the iteration.
func (c *Client) AllNotificationsWhere(ctx context.Context, state wire.State, f NotificationFilter, opts ListOptions) iter.Seq2[*wire.Notification, error] {
	return all(ctx, opts, func(ctx context.Context, o ListOptions) (*Page[*wire.Notification], error) {
		return c.ListNotificationsWhere(ctx, state, f, o)
	})
}

// CountNotificationsWhere returns how many of the caller's unacknowledged
// notifications f selects.
func (c *Client) CountNotificationsWhere(ctx context.Context, f NotificationFilter) (int, error) {
	q := url.Values{}
	f.set(q)
	var out struct {
		Unacknowledged int `json:"unacknowledged"`
	}
	req := &request{method: http.MethodGet, path: "/v1/me/notifications/count", query: q, idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return 0, err
	}
	return out.Unacknowledged, nil
}

// AcknowledgeAllNotifications acknowledges every unacknowledged notification of the
// caller and returns how many it acknowledged. The server goes through at most 1000 a
// request; this sends requests until it says none remain.
func (c *Client) AcknowledgeAllNotifications(ctx context.Context) (int, error) {
	return c.acknowledgeBulk(ctx, struct {
		All bool `json:"all"`
	}{true})
}

// AcknowledgeNotificationsBefore acknowledges every unacknowledged notification of the
// caller up to and including the id before (the newest the caller has seen: ids sort by
// time), and returns how many it acknowledged, in as many requests as it takes.
func (c *Client) AcknowledgeNotificationsBefore(ctx context.Context, before string) (int, error) {
	if before == "" {
		return 0, errors.New("herald: AcknowledgeNotificationsBefore: no id")
	}
	return c.acknowledgeBulk(ctx, struct {
		Before string `json:"before"`
	}{before})
}

// acknowledgeBulk sends body until the answer says nothing more remains.
func (c *Client) acknowledgeBulk(ctx context.Context, body any) (int, error) {
	total := 0
	for {
		var out struct {
			Count int  `json:"count"`
			More  bool `json:"more"`
		}
		req := &request{method: http.MethodPost, path: "/v1/me/notifications/acknowledge", body: body, idempotent: true}
		if err := c.call(ctx, req, &out); err != nil {
			return total, err
		}
		total += out.Count
		if !out.More {
			return total, nil
		}
	}
}

// The kinds of InboxEvent.
const (
	// InboxNotification: a notification was written for the caller.
	InboxNotification = "notification"
	// InboxAcknowledged: some of the caller's notifications were acknowledged.
	InboxAcknowledged = "acknowledged"
	// InboxCount: how many of the caller's notifications are unacknowledged; sent first
	// and after every change.
	InboxCount = "count"
	// InboxReset: more happened since the LastEventID the stream was opened with than it
	// replays; list the inbox again.
	InboxReset = "reset"
)

// InboxEvent is one frame of the caller's inbox stream.
type InboxEvent struct {
	// Kind is InboxNotification, InboxAcknowledged, InboxCount or InboxReset.
	Kind string
	// Notification is set for InboxNotification: the notification as listings show it.
	Notification *wire.Notification
	// Acknowledged is set for InboxAcknowledged.
	Acknowledged *wire.InboxAcknowledgement
	// Unacknowledged is the count, for InboxCount.
	Unacknowledged int
}

// InboxStream reads the caller's inbox as the server sends it. It is used like
// bufio.Scanner:
//
//	for s.Next() {
//		e := s.Event()
//		…
//	}
//	if errors.Is(s.Err(), client.ErrReconnect) { … open it again with s.LastEventID() … }
//
// Next and Event are for one goroutine; Close may be called from any.
type InboxStream struct {
	frames *frameReader
	ev     InboxEvent
}

// InboxStream opens the caller's inbox stream (GET /v1/me/notifications/stream) at the
// URL of WithStreamURL; it needs a personal token. With lastEventID (the LastEventID of
// an earlier stream) the server first replays the notifications newer than it. The
// stream lasts until ctx ends, Close is called, or the server ends it, usually asking
// to reconnect (ErrReconnect) after up to 15 minutes or when its token expires.
// WatchInbox reconnects by itself.
func (c *Client) InboxStream(ctx context.Context, lastEventID string) (*InboxStream, error) {
	r, err := c.openEventStream(ctx, &request{method: http.MethodGet, path: "/v1/me/notifications/stream", idempotent: true, stream: true, lastEventID: lastEventID})
	if err != nil {
		return nil, err
	}
	return &InboxStream{frames: r}, nil
}

// Next reads up to the next event and reports whether there is one; Event returns it.
// Keep-alives and frames of kinds this client does not know are skipped. Next returns
// false at the end of the stream, and Err says why.
func (s *InboxStream) Next() bool {
	for {
		kind, data, ok := s.frames.next()
		if !ok {
			return false
		}
		ev := InboxEvent{Kind: kind}
		var err error
		switch kind {
		case InboxReset:
		case InboxNotification:
			err = json.Unmarshal(data, &ev.Notification)
		case InboxAcknowledged:
			err = json.Unmarshal(data, &ev.Acknowledged)
		case InboxCount:
			var c struct {
				Unacknowledged *int `json:"unacknowledged"`
			}
			if err = json.Unmarshal(data, &c); err == nil && c.Unacknowledged == nil {
				err = errors.New("no unacknowledged member")
			} else if err == nil {
				ev.Unacknowledged = *c.Unacknowledged
			}
		default:
			continue
		}
		if err != nil {
			s.frames.fail(fmt.Errorf("herald: inbox stream %s frame: %w", kind, err))
			return false
		}
		if (kind == InboxNotification && ev.Notification == nil) || (kind == InboxAcknowledged && ev.Acknowledged == nil) {
			s.frames.fail(fmt.Errorf("herald: inbox stream %s frame without data", kind))
			return false
		}
		s.ev = ev
		return true
	}
}

// Event returns the event that the last successful Next read.
func (s *InboxStream) Event() InboxEvent { return s.ev }

// LastEventID returns the id of the last notification received (or the id the stream
// was opened with, before any): open the next stream with it to miss nothing.
func (s *InboxStream) LastEventID() string { return s.frames.lastID }

// Err returns why Next returned false, as Stream.Err does.
func (s *InboxStream) Err() error { return s.frames.err }

// Close ends the stream and releases its connection. It may be called from another
// goroutine to stop a blocked Next, and more than once.
func (s *InboxStream) Close() error { return s.frames.close() }

// WatchInbox streams the caller's inbox to handle, one event at a time, from
// lastEventID on ("" for now), reconnecting with the last notification's id whenever
// the stream ends for a reason that reconnecting cures, as Consume does. It returns the
// error of handle, which ends it, ctx's error when ctx ends, or an error that
// reconnecting cannot cure, such as an *Error for a refused token.
func (c *Client) WatchInbox(ctx context.Context, lastEventID string, handle func(InboxEvent) error) error {
	return reconnecting(ctx, c, lastEventID, c.InboxStream, (*InboxStream).Event, handle)
}
