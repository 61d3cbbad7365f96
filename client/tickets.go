package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/wire"
)

// StreamTicket asks for a single-use ticket that opens the consumer id's stream without
// a token (POST /v1/consumers/{id}/stream-ticket), for a browser, whose EventSource
// cannot send an Authorization header: hand it StreamTicketURL. The ticket lapses at
// ExpiresAt, within a minute; asking is free of effects, so it is retried like a GET.
func (c *Client) StreamTicket(ctx context.Context, id string) (*wire.StreamTicket, error) {
	path, err := pathOf("v1", "consumers", id, "stream-ticket")
	if err != nil {
		return nil, err
	}
	return c.ticket(ctx, path)
}

// InboxStreamTicket asks for a single-use ticket that opens the caller's inbox stream
// without a token (POST /v1/me/notifications/stream-ticket); it needs a personal token.
// Hand a browser InboxStreamTicketURL.
func (c *Client) InboxStreamTicket(ctx context.Context) (*wire.StreamTicket, error) {
	return c.ticket(ctx, "/v1/me/notifications/stream-ticket")
}

func (c *Client) ticket(ctx context.Context, path string) (*wire.StreamTicket, error) {
	var out wire.StreamTicket
	if err := c.call(ctx, &request{method: http.MethodPost, path: path, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// StreamTicketURL returns the URL that opens the consumer id's stream with ticket, at
// the stream's base URL (WithStreamURL): what a page gives new EventSource(…). The URL
// is a credential until the ticket is used or lapses.
func (c *Client) StreamTicketURL(id, ticket string) (string, error) {
	path, err := pathOf("v1", "consumers", id, "stream")
	if err != nil {
		return "", err
	}
	return c.streamURL + path + "?" + url.Values{"ticket": {ticket}}.Encode(), nil
}

// InboxStreamTicketURL returns the URL that opens the caller's inbox stream with
// ticket, at the stream's base URL (WithStreamURL).
func (c *Client) InboxStreamTicketURL(ticket string) string {
	return c.streamURL + "/v1/me/notifications/stream?" + url.Values{"ticket": {ticket}}.Encode()
}
