package apigw_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/fault"
)

// served records what a route was called with.
type served struct {
	route  string
	params map[string]string
}

// routed is the handler the router's tests dispatch to: each route records itself.
type routed struct{ got *served }

// route returns a route that records it was served as name, with the request's path
// parameters.
func route(name string) apigw.HandlerFunc[routed] {
	return func(h routed, _ context.Context, req *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
		*h.got = served{route: name, params: req.PathParameters}
		return apigw.Reply(http.StatusOK, map[string]string{"route": name}), nil
	}
}

func testRouter() *apigw.Router[routed] {
	return apigw.NewRouter(apigw.Routes[routed]{
		"GET /v1/things":                   route("list"),
		"POST /v1/things":                  route("create"),
		"GET /v1/things/{id}":              route("get"),
		"DELETE /v1/things/{id}":           route("delete"),
		"GET /v1/things/count":             route("count"),
		"POST /v1/things/{id}/parts/{pid}": route("part"),
	})
}

// withKey is a request as API Gateway sends it for a declared route.
func withKey(key, path string, params map[string]string) awsevents.APIGatewayV2HTTPRequest {
	return awsevents.APIGatewayV2HTTPRequest{RouteKey: key, RawPath: path, PathParameters: params}
}

// raw is a request without a route key, as a $default route sends it.
func raw(method, path string) awsevents.APIGatewayV2HTTPRequest {
	req := awsevents.APIGatewayV2HTTPRequest{RouteKey: "$default", RawPath: path}
	req.RequestContext.HTTP.Method = method
	return req
}

func TestRouter(t *testing.T) {
	tests := []struct {
		name   string
		req    awsevents.APIGatewayV2HTTPRequest
		route  string            // the route served; "" for none
		params map[string]string // the path parameters it saw
		status int
		allow  string // the Allow header
	}{
		{name: "route key", req: withKey("GET /v1/things", "/v1/things", nil), route: "list", status: http.StatusOK},
		{name: "route key, same path, other method", req: withKey("POST /v1/things", "/v1/things", nil), route: "create", status: http.StatusOK},
		{name: "route key with a parameter, parameters untouched", req: withKey("GET /v1/things/{id}", "/v1/things/t1", map[string]string{"id": "t1", "extra": "x"}),
			route: "get", params: map[string]string{"id": "t1", "extra": "x"}, status: http.StatusOK},
		{name: "route key, parameters as the gateway decoded them", req: withKey("GET /v1/things/{id}", "/v1/things/a%2Fb", map[string]string{"id": "a/b"}),
			route: "get", params: map[string]string{"id": "a/b"}, status: http.StatusOK},
		{name: "unknown route key", req: withKey("GET /v1/nothing", "/v1/nothing", nil), status: http.StatusNotFound},
		{name: "route key of a known path, other method", req: withKey("PUT /v1/things/{id}", "/v1/things/t1", map[string]string{"id": "t1"}),
			status: http.StatusMethodNotAllowed, allow: "DELETE, GET"},
		{name: "raw path", req: raw("GET", "/v1/things"), route: "list", status: http.StatusOK},
		{name: "raw path with a parameter", req: raw("DELETE", "/v1/things/t1"), route: "delete", params: map[string]string{"id": "t1"}, status: http.StatusOK},
		{name: "raw path with two parameters", req: raw("POST", "/v1/things/t1/parts/p2"), route: "part", params: map[string]string{"id": "t1", "pid": "p2"}, status: http.StatusOK},
		{name: "raw path, parameter decoded", req: raw("GET", "/v1/things/a%2Fb"), route: "get", params: map[string]string{"id": "a/b"}, status: http.StatusOK},
		{name: "raw path, a literal segment wins over a parameter", req: raw("GET", "/v1/things/count"), route: "count", status: http.StatusOK},
		{name: "raw path, trailing slash", req: raw("GET", "/v1/things/"), route: "list", status: http.StatusOK},
		{name: "raw path, empty parameter", req: raw("GET", "/v1/things/t1/parts//"), status: http.StatusNotFound},
		{name: "raw path unknown", req: raw("GET", "/v1/nothing"), status: http.StatusNotFound},
		{name: "raw path too long", req: raw("GET", "/v1/things/t1/more"), status: http.StatusNotFound},
		{name: "raw path known, other method", req: raw("PATCH", "/v1/things"), status: http.StatusMethodNotAllowed, allow: "GET, POST"},
		{name: "raw path known by two templates, other method", req: raw("PUT", "/v1/things/count"), status: http.StatusMethodNotAllowed, allow: "DELETE, GET"},
	}
	r := testRouter()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got served
			resp, err := r.Handle(context.Background(), routed{got: &got}, tt.req)
			if err != nil {
				t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if got.route != tt.route {
				t.Errorf("served %q, want %q", got.route, tt.route)
			}
			if !maps.Equal(got.params, tt.params) {
				t.Errorf("path parameters %v, want %v", got.params, tt.params)
			}
			if allow := resp.Headers["Allow"]; allow != tt.allow {
				t.Errorf("Allow %q, want %q", allow, tt.allow)
			}
			if tt.route != "" {
				return
			}
			var p apigw.Problem
			if resp.Headers["Content-Type"] != apigw.ProblemContentType || json.Unmarshal([]byte(resp.Body), &p) != nil || p.Status != tt.status {
				t.Fatalf("%s %s, want a problem with status %d", resp.Headers["Content-Type"], resp.Body, tt.status)
			}
			want := map[int]string{http.StatusNotFound: apigw.ProblemNotFound, http.StatusMethodNotAllowed: apigw.ProblemMethodNotAllowed}[tt.status]
			if p.Type != want {
				t.Errorf("type %q, want %q", p.Type, want)
			}
		})
	}
}

// TestRouterKeepsTheRequest checks that answering does not change the caller's request:
// the parameters a raw path gives are the route's alone.
func TestRouterKeepsTheRequest(t *testing.T) {
	req := raw("GET", "/v1/things/t1")
	req.PathParameters = map[string]string{"id": "from-the-gateway"}
	var got served
	if _, err := testRouter().Handle(context.Background(), routed{got: &got}, req); err != nil {
		t.Fatal(err)
	}
	if got.params["id"] != "from-the-gateway" {
		t.Errorf("id %q: a parameter the gateway passed must stand", got.params["id"])
	}
	if len(req.PathParameters) != 1 || req.PathParameters["id"] != "from-the-gateway" {
		t.Errorf("the caller's parameters became %v", req.PathParameters)
	}
}

// TestRouterAnswers checks that what a route returns reaches the client through Respond:
// its value as JSON, its error as a problem.
func TestRouterAnswers(t *testing.T) {
	tests := []struct {
		name   string
		resp   apigw.Response
		err    error
		status int
		ct     string
		body   string
	}{
		{"a value", apigw.Reply(http.StatusCreated, map[string]string{"subject": "a.>"}), nil, http.StatusCreated, "application/json", `{"subject":"a.>"}`},
		{"no content", apigw.ReplyNoContent(), nil, http.StatusNoContent, "", ""},
		{"an error", apigw.Response{}, fault.New(fault.Conflict, "busy"), http.StatusConflict, apigw.ProblemContentType,
			`{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"busy"}`},
		{"an error beside a value", apigw.Reply(http.StatusOK, "ignored"), fault.New(fault.NotFound, "gone"), http.StatusNotFound, apigw.ProblemContentType,
			`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"gone"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apigw.NewRouter(apigw.Routes[struct{}]{
				"GET /v1/x": func(struct{}, context.Context, *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
					return tt.resp, tt.err
				},
			})
			resp, err := r.Handle(context.Background(), struct{}{}, withKey("GET /v1/x", "/v1/x", nil))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != tt.ct || resp.Body != tt.body {
				t.Fatalf("got %d %q %s, want %d %q %s", resp.StatusCode, resp.Headers["Content-Type"], resp.Body, tt.status, tt.ct, tt.body)
			}
		})
	}
}

func TestNewRouterRefusesMalformedRoutes(t *testing.T) {
	ok := func(struct{}, context.Context, *awsevents.APIGatewayV2HTTPRequest) (apigw.Response, error) {
		return apigw.ReplyNoContent(), nil
	}
	for _, key := range []string{"/v1/x", "get /v1/x", "GET v1/x", "GET", " /v1/x", "GET /v1/{proxy+}"} {
		t.Run(key, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewRouter accepted %q", key)
				}
			}()
			apigw.NewRouter(apigw.Routes[struct{}]{key: ok})
		})
	}
	t.Run("no handler", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("NewRouter accepted a route without a handler")
			}
		}()
		apigw.NewRouter(apigw.Routes[struct{}]{"GET /v1/x": nil})
	})
}
