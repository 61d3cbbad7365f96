package main

import (
	"context"
	"log/slog"
	"net/http"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/wire"
)

// streamTicket serves POST /v1/me/notifications/stream-ticket: a person gets a
// single-use ticket that opens their inbox stream (ticket.InboxStreamPath) in place of
// the token, which a browser's EventSource cannot send. An inbox is its owner's own,
// so the ticket carries no grants; it lapses within a minute, and with the token at the
// latest.
func (h *Handler) streamTicket(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := personal(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.NoFields(req); err != nil {
		return apigw.Response{}, err
	}
	s, t, err := h.Tickets.Issue(ticket.Narrow(*claims, nil), ticket.InboxStreamPath)
	if err != nil {
		return apigw.Response{}, err
	}
	// The ticket is a credential: its id, never the ticket, goes in the log.
	slog.InfoContext(ctx, "stream ticket issued", "user", claims.Subject, "ticket_id", t.ID, "expires_at", t.Expires)
	return apigw.Reply(http.StatusCreated, wire.StreamTicket{Ticket: s, ExpiresAt: t.Expires}), nil
}
