package gateway

import (
	"bytes"
	"encoding/base64"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/lambdalocal"
)

// TestHTTPAPIRequest sends one request through a route behind an authorizer and checks
// every part of the payload 2.0 request the function receives.
func TestHTTPAPIRequest(t *testing.T) {
	authContext := map[string]any{"sub": "user-1", "scope": "events:write", "admin": false, "level": 3.0}
	api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":204}`))
	raw := newFake(answer[map[string]any](`{"statusCode":204}`))
	cfg := Config{
		Routes: []Route{
			{Method: "POST", Path: "/v1/consumers/{id}/events", Function: "Api", Authorizer: "Jwt"},
			{Method: "GET", Path: "/v1/raw", Function: "Raw"},
		},
		Authorizers: map[string]Authorizer{"Jwt": {Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"authorization"}, SimpleResponses: true}},
	}
	g := newGateway(t, cfg, map[string]Invoker{"Api": api, "Raw": raw, "Auth": newFake(allow(authContext))})

	body := `{"events":[{"type":"consumer.updated"}]}`
	r := httptest.NewRequest(http.MethodPost, "http://api.example.test/v1/consumers/c-1/events?tag=x&tag=y&q=a%20b", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer token-1")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "herald-test/1.0")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Add("Cookie", "a=1; b=2")
	r.Header.Add("Cookie", "c=3")
	start := time.Now().UnixMilli()
	if w := serve(g, r); w.Code != http.StatusNoContent {
		t.Fatalf("status %d, want 204 (body %s)", w.Code, w.Body)
	}
	end := time.Now().UnixMilli()
	req := api.only(t)

	if req.Version != "2.0" {
		t.Errorf("version %q, want 2.0", req.Version)
	}
	if req.RouteKey != "POST /v1/consumers/{id}/events" {
		t.Errorf("routeKey %q", req.RouteKey)
	}
	if req.RawPath != "/v1/consumers/c-1/events" {
		t.Errorf("rawPath %q", req.RawPath)
	}
	if req.RawQueryString != "tag=x&tag=y&q=a%20b" {
		t.Errorf("rawQueryString %q", req.RawQueryString)
	}
	if want := []string{"a=1", "b=2", "c=3"}; !slices.Equal(req.Cookies, want) {
		t.Errorf("cookies %q, want %q", req.Cookies, want)
	}
	wantHeaders := map[string]string{
		"authorization": "Bearer token-1",
		"content-type":  "application/json",
		"user-agent":    "herald-test/1.0",
		"x-multi":       "one,two",
		"host":          "api.example.test",
	}
	for k, v := range wantHeaders {
		if req.Headers[k] != v {
			t.Errorf("header %s = %q, want %q", k, req.Headers[k], v)
		}
	}
	for k := range req.Headers {
		if k != strings.ToLower(k) {
			t.Errorf("header name %q is not lower-case", k)
		}
		if k == "cookie" {
			t.Errorf("cookie header passed on; cookies belong in the cookies field")
		}
	}
	if want := map[string]string{"tag": "x,y", "q": "a b"}; !maps.Equal(req.QueryStringParameters, want) {
		t.Errorf("queryStringParameters %v, want %v", req.QueryStringParameters, want)
	}
	if want := map[string]string{"id": "c-1"}; !maps.Equal(req.PathParameters, want) {
		t.Errorf("pathParameters %v, want %v", req.PathParameters, want)
	}

	rc := req.RequestContext
	if rc.HTTP.Method != "POST" || rc.HTTP.Path != "/v1/consumers/c-1/events" || rc.HTTP.SourceIP != "192.0.2.1" || rc.HTTP.UserAgent != "herald-test/1.0" {
		t.Errorf("requestContext.http %+v", rc.HTTP)
	}
	if _, err := uuid.Parse(rc.RequestID); err != nil {
		t.Errorf("requestId %q is not a UUID: %v", rc.RequestID, err)
	}
	if rc.Stage != "$default" {
		t.Errorf("stage %q, want $default", rc.Stage)
	}
	if rc.RouteKey != req.RouteKey {
		t.Errorf("requestContext.routeKey %q, want %q", rc.RouteKey, req.RouteKey)
	}
	if rc.TimeEpoch < start || rc.TimeEpoch > end {
		t.Errorf("timeEpoch %d, not within the request (%d–%d)", rc.TimeEpoch, start, end)
	}
	if rc.AccountID != accountID || rc.APIID != apiID || rc.DomainName != "api.example.test" || rc.DomainPrefix != "api" {
		t.Errorf("requestContext ids: account %q, api %q, domain %q, prefix %q", rc.AccountID, rc.APIID, rc.DomainName, rc.DomainPrefix)
	}

	if req.Body != body || req.IsBase64Encoded {
		t.Errorf("body %q (base64 %v), want the JSON as text", req.Body, req.IsBase64Encoded)
	}
	if rc.Authorizer == nil || !reflect.DeepEqual(rc.Authorizer.Lambda, authContext) {
		t.Errorf("requestContext.authorizer %+v, want lambda %v", rc.Authorizer, authContext)
	}

	// Without an authorizer there is no authorizer in the context; without a query, cookies
	// or a body those fields are left out; and each request has its own id.
	if w := serve(g, httptest.NewRequest(http.MethodGet, "/v1/raw", nil)); w.Code != http.StatusNoContent {
		t.Fatalf("GET /v1/raw: status %d", w.Code)
	}
	got := raw.only(t)
	rctx := got["requestContext"].(map[string]any)
	if _, ok := rctx["authorizer"]; ok {
		t.Errorf("requestContext.authorizer present on a route without an authorizer: %v", rctx["authorizer"])
	}
	for _, field := range []string{"cookies", "queryStringParameters", "pathParameters", "body"} {
		if v, ok := got[field]; ok {
			t.Errorf("%s = %v on a request without one", field, v)
		}
	}
	if rctx["requestId"] == rc.RequestID {
		t.Errorf("two requests share the requestId %q", rc.RequestID)
	}
}

// TestRequestBodyEncoding checks which bodies the function receives as text and which as
// base64 (isBase64Encoded), and that the bytes survive either way.
func TestRequestBodyEncoding(t *testing.T) {
	api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":200}`))
	g := newGateway(t, Config{Routes: []Route{{Method: "POST", Path: "/upload", Function: "Api"}}}, map[string]Invoker{"Api": api})

	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantBase64  bool
	}{
		{"json", "application/json", []byte(`{"a":1}`), false},
		{"json with charset", "application/json; charset=utf-8", []byte(`{"a":"é"}`), false},
		{"problem json suffix", "application/problem+json", []byte(`{"title":"x"}`), false},
		{"text", "text/plain", []byte("hello"), false},
		{"form", "application/x-www-form-urlencoded", []byte("a=1&b=2"), false},
		{"no content type, UTF-8", "", []byte("plain"), false},
		{"octet stream", "application/octet-stream", []byte{0x00, 0x01, 0xfe, 0xff}, true},
		{"image, ASCII bytes", "image/png", []byte("PNG"), true},
		{"JSON type, invalid UTF-8", "application/json", []byte{'"', 0xff, '"'}, true},
		{"no content type, invalid UTF-8", "", []byte{0xc3, 0x28}, true},
		{"malformed content type", "application/", []byte("x"), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/upload", bytes.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			if w := serve(g, r); w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			got := api.calls()[i]
			if got.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("isBase64Encoded %v, want %v", got.IsBase64Encoded, tt.wantBase64)
			}
			decoded := []byte(got.Body)
			if got.IsBase64Encoded {
				var err error
				if decoded, err = base64.StdEncoding.DecodeString(got.Body); err != nil {
					t.Fatalf("body %q is not base64: %v", got.Body, err)
				}
			}
			if !bytes.Equal(decoded, tt.body) {
				t.Errorf("body %q, want %q", decoded, tt.body)
			}
		})
	}
}

// TestFunctionURLRequest checks that a Function URL route needs no token although the API
// has a default authorizer, and that its function receives a Function URL request: no
// routeKey, no authorizer, the request's fields as a Function URL passes them.
func TestFunctionURLRequest(t *testing.T) {
	cfg, err := FromTemplate(parseTemplate(t, baseTemplate()))
	if err != nil {
		t.Fatal(err)
	}
	stream := newFake(answer[map[string]any](`{"statusCode":200,"body":"ok"}`))
	auth := newFake(allow(map[string]any{"sub": "u"}))
	g := newGateway(t, cfg, map[string]Invoker{
		"Api": newFake(answer[map[string]any](`{}`)), "Auth": auth, "AdminAuth": auth, "Stream": stream,
	})

	r := httptest.NewRequest(http.MethodGet, "/v1/stream?since=5", nil)
	r.Header.Set("User-Agent", "curl/8")
	r.Header.Set("Cookie", "s=1")
	w := serve(g, r)
	if w.Code != http.StatusOK || w.Body.String() != "ok" {
		t.Fatalf("status %d body %q, want 200 ok", w.Code, w.Body)
	}
	if n := len(auth.calls()); n != 0 {
		t.Errorf("authorizer invoked %d times for a Function URL", n)
	}

	got := stream.only(t)
	if _, ok := got["routeKey"]; ok {
		t.Errorf("Function URL request has a routeKey: %v", got["routeKey"])
	}
	if _, ok := got["pathParameters"]; ok {
		t.Errorf("Function URL request has pathParameters: %v", got["pathParameters"])
	}
	rctx, _ := got["requestContext"].(map[string]any)
	for _, field := range []string{"authorizer", "routeKey", "stage"} {
		if v, ok := rctx[field]; ok {
			t.Errorf("requestContext.%s = %v in a Function URL request", field, v)
		}
	}

	var req awsevents.LambdaFunctionURLRequest
	remarshal(t, got, &req)
	if req.Version != "2.0" || req.RawPath != "/v1/stream" || req.RawQueryString != "since=5" {
		t.Errorf("version %q rawPath %q rawQueryString %q", req.Version, req.RawPath, req.RawQueryString)
	}
	if !maps.Equal(req.QueryStringParameters, map[string]string{"since": "5"}) || !slices.Equal(req.Cookies, []string{"s=1"}) {
		t.Errorf("query %v cookies %q", req.QueryStringParameters, req.Cookies)
	}
	h := req.RequestContext.HTTP
	if h.Method != "GET" || h.Path != "/v1/stream" || h.SourceIP != "192.0.2.1" || h.UserAgent != "curl/8" {
		t.Errorf("requestContext.http %+v", h)
	}
	if _, err := uuid.Parse(req.RequestContext.RequestID); err != nil {
		t.Errorf("requestId %q: %v", req.RequestContext.RequestID, err)
	}
}

// TestRequestTooLarge checks API Gateway's payload limit: a body over MaxBodyBytes is
// refused with 413 before any function runs, and a body of exactly MaxBodyBytes passes.
func TestRequestTooLarge(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		wantStatus int
	}{
		{"at the limit", MaxBodyBytes, http.StatusOK},
		{"over the limit", MaxBodyBytes + 1, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFake(func(awsevents.APIGatewayV2HTTPRequest) (*lambdalocal.Response, error) {
				return buffered(`{"statusCode":200}`), nil
			})
			auth := newFake(allow(nil))
			cfg := Config{
				Routes:      []Route{{Method: "POST", Path: "/v1/events", Function: "Api", Authorizer: "Jwt"}},
				Authorizers: map[string]Authorizer{"Jwt": {Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"authorization"}}},
			}
			g := newGateway(t, cfg, map[string]Invoker{"Api": api, "Auth": auth})
			r := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(bytes.Repeat([]byte("a"), tt.size)))
			r.Header.Set("Content-Type", "text/plain")
			r.Header.Set("Authorization", "Bearer t")
			w := serve(g, r)
			if tt.wantStatus == http.StatusRequestEntityTooLarge {
				wantMessage(t, w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
				if n, m := len(api.calls()), len(auth.calls()); n != 0 || m != 0 {
					t.Errorf("function invoked %d times, authorizer %d times; want neither", n, m)
				}
				return
			}
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", w.Code, tt.wantStatus)
			}
			if got := api.only(t); len(got.Body) != tt.size {
				t.Errorf("function got a %d-byte body, want %d", len(got.Body), tt.size)
			}
		})
	}
}
