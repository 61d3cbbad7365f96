package ticket

import (
	"context"
	"log/slog"
	"net/http"
	"slices"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/wire"
)

// CheckRequest checks a request for a ticket: the routes that issue tickets take no
// query parameter and no body (an empty JSON object at most).
func CheckRequest(req *awsevents.APIGatewayV2HTTPRequest) error {
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return err
	}
	return apigw.NoFields(req)
}

// Answer issues a ticket of c that opens path and returns the answer of the route that
// asked for it: 201 with the ticket and when it lapses. It logs the ticket's id with
// args (key-value pairs naming what the ticket opens), never the ticket, which is a
// credential.
func (k *Keys) Answer(ctx context.Context, c auth.Claims, path string, args ...any) (apigw.Response, error) {
	s, t, err := k.Issue(c, path)
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "stream ticket issued", slices.Concat(args, []any{"ticket_id", t.ID, "expires_at", t.Expires})...)
	return apigw.Reply(http.StatusCreated, wire.StreamTicket{Ticket: s, ExpiresAt: t.Expires}), nil
}
