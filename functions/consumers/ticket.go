package main

import (
	"context"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/ticket"
)

// streamTicket serves POST /v1/consumers/{id}/stream-ticket: the owner, still allowed to
// read what the consumer selects, gets a single-use ticket that opens the consumer's
// stream in place of the token (a browser's EventSource cannot send one). It carries
// only the grants that bear on the consumer, and lapses within a minute, and with the
// token at the latest. Everyone else learns nothing: 404.
func (h *Handler) streamTicket(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	id := req.PathParameters["id"]
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := ticket.CheckRequest(req); err != nil {
		return apigw.Response{}, err
	}
	r, err := h.Store.Get(ctx, id, claims.Subject)
	if err != nil {
		return apigw.Response{}, err
	}
	// As the stream checks on opening: a ticket that could open nothing is no use.
	if err := r.Authorize(claims); err != nil {
		return apigw.Response{}, err
	}
	return h.Tickets.Answer(ctx, ticket.Narrow(*claims, r.ScopePaths()), ticket.ConsumerStreamPath(id), "consumer", id, "owner", r.Owner)
}
