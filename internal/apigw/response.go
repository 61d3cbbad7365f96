package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/wire"
)

// Response is what a route answers when it succeeds: a status and a JSON body. A route
// that fails returns the zero Response with its error, which is answered as a problem.
type Response struct {
	Status int
	Body   any // encoded as JSON; a 204 has none
}

// Reply is the Response of status with v as its JSON body.
func Reply(status int, v any) Response { return Response{Status: status, Body: v} }

// ReplyItems is the Response of a listing: 200 {"items": items, "next_cursor": next}.
func ReplyItems[T any](items []T, next string) Response {
	if items == nil {
		items = []T{} // a page with nothing on it is [], not null
	}
	return Reply(http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

// ReplyNoContent is the Response 204, without a body.
func ReplyNoContent() Response { return Response{Status: http.StatusNoContent} }

// Respond turns what a route returned into the response API Gateway sends: err as
// problem+json (Error), else r as JSON, or 204 without a body. It is the one place that
// does; a route that returns neither a response nor an error is a bug, answered 500.
func Respond(ctx context.Context, r Response, err error) awsevents.APIGatewayV2HTTPResponse {
	switch {
	case err != nil:
		return Error(ctx, err)
	case r.Status == http.StatusNoContent:
		return awsevents.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent}
	case r.Status == 0:
		return Error(ctx, errors.New("apigw: a route returned neither a response nor an error"))
	}
	return respond(r.Status, "application/json", r.Body)
}

// JSON answers v as application/json with the given status, as Respond answers
// Reply(status, v).
func JSON(status int, v any) awsevents.APIGatewayV2HTTPResponse {
	return Respond(context.Background(), Reply(status, v), nil)
}

// Items answers a listing, as Respond answers ReplyItems(items, next).
func Items[T any](items []T, next string) awsevents.APIGatewayV2HTTPResponse {
	return Respond(context.Background(), ReplyItems(items, next), nil)
}

// NoContent answers 204, as Respond answers ReplyNoContent().
func NoContent() awsevents.APIGatewayV2HTTPResponse {
	return Respond(context.Background(), ReplyNoContent(), nil)
}

// respond encodes v as the body of a response with status and contentType, and the
// headers every answer carries. A value that does not encode is a 500.
func respond(status int, contentType string, v any) awsevents.APIGatewayV2HTTPResponse {
	body, err := encode(v)
	if err != nil {
		status, contentType = http.StatusInternalServerError, ProblemContentType
		body = []byte(`{"type":"` + ProblemInternal + `","title":"` + fault.Other.String() + `","status":500}`)
	}
	return awsevents.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           contentType,
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		},
		Body: string(body),
	}
}

// encode returns v as JSON without a trailing newline.
func encode(v any) ([]byte, error) {
	// Subjects (">") and paths travel in responses: keep them readable, not \u003e.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// EventTypeWarnings words a warning for each event type pattern of a request's list
// field (such as "event_types") at the indexes unknown, which Herald found in neither
// its catalog nor the events published: most likely a misspelling, which would
// otherwise select nothing, silently.
func EventTypeWarnings(field string, patterns []string, unknown []int) []wire.Warning {
	out := make([]wire.Warning, 0, len(unknown))
	for _, i := range unknown {
		p := patterns[i]
		msg := fmt.Sprintf("no event type %s is known: it is not in the catalog (GET /v1/catalog) and no published event has it", p)
		if strings.Contains(p, "*") {
			msg = fmt.Sprintf("%s matches no known event type: none in the catalog (GET /v1/catalog) and none of a published event", p)
		}
		out = append(out, wire.Warning{Field: fmt.Sprintf("%s[%d]", field, i), Message: msg})
	}
	return out
}
