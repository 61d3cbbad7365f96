package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/devstack/lambdalocal"
)

// authGateway is a gateway with one route, GET /v1/catalog, behind the authorizer Jwt
// whose identity source is the Authorization header (given here in mixed case, as a
// hand-built configuration might) and whose decisions are cached for every seconds.
func authGateway(t *testing.T, every int, auth, api Invoker) *Gateway {
	t.Helper()
	cfg := Config{
		Routes: []Route{{Method: "GET", Path: "/v1/catalog", Function: "Api", Authorizer: "Jwt"}},
		Authorizers: map[string]Authorizer{"Jwt": {
			Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"Authorization"}, ReauthorizeEvery: every, SimpleResponses: true,
		}},
	}
	return newGateway(t, cfg, map[string]Invoker{"Api": api, "Auth": auth})
}

// catalogRequest is a GET /v1/catalog with token as its Authorization header, if any.
func catalogRequest(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v1/catalog?lang=en", nil)
	if token != "" {
		r.Header.Set("Authorization", token)
	}
	return r
}

// TestAuthorizerDecisions checks the three outcomes of an authorizer: a missing identity
// header is 401 without asking the authorizer, a denial is 403, and an approval invokes
// the function with the authorizer's context.
func TestAuthorizerDecisions(t *testing.T) {
	tests := []struct {
		name           string
		token          string
		answer         func(map[string]any) (*lambdalocal.Response, error)
		wantStatus     int
		wantMessage    string
		wantAuthorizer int // invocations of the authorizer
	}{
		{name: "missing identity header", token: "", answer: allow(nil), wantStatus: http.StatusUnauthorized, wantMessage: "Unauthorized", wantAuthorizer: 0},
		{name: "denied", token: "Bearer bad", answer: deny, wantStatus: http.StatusForbidden, wantMessage: "Forbidden", wantAuthorizer: 1},
		{name: "allowed", token: "Bearer good", answer: allow(map[string]any{"sub": "user-1", "tenant": "t1"}), wantStatus: http.StatusOK, wantAuthorizer: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := newFake(tt.answer)
			api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":200,"body":"{}"}`))
			g := authGateway(t, 0, auth, api)
			w := serve(g, catalogRequest(tt.token))

			if n := len(auth.calls()); n != tt.wantAuthorizer {
				t.Errorf("authorizer invoked %d times, want %d", n, tt.wantAuthorizer)
			}
			if tt.wantStatus != http.StatusOK {
				wantMessage(t, w, tt.wantStatus, tt.wantMessage)
				if n := len(api.calls()); n != 0 {
					t.Errorf("function invoked %d times for a refused request", n)
				}
				return
			}
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200 (body %s)", w.Code, w.Body)
			}
			got := api.only(t).RequestContext.Authorizer
			if want := map[string]any{"sub": "user-1", "tenant": "t1"}; got == nil || !reflect.DeepEqual(got.Lambda, want) {
				t.Errorf("authorizer context %+v, want %v", got, want)
			}
		})
	}
}

// TestAuthorizerRequest checks the payload 2.0 request the authorizer receives.
func TestAuthorizerRequest(t *testing.T) {
	auth := newFake(allow(nil))
	g := authGateway(t, 0, auth, newFake(answer[map[string]any](`{}`)))
	r := catalogRequest("Bearer token-1")
	r.Header.Set("Cookie", "k=v")
	if w := serve(g, r); w.Code != http.StatusOK {
		t.Fatalf("status %d (body %s)", w.Code, w.Body)
	}

	raw := auth.only(t)
	if _, ok := raw["body"]; ok {
		t.Errorf("authorizer request carries the body")
	}
	var req awsevents.APIGatewayV2CustomAuthorizerV2Request
	remarshal(t, raw, &req)
	if req.Version != "2.0" || req.Type != "REQUEST" {
		t.Errorf("version %q type %q, want 2.0 REQUEST", req.Version, req.Type)
	}
	if !slices.Equal(req.IdentitySource, []string{"Bearer token-1"}) {
		t.Errorf("identitySource %q, want [Bearer token-1]", req.IdentitySource)
	}
	if want := "arn:aws:execute-api:" + testRegion + ":000000000000:local/$default/GET/v1/catalog"; req.RouteArn != want {
		t.Errorf("routeArn %q, want %q", req.RouteArn, want)
	}
	if req.RouteKey != "GET /v1/catalog" || req.RequestContext.RouteKey != "GET /v1/catalog" {
		t.Errorf("routeKey %q, requestContext.routeKey %q", req.RouteKey, req.RequestContext.RouteKey)
	}
	if req.RawPath != "/v1/catalog" || req.RawQueryString != "lang=en" || req.QueryStringParameters["lang"] != "en" {
		t.Errorf("rawPath %q rawQueryString %q query %v", req.RawPath, req.RawQueryString, req.QueryStringParameters)
	}
	if req.Headers["authorization"] != "Bearer token-1" || !slices.Equal(req.Cookies, []string{"k=v"}) {
		t.Errorf("headers %v cookies %q", req.Headers, req.Cookies)
	}
	if req.RequestContext.HTTP.Method != "GET" || req.RequestContext.Stage != "$default" {
		t.Errorf("requestContext %+v", req.RequestContext)
	}
}

// TestAuthorizerCache checks when the authorizer runs: with ReauthorizeEvery > 0 a decision,
// allow or deny, is reused for the same identity until it expires; other identities are
// authorized apart; with 0 every request asks the authorizer.
func TestAuthorizerCache(t *testing.T) {
	tests := []struct {
		name      string
		every     int
		tokens    []string
		advance   time.Duration // the clock moves this much before every request after the first
		answer    func(map[string]any) (*lambdalocal.Response, error)
		wantCalls int
		wantCode  int // of every request
	}{
		{name: "same token cached", every: 60, tokens: []string{"Bearer a", "Bearer a"}, answer: allow(nil), wantCalls: 1, wantCode: http.StatusOK},
		{name: "different tokens", every: 60, tokens: []string{"Bearer a", "Bearer b"}, answer: allow(nil), wantCalls: 2, wantCode: http.StatusOK},
		{name: "no caching", every: 0, tokens: []string{"Bearer a", "Bearer a", "Bearer a"}, answer: allow(nil), wantCalls: 3, wantCode: http.StatusOK},
		{name: "denial cached", every: 60, tokens: []string{"Bearer a", "Bearer a"}, answer: deny, wantCalls: 1, wantCode: http.StatusForbidden},
		{name: "within the lifetime", every: 60, tokens: []string{"Bearer a", "Bearer a"}, advance: 59 * time.Second, answer: allow(nil), wantCalls: 1, wantCode: http.StatusOK},
		{name: "expired", every: 60, tokens: []string{"Bearer a", "Bearer a"}, advance: 60 * time.Second, answer: allow(nil), wantCalls: 2, wantCode: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth := newFake(tt.answer)
			api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":200}`))
			g := authGateway(t, tt.every, auth, api)
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			g.now = func() time.Time { return now }
			for i, token := range tt.tokens {
				if i > 0 {
					now = now.Add(tt.advance)
				}
				if w := serve(g, catalogRequest(token)); w.Code != tt.wantCode {
					t.Fatalf("request %d: status %d, want %d", i, w.Code, tt.wantCode)
				}
			}
			if n := len(auth.calls()); n != tt.wantCalls {
				t.Errorf("authorizer invoked %d times, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestAuthorizerCacheContext checks that a cached approval passes the context of the
// decision to the function, as the first request got it.
func TestAuthorizerCacheContext(t *testing.T) {
	ctx := map[string]any{"sub": "user-1"}
	auth := newFake(allow(ctx))
	api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":200}`))
	g := authGateway(t, 60, auth, api)
	for range 2 {
		if w := serve(g, catalogRequest("Bearer a")); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := len(auth.calls()); n != 1 {
		t.Fatalf("authorizer invoked %d times, want 1", n)
	}
	for i, req := range api.calls() {
		if req.RequestContext.Authorizer == nil || !reflect.DeepEqual(req.RequestContext.Authorizer.Lambda, ctx) {
			t.Errorf("request %d: authorizer %+v, want lambda %v", i, req.RequestContext.Authorizer, ctx)
		}
	}
}

// TestAuthorizerCachePrunes checks that expired decisions leave the cache when a new one is
// stored, so that a long run with many tokens does not keep them all.
func TestAuthorizerCachePrunes(t *testing.T) {
	g := authGateway(t, 60, newFake(allow(nil)), newFake(answer[map[string]any](`{}`)))
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	for _, token := range []string{"Bearer a", "Bearer b"} {
		serve(g, catalogRequest(token))
	}
	now = now.Add(2 * time.Minute)
	serve(g, catalogRequest("Bearer c"))
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.cache) != 1 {
		t.Errorf("cache holds %d decisions, want only the live one", len(g.cache))
	}
}

// TestAuthorizerFailure checks that an authorizer that fails, in any way, gives 500
// {"message":"Internal Server Error"} and the function is not invoked.
func TestAuthorizerFailure(t *testing.T) {
	tests := []struct {
		name string
		auth Invoker
	}{
		{"invoke error", invokerFunc(func(context.Context, []byte) (*lambdalocal.Response, error) {
			return nil, errors.New("instance failed to start")
		})},
		{"function error", newFake(func(map[string]any) (*lambdalocal.Response, error) {
			return failed("Runtime.ExitError", "exit status 2"), nil
		})},
		{"not a simple response", newFake(answer[map[string]any](`"yes"`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFake(answer[map[string]any](`{}`))
			g := authGateway(t, 60, tt.auth, api)
			wantMessage(t, serve(g, catalogRequest("Bearer a")), http.StatusInternalServerError, "Internal Server Error")
			if n := len(api.calls()); n != 0 {
				t.Errorf("function invoked %d times after the authorizer failed", n)
			}
		})
	}
}

// TestConcurrentRequests sends many requests at once, half of them with one token and half
// with their own, and checks that every one is authorized and answered, and that the
// authorizer ran at most once per token, plus once per request that raced the first
// decision for the shared one (run with -race, it also checks the cache's locking).
func TestConcurrentRequests(t *testing.T) {
	auth := newFake(allow(map[string]any{"sub": "u"}))
	api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"statusCode":200}`))
	g := authGateway(t, 60, auth, api)

	const n = 32
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		token := "Bearer shared"
		if i%2 == 1 {
			token = fmt.Sprintf("Bearer own-%d", i)
		}
		wg.Go(func() { codes <- serve(g, catalogRequest(token)).Code })
	}
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("status %d, want 200", code)
		}
	}
	if got := len(api.calls()); got != n {
		t.Errorf("function invoked %d times, want %d", got, n)
	}
	if got := len(auth.calls()); got < n/2+1 || got > n {
		t.Errorf("authorizer invoked %d times, want between %d and %d", got, n/2+1, n)
	}
}
