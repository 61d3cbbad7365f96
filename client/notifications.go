package client

import (
	"context"
	"errors"
	"iter"
	"net/http"

	"github.com/heraldhq/herald/wire"
)

// ListNotifications returns a page of the caller's notifications in state, newest
// first; an empty state is wire.StateUnacknowledged.
//
// This and the other routes of the caller's inbox (/v1/me/…) need a personal token, as
// the inbox is its subject's: a service or scoped token gets 403.
func (c *Client) ListNotifications(ctx context.Context, state wire.State, opts ListOptions) (*Page[*wire.Notification], error) {
	q := opts.values()
	if state != "" {
		q.Set("state", string(state))
	}
	var out Page[*wire.Notification]
	req := &request{method: http.MethodGet, path: "/v1/me/notifications", query: q, idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllNotifications iterates over the caller's notifications in state from opts on,
// opts.Limit at a time. An error ends the iteration.
func (c *Client) AllNotifications(ctx context.Context, state wire.State, opts ListOptions) iter.Seq2[*wire.Notification, error] {
	return all(ctx, opts, func(ctx context.Context, o ListOptions) (*Page[*wire.Notification], error) {
		return c.ListNotifications(ctx, state, o)
	})
}

// CountNotifications returns how many of the caller's notifications are
// unacknowledged.
func (c *Client) CountNotifications(ctx context.Context) (int, error) {
	var out struct {
		Unacknowledged int `json:"unacknowledged"`
	}
	req := &request{method: http.MethodGet, path: "/v1/me/notifications/count", idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return 0, err
	}
	return out.Unacknowledged, nil
}

// NotificationAck is the answer of AcknowledgeNotifications.
type NotificationAck struct {
	// Acknowledged are the ids now acknowledged, those that already were included.
	Acknowledged []string `json:"acknowledged"`
	// NotFound are the ids the caller has no notification of: missing, expired or
	// someone else's, which the server does not tell apart.
	NotFound []string `json:"not_found"`
}

// AcknowledgeNotifications acknowledges up to 100 of the caller's notifications.
// Acknowledging is idempotent, so the request is retried.
func (c *Client) AcknowledgeNotifications(ctx context.Context, ids []string) (*NotificationAck, error) {
	if len(ids) == 0 {
		return nil, errors.New("herald: AcknowledgeNotifications: no ids")
	}
	body := struct {
		IDs []string `json:"ids"`
	}{ids}
	var out NotificationAck
	req := &request{method: http.MethodPost, path: "/v1/me/notifications/acknowledge", body: body, idempotent: true}
	if err := c.call(ctx, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreatedNotifications is the answer of CreateNotification.
type CreatedNotifications struct {
	// EventUUID is the uuid the server gave this create; every notification made
	// carries it.
	EventUUID string `json:"event_uuid"`
	// Items are the notifications made, one per distinct recipient.
	Items []*wire.Notification `json:"items"`
}

// CreateNotification writes content to the inbox of each recipient (201); it needs a
// service token with the publisher role.
//
// It is not retried after the request may have reached the server: the server makes a
// new uuid for each create, so a second attempt would notify everyone twice. A
// notification that must arrive exactly once is better published as an event with
// recipients, whose uuid the caller controls.
func (c *Client) CreateNotification(ctx context.Context, recipients []string, content wire.Content) (*CreatedNotifications, error) {
	body := struct {
		Recipients []string `json:"recipients"`
		wire.Content
	}{recipients, content}
	var out CreatedNotifications
	if err := c.call(ctx, &request{method: http.MethodPost, path: "/v1/notifications", body: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
