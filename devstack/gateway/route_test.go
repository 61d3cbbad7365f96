package gateway

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/devstack/lambdalocal"
)

// routeSummary is a Route's exported fields, which the tests compare.
type routeSummary struct {
	Method, Path, Function, Authorizer string
	URL                                bool
}

func summarize(routes []Route) map[string]routeSummary {
	out := map[string]routeSummary{}
	for _, r := range routes {
		out[r.RouteKey()] = routeSummary{r.Method, r.Path, r.Function, r.Authorizer, r.URL}
	}
	return out
}

// TestFromTemplateRepository reads the repository's template.yaml: the public health
// route, the routes behind the default Lambda authorizer, and that authorizer as the
// template declares it.
func TestFromTemplateRepository(t *testing.T) {
	tmpl := repoTemplate(t)
	cfg, err := FromTemplate(tmpl)
	if err != nil {
		t.Fatalf("FromTemplate: %v", err)
	}

	wantRoutes := map[string]routeSummary{
		"GET /v1/health":         {"GET", "/v1/health", "EventsApi", "", false},
		"POST /v1/events":        {"POST", "/v1/events", "EventsApi", "LambdaAuthorizer", false},
		"GET /v1/catalog":        {"GET", "/v1/catalog", "EventsApi", "LambdaAuthorizer", false},
		"GET /v1/catalog/{type}": {"GET", "/v1/catalog/{type}", "EventsApi", "LambdaAuthorizer", false},

		"POST /v1/consumers":           {"POST", "/v1/consumers", "ConsumersApi", "LambdaAuthorizer", false},
		"GET /v1/consumers":            {"GET", "/v1/consumers", "ConsumersApi", "LambdaAuthorizer", false},
		"GET /v1/consumers/{id}":       {"GET", "/v1/consumers/{id}", "ConsumersApi", "LambdaAuthorizer", false},
		"PUT /v1/consumers/{id}":       {"PUT", "/v1/consumers/{id}", "ConsumersApi", "LambdaAuthorizer", false},
		"DELETE /v1/consumers/{id}":    {"DELETE", "/v1/consumers/{id}", "ConsumersApi", "LambdaAuthorizer", false},
		"GET /v1/consumers/{id}/batch": {"GET", "/v1/consumers/{id}/batch", "ConsumersApi", "LambdaAuthorizer", false},

		"POST /v1/consumers/{id}/pause":         {"POST", "/v1/consumers/{id}/pause", "ConsumersApi", "LambdaAuthorizer", false},
		"POST /v1/consumers/{id}/resume":        {"POST", "/v1/consumers/{id}/resume", "ConsumersApi", "LambdaAuthorizer", false},
		"POST /v1/consumers/{id}/stream-ticket": {"POST", "/v1/consumers/{id}/stream-ticket", "ConsumersApi", "LambdaAuthorizer", false},
		// The signed replies are the credential: no authorizer.
		"POST /v1/acknowledge": {"POST", "/v1/acknowledge", "ConsumersApi", "", false},
		// A Function URL, served at its LocalUrl; the function verifies the token itself.
		"GET /v1/consumers/{id}/stream": {"GET", "/v1/consumers/{id}/stream", "Stream", "", true},

		"GET /v1/me/notifications":                {"GET", "/v1/me/notifications", "NotificationsApi", "LambdaAuthorizer", false},
		"GET /v1/me/notifications/count":          {"GET", "/v1/me/notifications/count", "NotificationsApi", "LambdaAuthorizer", false},
		"POST /v1/me/notifications/acknowledge":   {"POST", "/v1/me/notifications/acknowledge", "NotificationsApi", "LambdaAuthorizer", false},
		"POST /v1/me/notifications/stream-ticket": {"POST", "/v1/me/notifications/stream-ticket", "NotificationsApi", "LambdaAuthorizer", false},
		"POST /v1/notifications":                  {"POST", "/v1/notifications", "NotificationsApi", "LambdaAuthorizer", false},
		// The same Function URL as the consumer's stream: LocalUrl lists both.
		"GET /v1/me/notifications/stream": {"GET", "/v1/me/notifications/stream", "Stream", "", true},

		"POST /v1/triggers":                                     {"POST", "/v1/triggers", "TriggersApi", "LambdaAuthorizer", false},
		"GET /v1/triggers":                                      {"GET", "/v1/triggers", "TriggersApi", "LambdaAuthorizer", false},
		"GET /v1/triggers/{id}":                                 {"GET", "/v1/triggers/{id}", "TriggersApi", "LambdaAuthorizer", false},
		"PUT /v1/triggers/{id}":                                 {"PUT", "/v1/triggers/{id}", "TriggersApi", "LambdaAuthorizer", false},
		"DELETE /v1/triggers/{id}":                              {"DELETE", "/v1/triggers/{id}", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/triggers/{id}/test":                           {"POST", "/v1/triggers/{id}/test", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/triggers/{id}/enable":                         {"POST", "/v1/triggers/{id}/enable", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/triggers/{id}/fire":                           {"POST", "/v1/triggers/{id}/fire", "TriggersApi", "LambdaAuthorizer", false},
		"GET /v1/triggers/{id}/deliveries":                      {"GET", "/v1/triggers/{id}/deliveries", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/triggers/{id}/deliveries/{delivery_id}/retry": {"POST", "/v1/triggers/{id}/deliveries/{delivery_id}/retry", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/triggers/{id}/replay":                         {"POST", "/v1/triggers/{id}/replay", "TriggersApi", "LambdaAuthorizer", false},

		"GET /v1/admin/triggers":                {"GET", "/v1/admin/triggers", "TriggersApi", "LambdaAuthorizer", false},
		"POST /v1/admin/triggers/{id}/disable":  {"POST", "/v1/admin/triggers/{id}/disable", "TriggersApi", "LambdaAuthorizer", false},
		"DELETE /v1/admin/triggers/{id}":        {"DELETE", "/v1/admin/triggers/{id}", "TriggersApi", "LambdaAuthorizer", false},
		"GET /v1/admin/consumers":               {"GET", "/v1/admin/consumers", "ConsumersApi", "LambdaAuthorizer", false},
		"POST /v1/admin/consumers/{id}/disable": {"POST", "/v1/admin/consumers/{id}/disable", "ConsumersApi", "LambdaAuthorizer", false},
		"DELETE /v1/admin/consumers/{id}":       {"DELETE", "/v1/admin/consumers/{id}", "ConsumersApi", "LambdaAuthorizer", false},
	}
	if got := summarize(cfg.Routes); !reflect.DeepEqual(got, wantRoutes) {
		t.Errorf("routes:\n got %v\nwant %v", got, wantRoutes)
	}
	if len(cfg.Routes) != len(wantRoutes) {
		t.Errorf("%d routes, want %d", len(cfg.Routes), len(wantRoutes))
	}

	// The cache lifetime is whatever the template says, read here straight from it.
	identity := tmpl.Resources["HttpApi"].Properties["Auth"].(map[string]any)["Authorizers"].(map[string]any)["LambdaAuthorizer"].(map[string]any)["Identity"].(map[string]any)
	every, ok := identity["ReauthorizeEvery"].(int)
	if !ok {
		t.Fatalf("template ReauthorizeEvery is %T, want an int", identity["ReauthorizeEvery"])
	}
	want := map[string]Authorizer{"LambdaAuthorizer": {
		Name:             "LambdaAuthorizer",
		Function:         "Authorizer",
		IdentityHeaders:  []string{"authorization"},
		ReauthorizeEvery: every,
		SimpleResponses:  true,
	}}
	if !reflect.DeepEqual(cfg.Authorizers, want) {
		t.Errorf("authorizers:\n got %+v\nwant %+v", cfg.Authorizers, want)
	}
}

// TestRepositoryTemplateServes builds a gateway on the repository's template with fake
// functions: the health and acknowledge routes answer without a token, the catalog route
// asks for one.
func TestRepositoryTemplateServes(t *testing.T) {
	cfg, err := FromTemplate(repoTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	api := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"ok":true}`))
	consumers := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"ok":true}`))
	auth := newFake(allow(nil))
	stream := newFake(answer[map[string]any](`{"statusCode":200,"body":"ok"}`))
	notifications := newFake(answer[awsevents.APIGatewayV2HTTPRequest](`{"ok":true}`))
	g := newGateway(t, cfg, map[string]Invoker{"EventsApi": api, "ConsumersApi": consumers, "NotificationsApi": notifications, "TriggersApi": notifications, "Authorizer": auth, "Stream": stream})

	if w := serve(g, httptest.NewRequest(http.MethodGet, "/v1/health", nil)); w.Code != http.StatusOK {
		t.Errorf("GET /v1/health: status %d, want 200", w.Code)
	}
	wantMessage(t, serve(g, httptest.NewRequest(http.MethodGet, "/v1/catalog", nil)), http.StatusUnauthorized, "Unauthorized")
	if n := len(auth.calls()); n != 0 {
		t.Errorf("authorizer invoked %d times, want 0", n)
	}
	if got := api.only(t).RouteKey; got != "GET /v1/health" {
		t.Errorf("function got route %q", got)
	}
	if w := serve(g, httptest.NewRequest(http.MethodPost, "/v1/acknowledge", strings.NewReader(`{}`))); w.Code != http.StatusOK {
		t.Errorf("POST /v1/acknowledge: status %d, want 200", w.Code)
	}
	if got := consumers.only(t).RouteKey; got != "POST /v1/acknowledge" {
		t.Errorf("ConsumersApi got route %q", got)
	}
}

// baseTemplate is a small template: an HTTP API whose default authorizer is Jwt (cached
// 30 s) with a second authorizer Admin, a function Api with a public route, a route behind
// the default authorizer and one behind Admin, and a function Stream with a Function URL
// served at its LocalUrl.
func baseTemplate() map[string]any {
	fn := func(props, meta map[string]any) map[string]any {
		r := map[string]any{"Type": "AWS::Serverless::Function", "Properties": props}
		if meta != nil {
			r["Metadata"] = meta
		}
		return r
	}
	event := func(method, path string, auth string) map[string]any {
		props := map[string]any{"ApiId": map[string]any{"Ref": "HttpApi"}, "Method": method, "Path": path}
		if auth != "" {
			props["Auth"] = map[string]any{"Authorizer": auth}
		}
		return map[string]any{"Type": "HttpApi", "Properties": props}
	}
	return map[string]any{
		"Resources": map[string]any{
			"HttpApi": map[string]any{
				"Type": "AWS::Serverless::HttpApi",
				"Properties": map[string]any{"Auth": map[string]any{
					"DefaultAuthorizer": "Jwt",
					"Authorizers": map[string]any{
						"Jwt": map[string]any{
							"FunctionArn":           map[string]any{"Fn::GetAtt": []any{"Auth", "Arn"}},
							"EnableSimpleResponses": true,
							"Identity":              map[string]any{"Headers": []any{"Authorization"}, "ReauthorizeEvery": 30},
						},
						"Admin": map[string]any{
							"FunctionArn":           map[string]any{"Fn::GetAtt": []any{"AdminAuth", "Arn"}},
							"EnableSimpleResponses": true,
							"Identity":              map[string]any{"Headers": []any{"X-Admin-Key"}},
						},
					},
				}},
			},
			"Auth":      fn(map[string]any{}, nil),
			"AdminAuth": fn(map[string]any{}, nil),
			"Api": fn(map[string]any{"Events": map[string]any{
				"Health":  event("get", "/v1/health", "NONE"),
				"Publish": event("POST", "/v1/events", ""),
				"Drop":    event("DELETE", "/v1/events/{id}", "Admin"),
				"Queue":   map[string]any{"Type": "SQS", "Properties": map[string]any{"Queue": "q"}},
			}}, nil),
			"Stream": fn(
				map[string]any{"FunctionUrlConfig": map[string]any{"AuthType": "NONE", "InvokeMode": "RESPONSE_STREAM"}},
				map[string]any{"LocalUrl": map[string]any{"Method": "get", "Path": "/v1/stream"}},
			),
		},
	}
}

// dig returns the mapping at keys below m.
func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

// TestFromTemplateInline reads a small template: methods are upper-cased, Authorizer NONE
// opens a route, an event may name another authorizer, non-HttpApi events are ignored and
// a LocalUrl becomes a Function URL route without an authorizer.
func TestFromTemplateInline(t *testing.T) {
	cfg, err := FromTemplate(parseTemplate(t, baseTemplate()))
	if err != nil {
		t.Fatalf("FromTemplate: %v", err)
	}
	wantRoutes := map[string]routeSummary{
		"GET /v1/health":         {"GET", "/v1/health", "Api", "", false},
		"POST /v1/events":        {"POST", "/v1/events", "Api", "Jwt", false},
		"DELETE /v1/events/{id}": {"DELETE", "/v1/events/{id}", "Api", "Admin", false},
		"GET /v1/stream":         {"GET", "/v1/stream", "Stream", "", true},
	}
	if got := summarize(cfg.Routes); !reflect.DeepEqual(got, wantRoutes) || len(cfg.Routes) != len(wantRoutes) {
		t.Errorf("routes:\n got %v\nwant %v", got, wantRoutes)
	}
	wantAuth := map[string]Authorizer{
		"Jwt":   {Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"authorization"}, ReauthorizeEvery: 30, SimpleResponses: true},
		"Admin": {Name: "Admin", Function: "AdminAuth", IdentityHeaders: []string{"x-admin-key"}, SimpleResponses: true},
	}
	if !reflect.DeepEqual(cfg.Authorizers, wantAuth) {
		t.Errorf("authorizers:\n got %+v\nwant %+v", cfg.Authorizers, wantAuth)
	}
}

// TestFromTemplateLocalURLList: a LocalUrl that lists several paths serves each of them
// as a Function URL route of the same function, without an authorizer.
func TestFromTemplateLocalURLList(t *testing.T) {
	tmpl := baseTemplate()
	dig(tmpl, "Resources", "Stream", "Metadata")["LocalUrl"] = []any{
		map[string]any{"Method": "GET", "Path": "/v1/things/{id}/stream"},
		map[string]any{"Method": "get", "Path": "/v1/me/stream"},
	}
	cfg, err := FromTemplate(parseTemplate(t, tmpl))
	if err != nil {
		t.Fatalf("FromTemplate: %v", err)
	}
	got := summarize(cfg.Routes)
	for key, want := range map[string]routeSummary{
		"GET /v1/things/{id}/stream": {"GET", "/v1/things/{id}/stream", "Stream", "", true},
		"GET /v1/me/stream":          {"GET", "/v1/me/stream", "Stream", "", true},
	} {
		if got[key] != want {
			t.Errorf("route %s = %+v, want %+v", key, got[key], want)
		}
	}
	if _, ok := got["GET /v1/stream"]; ok || len(cfg.Routes) != 5 {
		t.Errorf("routes %v, want the three of Api and the two listed", got)
	}
}

// TestFromTemplateErrors proves that FromTemplate refuses what the local gateway cannot
// serve as AWS would.
func TestFromTemplateErrors(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(resources map[string]any)
		wantErr string
	}{
		{
			name:    "unknown default authorizer",
			modify:  func(r map[string]any) { dig(r, "HttpApi", "Properties", "Auth")["DefaultAuthorizer"] = "Missing" },
			wantErr: `default authorizer "Missing" is not declared`,
		},
		{
			name: "route names an unknown authorizer",
			modify: func(r map[string]any) {
				dig(r, "Api", "Properties", "Events", "Publish", "Properties")["Auth"] = map[string]any{"Authorizer": "Missing"}
			},
			wantErr: `event Publish names unknown authorizer "Missing"`,
		},
		{
			name: "FunctionArn is a plain ARN",
			modify: func(r map[string]any) {
				dig(r, "HttpApi", "Properties", "Auth", "Authorizers", "Jwt")["FunctionArn"] = "arn:aws:lambda:eu-west-1:000000000000:function:auth"
			},
			wantErr: "FunctionArn must be !GetAtt <Function>.Arn",
		},
		{
			name: "FunctionArn is a Ref",
			modify: func(r map[string]any) {
				dig(r, "HttpApi", "Properties", "Auth", "Authorizers", "Jwt")["FunctionArn"] = map[string]any{"Ref": "Auth"}
			},
			wantErr: "FunctionArn must be !GetAtt <Function>.Arn",
		},
		{
			name: "FunctionArn gets another attribute",
			modify: func(r map[string]any) {
				dig(r, "HttpApi", "Properties", "Auth", "Authorizers", "Jwt")["FunctionArn"] = map[string]any{"Fn::GetAtt": []any{"Auth", "Version"}}
			},
			wantErr: "FunctionArn must be !GetAtt <Function>.Arn",
		},
		{
			name: "EnableSimpleResponses false",
			modify: func(r map[string]any) {
				dig(r, "HttpApi", "Properties", "Auth", "Authorizers", "Jwt")["EnableSimpleResponses"] = false
			},
			wantErr: "only simple responses",
		},
		{
			name: "EnableSimpleResponses missing",
			modify: func(r map[string]any) {
				delete(dig(r, "HttpApi", "Properties", "Auth", "Authorizers", "Admin"), "EnableSimpleResponses")
			},
			wantErr: "authorizer Admin: only simple responses",
		},
		{
			name:    "LocalUrl without FunctionUrlConfig",
			modify:  func(r map[string]any) { delete(dig(r, "Stream", "Properties"), "FunctionUrlConfig") },
			wantErr: "Stream has LocalUrl metadata but no FunctionUrlConfig",
		},
		{
			name:    "LocalUrl without a path",
			modify:  func(r map[string]any) { delete(dig(r, "Stream", "Metadata", "LocalUrl"), "Path") },
			wantErr: "Stream LocalUrl needs Method and Path",
		},
		{
			name: "LocalUrl list entry without a method",
			modify: func(r map[string]any) {
				dig(r, "Stream", "Metadata")["LocalUrl"] = []any{
					map[string]any{"Method": "GET", "Path": "/v1/stream"},
					map[string]any{"Path": "/v1/other"},
				}
			},
			wantErr: "Stream LocalUrl[1] needs Method and Path",
		},
		{
			name:    "LocalUrl an empty list",
			modify:  func(r map[string]any) { dig(r, "Stream", "Metadata")["LocalUrl"] = []any{} },
			wantErr: "Stream LocalUrl names no route",
		},
		{
			name:    "LocalUrl a string",
			modify:  func(r map[string]any) { dig(r, "Stream", "Metadata")["LocalUrl"] = "/v1/stream" },
			wantErr: "Stream LocalUrl must be a {Method, Path} mapping or a list of them",
		},
		{
			name:    "HttpApi event without a path",
			modify:  func(r map[string]any) { delete(dig(r, "Api", "Properties", "Events", "Publish", "Properties"), "Path") },
			wantErr: "Api event Publish needs Method and Path",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := baseTemplate()
			tt.modify(dig(tmpl, "Resources"))
			_, err := FromTemplate(parseTemplate(t, tmpl))
			if err == nil {
				t.Fatalf("FromTemplate succeeded, want an error with %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want one with %q", err, tt.wantErr)
			}
		})
	}
}

// TestNewErrors proves that New refuses a configuration it could not serve.
func TestNewErrors(t *testing.T) {
	fn := newFake(answer[map[string]any](`{}`))
	auth := Authorizer{Name: "Jwt", Function: "Auth", IdentityHeaders: []string{"authorization"}, SimpleResponses: true}
	tests := []struct {
		name      string
		cfg       Config
		functions map[string]Invoker
		wantErr   string
	}{
		{
			name:      "route function missing",
			cfg:       Config{Routes: []Route{{Method: "GET", Path: "/a", Function: "Gone"}}},
			functions: map[string]Invoker{"Api": fn},
			wantErr:   "no function Gone for route GET /a",
		},
		{
			name:      "authorizer function missing",
			cfg:       Config{Authorizers: map[string]Authorizer{"Jwt": auth}},
			functions: map[string]Invoker{"Api": fn},
			wantErr:   "no function Auth for authorizer Jwt",
		},
		{
			name:      "route names an undeclared authorizer",
			cfg:       Config{Routes: []Route{{Method: "GET", Path: "/a", Function: "Api", Authorizer: "Jwt"}}},
			functions: map[string]Invoker{"Api": fn},
			wantErr:   `route GET /a names unknown authorizer "Jwt"`,
		},
		{
			name: "route declared twice",
			cfg: Config{Routes: []Route{
				{Method: "GET", Path: "/a/{id}", Function: "Api"},
				{Method: "get", Path: "/a/{id}/", Function: "Api"},
			}},
			functions: map[string]Invoker{"Api": fn},
			wantErr:   "is declared twice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, tt.functions, testRegion, quietLog())
			if err == nil {
				t.Fatalf("New succeeded, want an error with %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want one with %q", err, tt.wantErr)
			}
		})
	}
}

// routed is what the echo function of TestRouting answers: the route and parameters it
// was invoked for.
type routed struct {
	RouteKey       string            `json:"routeKey"`
	PathParameters map[string]string `json:"pathParameters"`
}

// TestRouting serves a hand-built configuration, its routes declared least specific first
// and one method in lower case, and checks which route every request reaches: a literal
// segment beats a parameter, any full match beats a greedy {proxy+}, an explicit method beats
// ANY, a trailing slash is ignored, an empty segment fills no parameter, an unknown path
// is 404 and a known path with another method is 405 with a sorted Allow header.
func TestRouting(t *testing.T) {
	echo := newFake(func(req awsevents.APIGatewayV2HTTPRequest) (*lambdalocal.Response, error) {
		data, err := json.Marshal(routed{req.RouteKey, req.PathParameters})
		return buffered(string(data)), err
	})
	cfg := Config{Routes: []Route{
		{Method: "ANY", Path: "/v1/files/{proxy+}", Function: "Echo"},
		{Method: "GET", Path: "/v1/docs/{proxy+}", Function: "Echo"},
		{Method: "GET", Path: "/v1/{kind}/{id}", Function: "Echo"},
		{Method: "GET", Path: "/v1/files/{name}", Function: "Echo"},
		{Method: "GET", Path: "/v1/{kind}/latest", Function: "Echo"},
		{Method: "GET", Path: "/v1/consumers/{id}", Function: "Echo"},
		{Method: "DELETE", Path: "/v1/consumers/{id}", Function: "Echo"},
		{Method: "get", Path: "/v1/consumers/me", Function: "Echo"},
		{Method: "GET", Path: "/v1/consumers/{id}/events", Function: "Echo"},
		{Method: "ANY", Path: "/v1/items", Function: "Echo"},
		{Method: "POST", Path: "/v1/items", Function: "Echo"},
		{Method: "GET", Path: "/v1/health", Function: "Echo"},
	}}
	g := newGateway(t, cfg, map[string]Invoker{"Echo": echo})

	tests := []struct {
		name         string
		method, path string
		wantRoute    string
		wantParams   map[string]string
		wantStatus   int    // for requests no route takes
		wantAllow    string // for 405
	}{
		{name: "literal beats parameter", method: "GET", path: "/v1/consumers/me", wantRoute: "GET /v1/consumers/me"},
		{name: "parameter", method: "GET", path: "/v1/consumers/c-1", wantRoute: "GET /v1/consumers/{id}", wantParams: map[string]string{"id": "c-1"}},
		{name: "parameter is decoded", method: "GET", path: "/v1/consumers/a%2Fb%20c", wantRoute: "GET /v1/consumers/{id}", wantParams: map[string]string{"id": "a/b c"}},
		{name: "same method, other route", method: "DELETE", path: "/v1/consumers/c-1", wantRoute: "DELETE /v1/consumers/{id}", wantParams: map[string]string{"id": "c-1"}},
		{name: "earlier literal beats earlier parameter", method: "GET", path: "/v1/consumers/latest", wantRoute: "GET /v1/consumers/{id}", wantParams: map[string]string{"id": "latest"}},
		{name: "parameter before literal", method: "GET", path: "/v1/widgets/latest", wantRoute: "GET /v1/{kind}/latest", wantParams: map[string]string{"kind": "widgets"}},
		{name: "parameter beats greedy", method: "GET", path: "/v1/files/report.pdf", wantRoute: "GET /v1/files/{name}", wantParams: map[string]string{"name": "report.pdf"}},
		{name: "full match beats greedy with more literals", method: "GET", path: "/v1/docs/intro", wantRoute: "GET /v1/{kind}/{id}", wantParams: map[string]string{"kind": "docs", "id": "intro"}},
		{name: "greedy where nothing else matches", method: "GET", path: "/v1/docs/guide/intro", wantRoute: "GET /v1/docs/{proxy+}", wantParams: map[string]string{"proxy": "guide/intro"}},
		{name: "greedy takes the rest", method: "GET", path: "/v1/files/a/b/c.txt", wantRoute: "ANY /v1/files/{proxy+}", wantParams: map[string]string{"proxy": "a/b/c.txt"}},
		{name: "greedy with ANY takes other methods", method: "PUT", path: "/v1/files/x", wantRoute: "ANY /v1/files/{proxy+}", wantParams: map[string]string{"proxy": "x"}},
		{name: "greedy needs a segment", method: "GET", path: "/v1/files/", wantStatus: http.StatusNotFound},
		{name: "explicit method beats ANY", method: "POST", path: "/v1/items", wantRoute: "POST /v1/items"},
		{name: "ANY takes other methods", method: "PATCH", path: "/v1/items", wantRoute: "ANY /v1/items"},
		{name: "trailing slash", method: "GET", path: "/v1/health/", wantRoute: "GET /v1/health"},
		{name: "nested parameter", method: "GET", path: "/v1/consumers/c-2/events", wantRoute: "GET /v1/consumers/{id}/events", wantParams: map[string]string{"id": "c-2"}},
		{name: "empty segment fills no parameter", method: "GET", path: "/v1/consumers//events", wantStatus: http.StatusNotFound},
		{name: "empty segment matches no literal", method: "GET", path: "/v1//health", wantStatus: http.StatusNotFound},
		{name: "unknown path", method: "GET", path: "/v2/health", wantStatus: http.StatusNotFound},
		{name: "root", method: "GET", path: "/", wantStatus: http.StatusNotFound},
		{name: "other method", method: "POST", path: "/v1/health", wantStatus: http.StatusMethodNotAllowed, wantAllow: "GET"},
		{name: "other method, several allowed", method: "POST", path: "/v1/consumers/c-1", wantStatus: http.StatusMethodNotAllowed, wantAllow: "DELETE, GET"},
		{name: "allowed methods listed once", method: "PUT", path: "/v1/consumers/me", wantStatus: http.StatusMethodNotAllowed, wantAllow: "DELETE, GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(echo.calls())
			w := serve(g, httptest.NewRequest(tt.method, tt.path, nil))
			if tt.wantRoute == "" {
				if len(echo.calls()) != before {
					t.Errorf("function invoked for a request no route takes")
				}
				if tt.wantStatus == http.StatusNotFound {
					wantProblem(t, w, http.StatusNotFound, "not found", tt.method, tt.path)
					if allow := w.Header().Values("Allow"); allow != nil {
						t.Errorf("404 with Allow %q", allow)
					}
					return
				}
				wantProblem(t, w, http.StatusMethodNotAllowed, "method not allowed", tt.method, tt.path)
				if got := w.Header().Values("Allow"); len(got) != 1 || got[0] != tt.wantAllow {
					t.Errorf("Allow %q, want %q", got, tt.wantAllow)
				}
				return
			}
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200 (body %s)", w.Code, w.Body)
			}
			var got routed
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.RouteKey != tt.wantRoute {
				t.Errorf("route %q, want %q", got.RouteKey, tt.wantRoute)
			}
			if !maps.Equal(got.PathParameters, tt.wantParams) {
				t.Errorf("path parameters %v, want %v", got.PathParameters, tt.wantParams)
			}
		})
	}
}
