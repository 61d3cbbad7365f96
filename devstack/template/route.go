package template

import (
	"fmt"
	"sort"
	"strings"
)

// Route is one HTTP route the template serves: an HttpApi event of a function, or a
// function's Metadata.LocalUrl (a Function URL that herald-local serves on its gateway).
type Route struct {
	Method, Path string
	Function     string // the logical id of the function that answers it
	// Public is true for HttpApi routes whose Auth.Authorizer is NONE.
	Public bool
	// FunctionURL is true for a Function URL route (Metadata.LocalUrl).
	FunctionURL bool
}

// String is "METHOD /path", the form API Gateway's route keys take.
func (r Route) String() string { return r.Method + " " + r.Path }

// Routes returns every HTTP route of the template, sorted by path then method. A route
// without a Method or Path is an error naming the function and event.
func (t *Template) Routes() ([]Route, error) {
	var routes []Route
	for _, fn := range t.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "HttpApi" {
				continue
			}
			r, err := routeOf(ev.Properties)
			if err != nil {
				return nil, fmt.Errorf("%s: event %s: %w", fn.LogicalID, name, err)
			}
			r.Function = fn.LogicalID
			if a, ok := ev.Properties["Auth"].(map[string]any); ok && a["Authorizer"] == "NONE" {
				r.Public = true
			}
			routes = append(routes, r)
		}
		urls, err := fn.LocalURLs()
		if err != nil {
			return nil, fmt.Errorf("%s: Metadata.%w", fn.LogicalID, err)
		}
		routes = append(routes, urls...)
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes, nil
}

// LocalURLs returns the routes of fn's Metadata.LocalUrl, the paths of its Function URL
// that herald-local serves on its gateway (in AWS a Function URL takes every path, and
// the function answers those it knows). LocalUrl is one {Method, Path} mapping or a list
// of them; fn without one has none. The error, naming what is wrong, starts with
// "LocalUrl".
func (fn Function) LocalURLs() ([]Route, error) {
	lu, ok := fn.Metadata["LocalUrl"]
	if !ok {
		return nil, nil
	}
	var entries []any
	switch v := lu.(type) {
	case map[string]any:
		entries = []any{v}
	case []any:
		entries = v
	default:
		return nil, fmt.Errorf("LocalUrl must be a {Method, Path} mapping or a list of them")
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("LocalUrl names no route")
	}
	routes := make([]Route, 0, len(entries))
	for i, e := range entries {
		m, _ := e.(map[string]any)
		r, err := routeOf(m)
		if err != nil {
			at := "LocalUrl"
			if _, list := lu.([]any); list {
				at = fmt.Sprintf("LocalUrl[%d]", i)
			}
			return nil, fmt.Errorf("%s needs Method and Path", at)
		}
		r.Function, r.FunctionURL = fn.LogicalID, true
		routes = append(routes, r)
	}
	return routes, nil
}

func routeOf(m map[string]any) (Route, error) {
	method, _ := m["Method"].(string)
	path, _ := m["Path"].(string)
	if method == "" || path == "" {
		return Route{}, fmt.Errorf("no Method or Path")
	}
	return Route{Method: strings.ToUpper(method), Path: path}, nil
}

// QueueConsumers returns the logical ids of the functions an SQS queue invokes, sorted.
func (t *Template) QueueConsumers() []string {
	var ids []string
	for _, fn := range t.Functions() {
		for _, name := range fn.EventNames() {
			if fn.Events[name].Type == "SQS" {
				ids = append(ids, fn.LogicalID)
				break
			}
		}
	}
	return ids
}
