package apigw

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

// TestRespond checks the one conversion of what a route returns into the response API
// Gateway sends: status, headers and body.
func TestRespond(t *testing.T) {
	jsonHeaders := map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
	problemHeaders := map[string]string{"Content-Type": ProblemContentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
	tests := []struct {
		name    string
		resp    Response
		err     error
		status  int
		headers map[string]string
		body    string
	}{
		{"JSON, HTML characters kept", Reply(http.StatusOK, map[string]string{"subject": "herald.events.>", "q": "a&b<c"}), nil,
			http.StatusOK, jsonHeaders, `{"q":"a&b<c","subject":"herald.events.>"}`},
		{"another status", Reply(http.StatusAccepted, []int{1}), nil, http.StatusAccepted, jsonHeaders, `[1]`},
		{"a listing", ReplyItems([]string{"a"}, "next"), nil, http.StatusOK, jsonHeaders, `{"items":["a"],"next_cursor":"next"}`},
		{"an empty listing", ReplyItems([]string(nil), ""), nil, http.StatusOK, jsonHeaders, `{"items":[],"next_cursor":""}`},
		{"no content", ReplyNoContent(), nil, http.StatusNoContent, nil, ""},
		{"an error", Response{}, fault.Field("name", "is required"), http.StatusBadRequest, problemHeaders,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,"detail":"the request has an invalid field","errors":[{"field":"name","message":"is required"}]}`},
		{"method not allowed", Response{}, fault.NotAllowed("PUT is not allowed here", "DELETE", "GET"), http.StatusMethodNotAllowed,
			map[string]string{"Content-Type": ProblemContentType, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Allow": "DELETE, GET"},
			`{"type":"urn:herald:problem:method-not-allowed","title":"method not allowed","status":405,"detail":"PUT is not allowed here"}`},
		{"an error beside a value", Reply(http.StatusOK, 1), errors.New("boom"), http.StatusInternalServerError, problemHeaders,
			`{"type":"urn:herald:problem:internal-error","title":"internal error","status":500,"detail":"an unexpected error occurred; it has been logged"}`},
		{"neither a value nor an error", Response{}, nil, http.StatusInternalServerError, problemHeaders,
			`{"type":"urn:herald:problem:internal-error","title":"internal error","status":500,"detail":"an unexpected error occurred; it has been logged"}`},
		{"a value that does not encode", Reply(http.StatusOK, func() {}), nil, http.StatusInternalServerError, problemHeaders,
			`{"type":"urn:herald:problem:internal-error","title":"internal error","status":500}`},
	}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler)) // the 500s are logged
	defer slog.SetDefault(prev)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Respond(context.Background(), tt.resp, tt.err)
			if got.StatusCode != tt.status || got.Body != tt.body {
				t.Errorf("got %d %s, want %d %s", got.StatusCode, got.Body, tt.status, tt.body)
			}
			if !maps.Equal(got.Headers, tt.headers) {
				t.Errorf("headers %v, want %v", got.Headers, tt.headers)
			}
		})
	}
}

// TestResponseHelpers checks that JSON, Items and NoContent answer as Respond answers
// the corresponding Response.
func TestResponseHelpers(t *testing.T) {
	ctx := context.Background()
	v := map[string]any{"a": 1}
	if got, want := JSON(http.StatusCreated, v), Respond(ctx, Reply(http.StatusCreated, v), nil); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON = %+v, want %+v", got, want)
	}
	if got, want := Items([]int(nil), "c"), Respond(ctx, ReplyItems([]int(nil), "c"), nil); !reflect.DeepEqual(got, want) {
		t.Errorf("Items = %+v, want %+v", got, want)
	}
	if got, want := NoContent(), Respond(ctx, ReplyNoContent(), nil); !reflect.DeepEqual(got, want) || got.StatusCode != http.StatusNoContent {
		t.Errorf("NoContent = %+v, want %+v", got, want)
	}
}
