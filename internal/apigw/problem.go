package apigw

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"

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
	// Extensions are further members, written after the others (a veto's approved and
	// denials). One named as a member above is left out: it cannot replace it.
	Extensions map[string]any `json:"-"`
}

// members are the names Problem's own fields take in JSON.
var members = []string{"type", "title", "status", "detail", "errors", "quota"}

// MarshalJSON writes the problem's members, then its extensions in the order of their
// names.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem // the members above, without this method
	b, err := encode(plain(p))
	if err != nil || len(p.Extensions) == 0 {
		return b, err
	}
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // all but the closing brace
	for _, name := range slices.Sorted(maps.Keys(p.Extensions)) {
		if slices.Contains(members, name) {
			continue
		}
		k, _ := encode(name)
		v, err := encode(p.Extensions[name])
		if err != nil {
			return nil, err
		}
		buf.WriteByte(',')
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
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
	case fault.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case fault.Vetoed:
		return http.StatusUnprocessableEntity
	default:
		return http.StatusInternalServerError
	}
}

// ProblemFor builds the problem for err. Details of unexpected errors stay in the logs:
// the caller sees only that something failed.
func ProblemFor(err error) Problem {
	kind := fault.KindOf(err)
	p := Problem{Type: ProblemType(kind), Title: kind.String(), Status: Status(kind)}
	var fe *fault.Error
	if errors.As(err, &fe) && kind != fault.Other {
		p.Detail = fe.Detail
		p.Errors = fe.Fields
		p.Quota = fe.Quota
		p.Extensions = fe.Extensions
	}
	if kind == fault.Other {
		p.Detail = "an unexpected error occurred; it has been logged"
	}
	return p
}

// Error answers err as problem+json, logging it when it is the service's fault. A
// MethodNotAllowed error's methods go in the Allow header.
func Error(ctx context.Context, err error) awsevents.APIGatewayV2HTTPResponse {
	p := ProblemFor(err)
	if p.Status >= 500 {
		slog.ErrorContext(ctx, "request failed", "status", p.Status, "error", err.Error())
	}
	resp := respond(p.Status, ProblemContentType, p)
	var fe *fault.Error
	if resp.StatusCode == http.StatusMethodNotAllowed && errors.As(err, &fe) && len(fe.Allow) > 0 {
		resp.Headers["Allow"] = strings.Join(fe.Allow, ", ")
	}
	return resp
}
