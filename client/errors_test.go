package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"
)

// TestErrors checks how error answers of both shapes, Herald's problems and API
// Gateway's messages, become an *Error.
func TestErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		header      map[string]string
		body        string
		want        Error // route and Body are not compared
		is          func(error) bool
		message     string
	}{
		{
			name:   "invalid request with fields",
			status: 400, contentType: "application/problem+json",
			body: `{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,"detail":"the request has invalid fields","errors":[{"field":"target","message":"must set exactly one"},{"field":"limit","message":"must be an integer from 1 to 100"}]}`,
			want: Error{Status: 400, Type: "urn:herald:problem:invalid-request", Title: "invalid request", Detail: "the request has invalid fields",
				Errors: []FieldError{{Field: "target", Message: "must set exactly one"}, {Field: "limit", Message: "must be an integer from 1 to 100"}}},
			is:      IsInvalid,
			message: "herald: GET /v1/triggers: 400 invalid request: the request has invalid fields (target: must set exactly one; limit: must be an integer from 1 to 100)",
		},
		{
			name:   "API Gateway without a token",
			status: 401, contentType: "application/json",
			header:  map[string]string{"Apigw-Requestid": "Rq1aCjkqDoEEJyQ="},
			body:    `{"message":"Unauthorized"}`,
			want:    Error{Status: 401, Message: "Unauthorized", RequestID: "Rq1aCjkqDoEEJyQ="},
			is:      IsUnauthorized,
			message: "herald: GET /v1/triggers: 401 Unauthorized",
		},
		{
			name:   "API Gateway authorizer refusal",
			status: 403, contentType: "application/json",
			body:    `{"message":"Forbidden"}`,
			want:    Error{Status: 403, Message: "Forbidden"},
			is:      IsForbidden,
			message: "herald: GET /v1/triggers: 403 Forbidden",
		},
		{
			name:   "Herald forbidden",
			status: 403, contentType: "application/problem+json",
			body: `{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"personal notifications need a personal token"}`,
			want: Error{Status: 403, Type: "urn:herald:problem:forbidden", Title: "forbidden", Detail: "personal notifications need a personal token"},
			is:   IsForbidden,
		},
		{
			name:   "not found",
			status: 404, contentType: "application/problem+json",
			body: `{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"no such trigger"}`,
			want: Error{Status: 404, Type: "urn:herald:problem:not-found", Title: "not found", Detail: "no such trigger"},
			is:   IsNotFound,
		},
		{
			name:   "conflict",
			status: 409, contentType: "application/problem+json",
			body: `{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"a placeholder trigger matches no published event; use fire"}`,
			want: Error{Status: 409, Type: "urn:herald:problem:conflict", Title: "conflict", Detail: "a placeholder trigger matches no published event; use fire"},
			is:   IsConflict,
		},
		{
			name:   "not JSON",
			status: 418, contentType: "text/html",
			body:    `<html>teapot</html>`,
			want:    Error{Status: 418},
			is:      func(err error) bool { return !IsInvalid(err) && !IsNotFound(err) },
			message: "herald: GET /v1/triggers: 418 i'm a teapot",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			_, err := c.ListTriggers(context.Background(), ListOptions{})
			// Wrapped by a caller, it is still found.
			err = fmt.Errorf("listing: %w", err)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			if string(e.Body) != tt.body {
				t.Errorf("body %q", e.Body)
			}
			got := *e
			got.route, got.Body = "", nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if !tt.is(err) {
				t.Errorf("the Is… helper does not recognise %v", err)
			}
			if tt.message != "" && e.Error() != tt.message {
				t.Errorf("message %q\nwant    %q", e.Error(), tt.message)
			}
		})
	}
}

func TestIsHelpersOnOtherErrors(t *testing.T) {
	for _, err := range []error{nil, errors.New("x"), context.Canceled} {
		if IsInvalid(err) || IsUnauthorized(err) || IsForbidden(err) || IsNotFound(err) || IsConflict(err) ||
			IsRateLimited(err) || IsUnavailable(err) || IsVetoed(err) {
			t.Errorf("%v recognised as an answer", err)
		}
	}
}
