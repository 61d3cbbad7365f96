package gateway

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// Route is one HTTP API route or Function URL, bound to the function that serves it.
type Route struct {
	Method     string // GET, POST, … or ANY
	Path       string // /v1/consumers/{id}, with {name} and a final {name+} allowed
	Function   string // logical id
	Authorizer string // the authorizer's name, "" for none
	URL        bool   // a Function URL: Function URL request format, no authorizer

	segments []string
}

// RouteKey is the route as API Gateway names it: "GET /v1/consumers/{id}".
func (r Route) RouteKey() string { return r.Method + " " + r.Path }

// Authorizer is a Lambda authorizer of the HTTP API.
type Authorizer struct {
	Name             string
	Function         string   // logical id
	IdentityHeaders  []string // lower-case
	ReauthorizeEvery int      // seconds to cache a decision; 0 = do not cache
	SimpleResponses  bool
}

// Config is what the template declares for the gateway.
type Config struct {
	Routes      []Route
	Authorizers map[string]Authorizer
	// CORS is the HTTP API's CORS configuration, nil for none; URLCORS holds each
	// Function URL's, by function. FromStack reads them; FromTemplate, without the
	// parameters they depend on, leaves them nil.
	CORS    *CORS
	URLCORS map[string]*CORS
}

// FromTemplate reads the routes of every function's HttpApi events, the HTTP API's
// authorizers and default authorizer, and the paths of Function URLs that a LocalUrl in
// their Metadata names (one {Method, Path} or a list of them).
func FromTemplate(t *template.Template) (Config, error) {
	cfg := Config{Authorizers: map[string]Authorizer{}}
	defaultAuth := ""
	for _, id := range t.LogicalIDs() {
		r := t.Resources[id]
		if r.Type != "AWS::Serverless::HttpApi" {
			continue
		}
		auth, _ := r.Properties["Auth"].(map[string]any)
		if d, ok := auth["DefaultAuthorizer"].(string); ok {
			defaultAuth = d
		}
		authorizers, _ := auth["Authorizers"].(map[string]any)
		for name, v := range authorizers {
			a, err := authorizerFrom(name, v)
			if err != nil {
				return Config{}, fmt.Errorf("gateway: %s authorizer %s: %w", id, name, err)
			}
			cfg.Authorizers[name] = a
		}
	}
	if defaultAuth != "" {
		if _, ok := cfg.Authorizers[defaultAuth]; !ok {
			return Config{}, fmt.Errorf("gateway: default authorizer %q is not declared", defaultAuth)
		}
	}
	for _, fn := range t.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "HttpApi" {
				continue
			}
			method, _ := ev.Properties["Method"].(string)
			path, _ := ev.Properties["Path"].(string)
			if method == "" || path == "" {
				return Config{}, fmt.Errorf("gateway: %s event %s needs Method and Path", fn.LogicalID, name)
			}
			authName := defaultAuth
			if auth, ok := ev.Properties["Auth"].(map[string]any); ok {
				if a, ok := auth["Authorizer"].(string); ok {
					authName = a
				}
			}
			if authName == "NONE" {
				authName = ""
			}
			if _, ok := cfg.Authorizers[authName]; authName != "" && !ok {
				return Config{}, fmt.Errorf("gateway: %s event %s names unknown authorizer %q", fn.LogicalID, name, authName)
			}
			cfg.Routes = append(cfg.Routes, newRoute(strings.ToUpper(method), path, fn.LogicalID, authName, false))
		}
		if _, ok := fn.Metadata["LocalUrl"]; ok {
			if _, hasURL := fn.Properties["FunctionUrlConfig"]; !hasURL {
				return Config{}, fmt.Errorf("gateway: %s has LocalUrl metadata but no FunctionUrlConfig", fn.LogicalID)
			}
			urls, err := fn.LocalURLs()
			if err != nil {
				return Config{}, fmt.Errorf("gateway: %s %w", fn.LogicalID, err)
			}
			for _, u := range urls {
				cfg.Routes = append(cfg.Routes, newRoute(u.Method, u.Path, fn.LogicalID, "", true))
			}
		}
	}
	sortRoutes(cfg.Routes)
	return cfg, nil
}

func authorizerFrom(name string, v any) (Authorizer, error) {
	m, _ := v.(map[string]any)
	a := Authorizer{Name: name}
	switch arn := m["FunctionArn"].(type) {
	case map[string]any:
		att, ok := arn["Fn::GetAtt"].([]any)
		if !ok || len(att) != 2 {
			return a, fmt.Errorf("FunctionArn must be !GetAtt <Function>.Arn")
		}
		a.Function, _ = att[0].(string)
		if attr, _ := att[1].(string); a.Function == "" || attr != "Arn" {
			return a, fmt.Errorf("FunctionArn must be !GetAtt <Function>.Arn")
		}
	default:
		return a, fmt.Errorf("FunctionArn must be !GetAtt <Function>.Arn")
	}
	if id, ok := m["Identity"].(map[string]any); ok {
		if hs, ok := id["Headers"].([]any); ok {
			for _, h := range hs {
				if s, ok := h.(string); ok {
					a.IdentityHeaders = append(a.IdentityHeaders, strings.ToLower(s))
				}
			}
		}
		switch n := id["ReauthorizeEvery"].(type) {
		case int:
			a.ReauthorizeEvery = n
		case int64:
			a.ReauthorizeEvery = int(n)
		case float64:
			a.ReauthorizeEvery = int(n)
		}
	}
	a.SimpleResponses, _ = m["EnableSimpleResponses"].(bool)
	if !a.SimpleResponses {
		return a, fmt.Errorf("only simple responses (EnableSimpleResponses: true) are supported")
	}
	return a, nil
}

func newRoute(method, path, fn, auth string, url bool) Route {
	return Route{Method: method, Path: path, Function: fn, Authorizer: auth, URL: url, segments: split(path)}
}

// split cuts a path into its segments, ignoring a leading and a trailing slash.
func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

// sortRoutes orders routes as API Gateway chooses among those that match a request:
// routes without a greedy variable first (a full match wins over a {proxy+} one), then
// those with more literal segments, then the one whose first differing segment is literal
// rather than a parameter, then an explicit method over ANY. The order is otherwise kept.
func sortRoutes(routes []Route) {
	sort.SliceStable(routes, func(i, j int) bool { return before(routes[i], routes[j]) })
}

func before(a, b Route) bool {
	if ga, gb := a.greedy(), b.greedy(); ga != gb {
		return gb
	}
	if la, lb := a.literals(), b.literals(); la != lb {
		return la > lb
	}
	for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
		if pa, pb := isParam(a.segments[i]), isParam(b.segments[i]); pa != pb {
			return pb
		}
	}
	return a.Method != "ANY" && b.Method == "ANY"
}

func (r Route) greedy() bool {
	return len(r.segments) > 0 && isGreedy(r.segments[len(r.segments)-1])
}

func (r Route) literals() int {
	n := 0
	for _, s := range r.segments {
		if !isParam(s) {
			n++
		}
	}
	return n
}

func isParam(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}")
}

func isGreedy(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "+}")
}

// match reports whether a request path fits the route's path template, and its parameters.
// segments are the path's escaped segments: a parameter's value is decoded, as API Gateway
// decodes it, so an encoded slash (%2F) stays within one segment.
func (r Route) match(segments []string) (map[string]string, bool) {
	var params map[string]string
	for i, tmpl := range r.segments {
		if i >= len(segments) {
			return nil, false
		}
		if isGreedy(tmpl) {
			v, err := url.PathUnescape(strings.Join(segments[i:], "/"))
			if err != nil || v == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.TrimSuffix(tmpl[1:], "+}")] = v
			return params, true
		}
		seg, err := url.PathUnescape(segments[i])
		if err != nil {
			return nil, false
		}
		if isParam(tmpl) {
			if seg == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[tmpl[1:len(tmpl)-1]] = seg
			continue
		}
		if tmpl != seg {
			return nil, false
		}
	}
	return params, len(segments) == len(r.segments)
}
