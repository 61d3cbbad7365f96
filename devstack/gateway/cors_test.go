package gateway

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
)

// TestCORSFromRepositoryTemplate reads the CORS of template.yaml: none by default, and
// for the origins of CorsOrigins the HTTP API's (bearer tokens and JSON bodies on
// the API's methods) and the Stream Function URL's (GET, with Last-Event-ID).
func TestCORSFromRepositoryTemplate(t *testing.T) {
	tmpl := repoTemplate(t)
	params := func(origins string) map[string]string {
		p := localstack.RequiredParameters(localstack.DevSecret)
		p["NatsUrl"] = "nats://127.0.0.1:4222"
		if origins != "" {
			p["CorsOrigins"] = origins
		}
		return p
	}
	stack, err := template.Evaluate(tmpl, params(""))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := FromStack(stack)
	if err != nil {
		t.Fatalf("FromStack: %v", err)
	}
	if cfg.CORS != nil || len(cfg.URLCORS) != 0 {
		t.Errorf("by default CORS %+v, URL CORS %+v; want none", cfg.CORS, cfg.URLCORS)
	}
	if len(cfg.Routes) == 0 {
		t.Error("FromStack read no routes")
	}

	stack, err = template.Evaluate(tmpl, params("https://app.example.com,"+localstack.CorsOrigins))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = FromStack(stack); err != nil {
		t.Fatalf("FromStack: %v", err)
	}
	wantOrigins := []string{"https://app.example.com", "http://localhost:*", "http://127.0.0.1:*"}
	api := cfg.CORS
	if api == nil || !slices.Equal(api.AllowOrigins, wantOrigins) {
		t.Fatalf("the HTTP API's CORS %+v, want the origins %v", api, wantOrigins)
	}
	for _, h := range []string{"Authorization", "Content-Type"} {
		if !allows(api.AllowHeaders, h) {
			t.Errorf("the HTTP API does not allow the header %s: %v", h, api.AllowHeaders)
		}
	}
	// Every method a route of the template takes.
	for _, rt := range cfg.Routes {
		if !rt.URL && !allows(api.AllowMethods, rt.Method) {
			t.Errorf("the HTTP API's CORS does not allow %s, which %s takes", rt.Method, rt.RouteKey())
		}
	}
	if api.AllowCredentials {
		t.Error("the HTTP API allows credentials: tokens are bearer tokens, not cookies")
	}
	stream := cfg.URLCORS["Stream"]
	if stream == nil || !slices.Equal(stream.AllowOrigins, wantOrigins) {
		t.Fatalf("the Stream Function URL's CORS %+v, want the origins %v", stream, wantOrigins)
	}
	for _, h := range []string{"Authorization", "Last-Event-ID"} {
		if !allows(stream.AllowHeaders, h) {
			t.Errorf("the stream does not allow the header %s: %v", h, stream.AllowHeaders)
		}
	}
	if !slices.Equal(stream.AllowMethods, []string{"GET"}) {
		t.Errorf("the stream allows the methods %v, want GET", stream.AllowMethods)
	}
}

// TestCORSOrigin checks which origins a configuration lets in, the local port pattern
// included.
func TestCORSOrigin(t *testing.T) {
	tests := []struct {
		name    string
		allow   []string
		creds   bool
		origin  string
		want    string // "" for refused
		allowed bool
	}{
		{"exact", []string{"https://app.example.com"}, false, "https://app.example.com", "https://app.example.com", true},
		{"exact, another case", []string{"https://app.example.com"}, false, "https://APP.example.com", "https://APP.example.com", true},
		{"another host", []string{"https://app.example.com"}, false, "https://evil.example.com", "", false},
		{"a suffix of the host", []string{"https://example.com"}, false, "https://evil-example.com", "", false},
		{"another scheme", []string{"https://app.example.com"}, false, "http://app.example.com", "", false},
		{"another port", []string{"https://app.example.com"}, false, "https://app.example.com:8443", "", false},
		{"no origin", []string{"*"}, false, "", "", false},
		{"any", []string{"*"}, false, "https://anyone.example", "*", true},
		{"any, with credentials", []string{"*"}, true, "https://anyone.example", "", false},
		{"any port", []string{"http://localhost:*"}, false, "http://localhost:5173", "http://localhost:5173", true},
		{"any port, the default one", []string{"http://localhost:*"}, false, "http://localhost", "http://localhost", true},
		{"any port, another host", []string{"http://localhost:*"}, false, "http://localhost.evil.com:80", "", false},
		{"any port, a host with the prefix", []string{"http://localhost:*"}, false, "http://localhostx:80", "", false},
		{"any port, not a port", []string{"http://localhost:*"}, false, "http://localhost:80@evil.com", "", false},
		{"any port, out of range", []string{"http://localhost:*"}, false, "http://localhost:70000", "", false},
		{"any port, another scheme", []string{"http://localhost:*"}, false, "https://localhost:443", "", false},
		{"the second of two", []string{"http://localhost:*", "http://127.0.0.1:*"}, false, "http://127.0.0.1:9", "http://127.0.0.1:9", true},
		{"the literal null origin", []string{"https://app.example.com"}, false, "null", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &CORS{AllowOrigins: tt.allow, AllowCredentials: tt.creds}
			got, ok := c.origin(tt.origin)
			if got != tt.want || ok != tt.allowed {
				t.Errorf("origin(%q) = %q, %v; want %q, %v", tt.origin, got, ok, tt.want, tt.allowed)
			}
		})
	}
}

// corsGateway serves GET and POST /v1/things behind an authorizer (Api, Auth), and the
// Function URL GET /v1/things/{id}/stream (Stream), with the given configurations.
func corsGateway(t *testing.T, api, url *CORS, functions map[string]Invoker) *Gateway {
	t.Helper()
	cfg := Config{
		Routes: []Route{
			{Method: "GET", Path: "/v1/things", Function: "Api", Authorizer: "Jwt"},
			{Method: "POST", Path: "/v1/things", Function: "Api", Authorizer: "Jwt"},
			{Method: "GET", Path: "/v1/things/{id}/stream", Function: "Stream", URL: true},
		},
		Authorizers: map[string]Authorizer{"Jwt": {Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"authorization"}, SimpleResponses: true}},
		CORS:        api,
	}
	if url != nil {
		cfg.URLCORS = map[string]*CORS{"Stream": url}
	}
	return newGateway(t, cfg, functions)
}

// TestCORSPreflight checks the gateway's answers to preflights: allowed origin, method
// and headers get the Access-Control-* headers, anything else none, and neither the
// authorizer nor a function is asked.
func TestCORSPreflight(t *testing.T) {
	api := &CORS{AllowOrigins: []string{"http://localhost:*"}, AllowHeaders: []string{"Authorization", "Content-Type"}, AllowMethods: []string{"GET", "POST"}, MaxAge: 600}
	url := &CORS{AllowOrigins: []string{"http://localhost:*"}, AllowHeaders: []string{"Authorization", "Last-Event-ID"}, AllowMethods: []string{"GET"}}
	auth := newFake[map[string]any](allow(nil))
	fn := newFake[map[string]any](answer[map[string]any](`{"ok":true}`))
	g := corsGateway(t, api, url, map[string]Invoker{"Api": fn, "Auth": auth, "Stream": fn})
	tests := []struct {
		name, path, origin, method, headers string
		allowed                             bool
		wantHeaders                         string
		wantMaxAge                          string
	}{
		{"a POST with a token", "/v1/things", "http://localhost:5173", "POST", "authorization,content-type", true, "Authorization,Content-Type", "600"},
		{"a GET without headers", "/v1/things", "http://localhost:8080", "GET", "", true, "", "600"},
		{"any path of the API", "/v1/unknown", "http://localhost:8080", "GET", "authorization", true, "Authorization,Content-Type", "600"},
		{"another origin", "/v1/things", "https://evil.example", "POST", "authorization", false, "", ""},
		{"a method not allowed", "/v1/things", "http://localhost:5173", "DELETE", "", false, "", ""},
		{"a header not allowed", "/v1/things", "http://localhost:5173", "POST", "authorization,x-evil", false, "", ""},
		{"the stream, Last-Event-ID", "/v1/things/t1/stream", "http://localhost:5173", "GET", "last-event-id", true, "Authorization,Last-Event-ID", ""},
		{"the stream, a POST", "/v1/things/t1/stream", "http://localhost:5173", "POST", "", false, "", ""},
		{"the API, Last-Event-ID", "/v1/things", "http://localhost:5173", "GET", "last-event-id", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodOptions, tt.path, nil)
			r.Header.Set("Origin", tt.origin)
			r.Header.Set("Access-Control-Request-Method", tt.method)
			if tt.headers != "" {
				r.Header.Set("Access-Control-Request-Headers", tt.headers)
			}
			w := serve(g, r)
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d, want 204", w.Code)
			}
			h := w.Header()
			if !slices.Contains(h.Values("Vary"), "Origin") {
				t.Errorf("Vary %q lacks Origin", h.Values("Vary"))
			}
			if !tt.allowed {
				for name := range maps.Keys(h) {
					if strings.HasPrefix(name, "Access-Control-") {
						t.Errorf("a refused preflight answers %s: %s", name, h.Get(name))
					}
				}
				return
			}
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.origin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.origin)
			}
			if got := h.Get("Access-Control-Allow-Methods"); !strings.Contains(got, tt.method) {
				t.Errorf("Access-Control-Allow-Methods %q lacks %s", got, tt.method)
			}
			if got := h.Get("Access-Control-Allow-Headers"); got != tt.wantHeaders {
				t.Errorf("Access-Control-Allow-Headers %q, want %q", got, tt.wantHeaders)
			}
			if got := h.Get("Access-Control-Max-Age"); got != tt.wantMaxAge {
				t.Errorf("Access-Control-Max-Age %q, want %q", got, tt.wantMaxAge)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
		})
	}
	if n := len(auth.calls()) + len(fn.calls()); n != 0 {
		t.Errorf("preflights invoked functions %d times, want none", n)
	}
}

// TestCORSAnswers checks the headers on answers: an allowed origin is echoed (over
// whatever the function said) with Vary: Origin on the function's answers, the gateway's
// own refusals and streams alike; another origin gets none; and without a configuration
// nothing changes, a preflight included.
func TestCORSAnswers(t *testing.T) {
	api := &CORS{AllowOrigins: []string{"https://app.example.com"}, AllowHeaders: []string{"Authorization"}, AllowMethods: []string{"GET", "POST"}, ExposeHeaders: []string{"Retry-After"}}
	fnAnswer := `{"statusCode":200,"headers":{"Content-Type":"application/json","Access-Control-Allow-Origin":"*"},"body":"{}"}`
	functions := func() map[string]Invoker {
		return map[string]Invoker{"Api": newFake[map[string]any](answer[map[string]any](fnAnswer)), "Auth": newFake[map[string]any](allow(nil)),
			"Stream": newFake[map[string]any](answer[map[string]any](fnAnswer))}
	}
	g := corsGateway(t, api, nil, functions())
	tests := []struct {
		name, method, path, origin, token string
		status                            int
		allowOrigin                       string
	}{
		{"the function's answer", "GET", "/v1/things", "https://app.example.com", "Bearer t", 200, "https://app.example.com"},
		{"another origin", "GET", "/v1/things", "https://evil.example", "Bearer t", 200, ""},
		{"no origin", "GET", "/v1/things", "", "Bearer t", 200, ""},
		{"the gateway's 401", "POST", "/v1/things", "https://app.example.com", "", 401, "https://app.example.com"},
		{"the gateway's 404", "GET", "/v1/nothing", "https://app.example.com", "Bearer t", 404, "https://app.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.token != "" {
				r.Header.Set("Authorization", tt.token)
			}
			w := serve(g, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			h := w.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allowOrigin)
			}
			if !slices.Contains(h.Values("Vary"), "Origin") {
				t.Errorf("Vary %q lacks Origin", h.Values("Vary"))
			}
			wantExpose := ""
			if tt.allowOrigin != "" {
				wantExpose = "Retry-After"
			}
			if got := h.Get("Access-Control-Expose-Headers"); got != wantExpose {
				t.Errorf("Access-Control-Expose-Headers %q, want %q", got, wantExpose)
			}
		})
	}

	// A Function URL has a configuration of its own: the API's does not apply to it, and
	// the function's headers stand.
	r := httptest.NewRequest(http.MethodGet, "/v1/things/t1/stream", nil)
	r.Header.Set("Origin", "https://app.example.com")
	if w := serve(g, r); w.Header().Get("Access-Control-Allow-Origin") != "*" || slices.Contains(w.Header().Values("Vary"), "Origin") {
		t.Errorf("a Function URL without a configuration: headers %v, want the function's own", w.Header())
	}

	// Without a configuration an OPTIONS request is routed as any other: 405.
	none := corsGateway(t, nil, nil, functions())
	r = httptest.NewRequest(http.MethodOptions, "/v1/things", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "GET")
	w := serve(none, r)
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a preflight without CORS: %d %v, want 405 without Access-Control-Allow-Origin", w.Code, w.Header())
	}
}

// TestCORSStream checks that a streamed Function URL answer carries the configuration's
// headers and still arrives as it is written.
func TestCORSStream(t *testing.T) {
	fn, pw, _ := streamingFunction()
	url := &CORS{AllowOrigins: []string{"http://localhost:*"}, AllowMethods: []string{"GET"}}
	srv := httptest.NewServer(corsGateway(t, nil, url, map[string]Invoker{"Api": fn, "Auth": fn, "Stream": fn}))
	t.Cleanup(srv.Close)
	done := make(chan error, 1)
	go write(pw, done, `{"statusCode":200,"headers":{"Content-Type":"text/event-stream"}}`+"\x00\x00\x00\x00\x00\x00\x00\x00", "event: message\ndata: {}\n\n")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/things/t1/stream", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:5173" {
		t.Errorf("Access-Control-Allow-Origin %q on the stream", got)
	}
	buf := make([]byte, 64)
	n, err := io.ReadAtLeast(resp.Body, buf, len("event: message\ndata: {}\n\n"))
	if err != nil || string(buf[:n]) != "event: message\ndata: {}\n\n" {
		t.Errorf("the stream's first frame %q, %v", buf[:n], err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	pw.Close()
}
