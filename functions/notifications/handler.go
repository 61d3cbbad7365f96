package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/ticket"
)

// Limits and defaults of the routes.
const (
	DefaultLimit, MaxLimit = 20, 100
	// MaxAckIDs bounds one acknowledge request.
	MaxAckIDs = 100
	// MaxBodyBytes bounds request bodies: a create names at most event.MaxRecipients
	// users.
	MaxBodyBytes = 512 * 1024
	// maxUserIDBytes bounds a recipient id, as a token's subject is bounded.
	maxUserIDBytes = 256
)

// Handler serves the NotificationsApi routes. They are declared in routes, each a
// method that returns an apigw.Response or an error for apigw.Respond to answer.
type Handler struct {
	Store *inbox.Store
	// Tickets issues the tickets that open the caller's inbox stream without a token.
	Tickets *ticket.Keys
}

// routes are the NotificationsApi routes, as template.yaml declares them.
var routes = apigw.NewRouter(apigw.Routes[*Handler]{
	"GET /v1/me/notifications":                (*Handler).list,
	"GET /v1/me/notifications/count":          (*Handler).count,
	"POST /v1/me/notifications/acknowledge":   (*Handler).acknowledge,
	"POST /v1/me/notifications/stream-ticket": (*Handler).streamTicket,
	"POST /v1/notifications":                  (*Handler).create,
})

// Handle answers one HTTP API request through its route in routes.
func (h *Handler) Handle(ctx context.Context, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, error) {
	return routes.Handle(ctx, h, req)
}

// personal returns the claims of a caller with a personal token: an inbox belongs to a
// person, and neither a scoped token (a person's, limited to some resources) nor a
// service token may read or change it.
func personal(req *awsevents.APIGatewayV2HTTPRequest) (*auth.Claims, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return nil, err
	}
	if claims.TokenType != auth.Personal {
		return nil, fault.New(fault.Forbidden, "personal notifications need a personal token")
	}
	return claims, nil
}

// list serves GET /v1/me/notifications?state=&variant=&ref=&limit=&cursor=.
func (h *Handler) list(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := personal(req)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	params, err := apigw.PageParams(q, DefaultLimit, MaxLimit, "state", "variant", "ref")
	if err != nil {
		return apigw.Response{}, err
	}
	state, ok := inbox.ParseState(q["state"])
	if !ok {
		return apigw.Response{}, fault.Field("state", "must be unacknowledged, acknowledged or all")
	}
	filter, err := inbox.ParseFilter(q)
	if err != nil {
		return apigw.Response{}, err
	}
	page, err := h.Store.List(ctx, claims.Subject, state, filter, params.Limit, params.Cursor)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.ReplyItems(page.Items, page.Next), nil
}

// count serves GET /v1/me/notifications/count?variant=&ref=.
func (h *Handler) count(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := personal(req)
	if err != nil {
		return apigw.Response{}, err
	}
	q := req.QueryStringParameters
	if err := apigw.CheckQuery(q, "variant", "ref"); err != nil {
		return apigw.Response{}, err
	}
	filter, err := inbox.ParseFilter(q)
	if err != nil {
		return apigw.Response{}, err
	}
	n, _, err := h.Store.Count(ctx, claims.Subject, filter)
	if err != nil {
		return apigw.Response{}, err
	}
	return apigw.Reply(http.StatusOK, map[string]int{"unacknowledged": n}), nil
}

// ackBody is the body of POST /v1/me/notifications/acknowledge: exactly one of its
// fields.
type ackBody struct {
	IDs    *[]string `json:"ids"`
	All    *bool     `json:"all"`
	Before *string   `json:"before"`
}

// acknowledge serves POST /v1/me/notifications/acknowledge: {"ids":[…]} acknowledges
// those of the caller's notifications and lists the ids the caller does not have as not
// found; {"all":true} and {"before":id} acknowledge every unacknowledged notification of
// the caller (up to and including id), up to inbox.MaxBulkAcknowledge of them a request,
// and answer how many, and whether more remain.
func (h *Handler) acknowledge(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := personal(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	raw, err := apigw.Body(req, MaxBodyBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var body ackBody
	if err := apigw.DecodeJSON(raw, &body); err != nil {
		return apigw.Response{}, err
	}
	if err := body.validate(); err != nil {
		return apigw.Response{}, err
	}
	if body.IDs == nil {
		before := ""
		if body.Before != nil {
			before = *body.Before
		}
		res, err := h.Store.AcknowledgeUpTo(ctx, claims.Subject, before, inbox.MaxBulkAcknowledge)
		if err != nil {
			return apigw.Response{}, err
		}
		slog.InfoContext(ctx, "notifications acknowledged", "user", claims.Subject, "before", before, "acknowledged", res.Count, "more", res.More)
		return apigw.Reply(http.StatusOK, bulkAnswer{Count: res.Count, More: res.More}), nil
	}
	acknowledged, notFound, err := h.Store.Acknowledge(ctx, claims.Subject, inbox.Unique(*body.IDs))
	if err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "notifications acknowledged", "user", claims.Subject, "acknowledged", len(acknowledged), "not_found", len(notFound))
	return apigw.Reply(http.StatusOK, map[string][]string{"acknowledged": acknowledged, "not_found": notFound}), nil
}

// bulkAnswer answers {"all":true} and {"before":id}.
type bulkAnswer struct {
	// Count is how many notifications the request acknowledged.
	Count int `json:"count"`
	// More is true when the request stopped at inbox.MaxBulkAcknowledge: sending it
	// again goes on.
	More bool `json:"more"`
}

// validate checks that b has exactly one of its fields, and a valid one, naming the
// field at fault: the second one given, or ids when none is.
func (b *ackBody) validate() error {
	given := 0
	var fields []fault.FieldError
	fail := func(field, msg string) { fields = append(fields, fault.FieldError{Field: field, Message: msg}) }
	if b.IDs != nil {
		given++
		ids := *b.IDs
		switch {
		case len(ids) == 0:
			fail("ids", "must not be empty")
		case len(ids) > MaxAckIDs:
			fail("ids", fmt.Sprintf("must have at most %d entries", MaxAckIDs))
		default:
			for i, id := range ids {
				if !inbox.ValidID(id) {
					fail("ids["+strconv.Itoa(i)+"]", "not a notification id")
				}
			}
		}
	}
	const one = "give exactly one of ids, all and before"
	if b.All != nil {
		if given++; given > 1 {
			fail("all", one)
		} else if !*b.All {
			fail("all", "must be true; to acknowledge some, give ids or before")
		}
	}
	if b.Before != nil {
		if given++; given > 1 {
			fail("before", one)
		} else if !inbox.ValidID(*b.Before) {
			fail("before", "not a notification id")
		}
	}
	if given == 0 {
		fail("ids", one)
	}
	return fault.Fields(fields)
}

// createBody is the body of POST /v1/notifications.
type createBody struct {
	Recipients []string `json:"recipients"`
	inbox.Content
}

// create serves POST /v1/notifications: a publisher writes a notification to each
// recipient's inbox.
func (h *Handler) create(ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
	claims, err := apigw.Claims(req)
	if err != nil {
		return apigw.Response{}, err
	}
	if !claims.IsPublisher() {
		return apigw.Response{}, fault.New(fault.Forbidden, "creating notifications needs a service token with the publisher role")
	}
	if err := apigw.CheckQuery(req.QueryStringParameters); err != nil {
		return apigw.Response{}, err
	}
	raw, err := apigw.Body(req, MaxBodyBytes)
	if err != nil {
		return apigw.Response{}, err
	}
	var body createBody
	if err := apigw.DecodeJSON(raw, &body); err != nil {
		return apigw.Response{}, err
	}
	if err := body.validate(); err != nil {
		return apigw.Response{}, err
	}
	// Each create is an event of its own: its uuid makes the ids, and is logged.
	id := uuid.NewString()
	recipients := inbox.Unique(body.Recipients)
	now := time.Now()
	ns := make([]*inbox.Notification, len(recipients))
	for i, r := range recipients {
		ns[i] = h.Store.New(r, body.Content, id, now)
	}
	if _, err := h.Store.PutAll(ctx, ns); err != nil {
		return apigw.Response{}, err
	}
	slog.InfoContext(ctx, "notifications created", "uuid", id, "by", claims.Subject, "variant", body.Variant, "recipients", len(recipients))
	return apigw.Reply(http.StatusCreated, map[string]any{"event_uuid": id, "items": ns}), nil
}

// validate checks a create body, naming the fields at fault.
func (b *createBody) validate() error {
	var fields []fault.FieldError
	switch {
	case len(b.Recipients) == 0:
		fields = append(fields, fault.FieldError{Field: "recipients", Message: "must not be empty"})
	case len(b.Recipients) > event.MaxRecipients:
		fields = append(fields, fault.FieldError{Field: "recipients", Message: fmt.Sprintf("must have at most %d entries", event.MaxRecipients)})
	default:
		for i, r := range b.Recipients {
			if r == "" || len(r) > maxUserIDBytes || !utf8.ValidString(r) {
				fields = append(fields, fault.FieldError{Field: "recipients[" + strconv.Itoa(i) + "]", Message: fmt.Sprintf("must be a user id of 1 to %d bytes of UTF-8", maxUserIDBytes)})
			}
		}
	}
	if err := b.Content.Validate(""); err != nil {
		var e *fault.Error
		if errors.As(err, &e) {
			fields = append(fields, e.Fields...)
		}
	}
	return fault.Fields(fields)
}
