package apigw

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
)

// HandlerFunc serves one route for h, the function's handler: it returns the answer, or
// the zero Response and an error. A method expression such as (*Handler).get is one.
type HandlerFunc[H any] func(h H, ctx context.Context, req *awsevents.APIGatewayV2HTTPRequest) (Response, error)

// Routes declares a function's routes: what serves each route key, "METHOD /path" with
// {name} for a path parameter, as API Gateway and template.yaml name the route.
type Routes[H any] map[string]HandlerFunc[H]

// Router dispatches a function's requests to its routes and answers through Respond.
type Router[H any] struct {
	routes Routes[H]
	paths  []*routePath[H] // most specific first, as API Gateway chooses among them
	byPath map[string]*routePath[H]
}

// routePath is one declared path and the methods it takes.
type routePath[H any] struct {
	path     string
	segments []string
	methods  map[string]HandlerFunc[H]
}

// NewRouter returns the Router of routes. It panics on a key that is not "METHOD
// /path": the table is fixed when the function is built, so that is a bug found by any
// test of the function.
func NewRouter[H any](routes Routes[H]) *Router[H] {
	r := &Router[H]{routes: maps.Clone(routes), byPath: map[string]*routePath[H]{}}
	for key, fn := range routes {
		method, path, ok := strings.Cut(key, " ")
		if !ok || method == "" || method != strings.ToUpper(method) || !strings.HasPrefix(path, "/") || fn == nil {
			panic(fmt.Sprintf("apigw: route %q is not \"METHOD /path\" with a handler", key))
		}
		if strings.Contains(path, "+}") {
			panic(fmt.Sprintf("apigw: route %q: greedy path parameters are not supported", key))
		}
		p := r.byPath[path]
		if p == nil {
			p = &routePath[H]{path: path, segments: split(path), methods: map[string]HandlerFunc[H]{}}
			r.byPath[path] = p
			r.paths = append(r.paths, p)
		}
		p.methods[method] = fn
	}
	slices.SortFunc(r.paths, func(a, b *routePath[H]) int {
		if c := cmp.Compare(b.literals(), a.literals()); c != 0 {
			return c
		}
		for i := 0; i < len(a.segments) && i < len(b.segments); i++ {
			if pa, pb := isParam(a.segments[i]), isParam(b.segments[i]); pa != pb {
				if pa {
					return 1
				}
				return -1
			}
		}
		return strings.Compare(a.path, b.path)
	})
	return r
}

// Handle answers one request with h: the route's answer, a NotFound problem for a path
// no route declares, and a MethodNotAllowed problem, with an Allow header, for a declared
// path with another method. Without a route key (a $default route) the method and raw
// path are matched against the routes, and the path's parameters added to those the
// request has; with one, the request reaches its route as the gateway made it.
func (r *Router[H]) Handle(ctx context.Context, h H, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, error) {
	fn, err := r.find(&req)
	var resp Response
	if err == nil {
		resp, err = fn(h, ctx, &req)
	}
	return Respond(ctx, resp, err), nil
}

// find returns the request's route, or the fault that answers it.
func (r *Router[H]) find(req *awsevents.APIGatewayV2HTTPRequest) (HandlerFunc[H], error) {
	if key := req.RouteKey; key != "" && key != "$default" {
		if fn := r.routes[key]; fn != nil {
			return fn, nil
		}
		method, path, _ := strings.Cut(key, " ")
		if p := r.byPath[path]; p != nil {
			return nil, notAllowed(method, cmp.Or(req.RawPath, path), p.allow())
		}
		return nil, fault.Newf(fault.NotFound, "no route %s", key)
	}
	method, segments := req.RequestContext.HTTP.Method, split(req.RawPath)
	var allow []string
	for _, p := range r.paths {
		params, ok := p.match(segments)
		if !ok {
			continue
		}
		fn := p.methods[method]
		if fn == nil {
			allow = append(allow, p.allow()...)
			continue
		}
		if len(params) > 0 {
			maps.Copy(params, req.PathParameters) // what the gateway passed stands
			req.PathParameters = params
		}
		return fn, nil
	}
	if len(allow) > 0 {
		slices.Sort(allow)
		return nil, notAllowed(method, req.RawPath, slices.Compact(allow))
	}
	return nil, fault.Newf(fault.NotFound, "no route %s", Route(req))
}

func notAllowed(method, path string, allow []string) error {
	return fault.NotAllowed(fmt.Sprintf("%s is not allowed on %s; use %s", method, path, strings.Join(allow, " or ")), allow...)
}

// allow returns the methods the path takes, sorted.
func (p *routePath[H]) allow() []string {
	return slices.Sorted(maps.Keys(p.methods))
}

func (p *routePath[H]) literals() int {
	n := 0
	for _, s := range p.segments {
		if !isParam(s) {
			n++
		}
	}
	return n
}

// match reports whether a request path's escaped segments fit the path template, and
// its parameters, decoded as API Gateway decodes them.
func (p *routePath[H]) match(segments []string) (map[string]string, bool) {
	if len(segments) != len(p.segments) {
		return nil, false
	}
	var params map[string]string
	for i, tmpl := range p.segments {
		seg, err := url.PathUnescape(segments[i])
		if err != nil {
			return nil, false
		}
		if !isParam(tmpl) {
			if seg != tmpl {
				return nil, false
			}
			continue
		}
		if seg == "" {
			return nil, false
		}
		if params == nil {
			params = map[string]string{}
		}
		params[tmpl[1:len(tmpl)-1]] = seg
	}
	return params, true
}

// split cuts a path into its segments, ignoring a leading and a trailing slash.
func split(path string) []string {
	return strings.Split(strings.Trim(path, "/"), "/")
}

func isParam(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}")
}
