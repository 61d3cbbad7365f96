package apigw

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
)

// ProblemContentType is the media type of error responses (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details object, with Herald's "errors" extension listing
// the fields at fault.
type Problem struct {
	Type   string             `json:"type"`
	Title  string             `json:"title"`
	Status int                `json:"status"`
	Detail string             `json:"detail,omitempty"`
	Errors []fault.FieldError `json:"errors,omitempty"`
	// Quota names the limit reached, on a 429.
	Quota *fault.Quota `json:"quota,omitempty"`
}

// Status is the HTTP status for an error kind: the one place that decides it.
func Status(k fault.Kind) int {
	switch k {
	case fault.Invalid:
		return http.StatusBadRequest
	case fault.Unauthorized:
		return http.StatusUnauthorized
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Conflict:
		return http.StatusConflict
	case fault.TooLarge:
		return http.StatusRequestEntityTooLarge
	case fault.Unsupported:
		return http.StatusUnsupportedMediaType
	case fault.Unavailable:
		return http.StatusServiceUnavailable
	case fault.OverQuota:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

// problemType is a stable URN per kind, so clients can branch on it without parsing titles.
func problemType(k fault.Kind) string {
	return "urn:herald:problem:" + strings.ReplaceAll(k.String(), " ", "-")
}

// ProblemFor builds the problem for err. Details of unexpected errors stay in the logs:
// the caller sees only that something failed.
func ProblemFor(err error) Problem {
	kind := fault.KindOf(err)
	p := Problem{Type: problemType(kind), Title: kind.String(), Status: Status(kind)}
	var fe *fault.Error
	if errors.As(err, &fe) && kind != fault.Other {
		p.Detail = fe.Detail
		p.Errors = fe.Fields
		p.Quota = fe.Quota
	}
	if kind == fault.Other {
		p.Detail = "an unexpected error occurred; it has been logged"
	}
	return p
}

// Error answers err as problem+json, logging it when it is the service's fault.
func Error(ctx context.Context, err error) events.APIGatewayV2HTTPResponse {
	p := ProblemFor(err)
	if p.Status >= 500 {
		slog.ErrorContext(ctx, "request failed", "status", p.Status, "error", err.Error())
	}
	return respond(p.Status, ProblemContentType, p)
}

// JSON answers v as application/json with the given status.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	return respond(status, "application/json", v)
}

// ProblemJSON answers a problem document that carries extension members beside the
// RFC 9457 ones (a veto's denials, say): v, with the problem content type and the same
// headers and encoding as every other answer.
func ProblemJSON(status int, v any) events.APIGatewayV2HTTPResponse {
	return respond(status, ProblemContentType, v)
}

// NoContent answers 204.
func NoContent() events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusNoContent}
}

func respond(status int, contentType string, v any) events.APIGatewayV2HTTPResponse {
	// Subjects (">") and paths travel in responses: keep them readable, not \u003e.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		status, contentType = http.StatusInternalServerError, ProblemContentType
		body = []byte(`{"type":"urn:herald:problem:internal-error","title":"internal error","status":500}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"Content-Type":           contentType,
			"Cache-Control":          "no-store",
			"X-Content-Type-Options": "nosniff",
		},
		Body: string(body),
	}
}
