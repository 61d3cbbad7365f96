package main

import (
	"context"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/ticket"
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
	if err := ticket.CheckRequest(req); err != nil {
		return apigw.Response{}, err
	}
	return h.Tickets.Answer(ctx, ticket.Narrow(*claims, nil), ticket.InboxStreamPath, "user", claims.Subject)
}
