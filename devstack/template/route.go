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
		if lu, ok := fn.Metadata["LocalUrl"]; ok {
			m, _ := lu.(map[string]any)
			r, err := routeOf(m)
			if err != nil {
				return nil, fmt.Errorf("%s: Metadata.LocalUrl: %w", fn.LogicalID, err)
			}
			r.Function, r.FunctionURL = fn.LogicalID, true
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
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
