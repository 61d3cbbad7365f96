package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/fault"
)

// The ids the local gateway reports in request contexts and ARNs.
const (
	accountID = "000000000000"
	apiID     = "local"
)

// MaxBodyBytes is API Gateway's payload limit for HTTP APIs.
const MaxBodyBytes = 10 * 1024 * 1024

// streamingContentType marks a Function URL streaming response: a JSON prelude, eight
// NUL bytes, then the body.
const streamingContentType = "application/vnd.awslambda.http-integration-response"

// Invoker runs one invocation of a function.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) (*lambdalocal.Response, error)
}

// Gateway serves the template's routes. It is an http.Handler.
type Gateway struct {
	cfg       Config
	functions map[string]Invoker
	region    string
	log       *slog.Logger

	now   func() time.Time // the clock of the authorizer cache
	mu    sync.Mutex
	cache map[string]cachedDecision

	observe func(Served) // see Observe; nil for no one
}

type cachedDecision struct {
	allow   bool
	context map[string]any
	expires time.Time
}

// New returns a Gateway for cfg whose functions are invoked through functions, keyed by
// logical id. Every route's function and authorizer must be there, and every authorizer a
// route names must be in cfg.Authorizers. cfg need not come from FromTemplate: New works on
// a copy whose methods it upper-cases, whose identity headers it lower-cases and whose
// routes it orders as FromTemplate does.
func New(cfg Config, functions map[string]Invoker, region string, log *slog.Logger) (*Gateway, error) {
	own := Config{Routes: make([]Route, 0, len(cfg.Routes)), Authorizers: make(map[string]Authorizer, len(cfg.Authorizers)), CORS: cfg.CORS, URLCORS: cfg.URLCORS}
	for name, a := range cfg.Authorizers {
		if functions[a.Function] == nil {
			return nil, fmt.Errorf("gateway: no function %s for authorizer %s", a.Function, name)
		}
		headers := make([]string, len(a.IdentityHeaders))
		for i, h := range a.IdentityHeaders {
			headers[i] = strings.ToLower(h)
		}
		a.IdentityHeaders = headers
		if a.Name == "" {
			a.Name = name
		}
		own.Authorizers[name] = a
	}
	seen := map[string]bool{}
	for _, rt := range cfg.Routes {
		rt = newRoute(strings.ToUpper(rt.Method), rt.Path, rt.Function, rt.Authorizer, rt.URL)
		if functions[rt.Function] == nil {
			return nil, fmt.Errorf("gateway: no function %s for route %s", rt.Function, rt.RouteKey())
		}
		if _, ok := own.Authorizers[rt.Authorizer]; rt.Authorizer != "" && !rt.URL && !ok {
			return nil, fmt.Errorf("gateway: route %s names unknown authorizer %q", rt.RouteKey(), rt.Authorizer)
		}
		key := rt.Method + " /" + strings.Join(rt.segments, "/")
		if seen[key] {
			return nil, fmt.Errorf("gateway: route %s is declared twice", rt.RouteKey())
		}
		seen[key] = true
		own.Routes = append(own.Routes, rt)
	}
	sortRoutes(own.Routes)
	if log == nil {
		log = slog.Default()
	}
	return &Gateway{cfg: own, functions: functions, region: region, log: log, now: time.Now, cache: map[string]cachedDecision{}}, nil
}

// ServeHTTP routes the request, authorizes it and invokes the route's function.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, allowed := g.route(r.Method, r.URL.EscapedPath())
	if g.observe != nil {
		cw := &countingWriter{ResponseWriter: w}
		body := &countingReader{r: r.Body}
		r.Body, w = body, cw
		// Deferred, so that a streamed response the client abandons is counted too.
		defer func() {
			s := Served{RequestBytes: body.n, ResponseBytes: cw.n}
			if rt != nil {
				s.Route, s.Function, s.URL = rt.RouteKey(), rt.Function, rt.URL
			}
			g.observe(s)
		}()
	}
	if c := g.cors(rt, r.URL.EscapedPath()); c != nil {
		if isPreflight(r) {
			c.preflight(w, r)
			return
		}
		w = &corsWriter{ResponseWriter: w, cors: c, origin: r.Header.Get("Origin")}
	}
	if rt == nil {
		if len(allowed) > 0 {
			writeProblem(w, r, fault.NotAllowed(fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path), allowed...))
			return
		}
		writeProblem(w, r, fault.Newf(fault.NotFound, "no route for %s %s", r.Method, r.URL.Path))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	if len(body) > MaxBodyBytes {
		writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	in := readIncoming(r, body)

	var payload any
	if rt.URL {
		payload = in.functionURLRequest()
	} else {
		var authContext map[string]any
		if rt.Authorizer != "" {
			status, ctx := g.authorize(r.Context(), g.cfg.Authorizers[rt.Authorizer], *rt, params, in)
			if status != 0 {
				writeMessage(w, status, http.StatusText(status))
				return
			}
			authContext = ctx
		}
		payload = in.httpAPIRequest(*rt, params, authContext)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	g.respond(w, r, *rt, data)
}

// cors returns the CORS configuration that answers a request for the escaped path, whose
// route (for its method) is rt, nil when none matched: a Function URL's own, else the
// HTTP API's, which answers for every path, as API Gateway does for its preflights.
func (g *Gateway) cors(rt *Route, path string) *CORS {
	if rt == nil {
		// A preflight's method is OPTIONS, which no route declares: find the path's.
		segments := split(path)
		for i := range g.cfg.Routes {
			if _, ok := g.cfg.Routes[i].match(segments); ok {
				rt = &g.cfg.Routes[i]
				break
			}
		}
	}
	if rt != nil && rt.URL {
		return g.cfg.URLCORS[rt.Function]
	}
	return g.cfg.CORS
}

// route finds the route for method and the escaped path; when the path is known but not
// the method, it returns the methods that are, sorted and without repeats.
func (g *Gateway) route(method, path string) (*Route, map[string]string, []string) {
	segments := split(path)
	var allowed []string
	seen := map[string]bool{}
	for i := range g.cfg.Routes {
		rt := &g.cfg.Routes[i]
		params, ok := rt.match(segments)
		if !ok {
			continue
		}
		if rt.Method == method || rt.Method == "ANY" {
			return rt, params, nil
		}
		if !seen[rt.Method] {
			seen[rt.Method] = true
			allowed = append(allowed, rt.Method)
		}
	}
	sort.Strings(allowed)
	return nil, nil, allowed
}

// authorize runs the route's authorizer, or answers from its cache. A non-zero status is
// the gateway's refusal; otherwise the context goes to the function.
func (g *Gateway) authorize(ctx context.Context, a Authorizer, rt Route, params map[string]string, in incoming) (int, map[string]any) {
	identity := make([]string, 0, len(a.IdentityHeaders))
	for _, h := range a.IdentityHeaders {
		v := in.headers[h]
		if v == "" {
			return http.StatusUnauthorized, nil
		}
		identity = append(identity, v)
	}
	key := a.Name + "\x00" + strings.Join(identity, "\x00")
	if a.ReauthorizeEvery > 0 && len(identity) > 0 {
		g.mu.Lock()
		d, ok := g.cache[key]
		g.mu.Unlock()
		if ok && g.now().Before(d.expires) {
			return decisionStatus(d.allow), d.context
		}
	}
	data, err := json.Marshal(in.authorizerRequest(rt, params, identity, g.region))
	if err != nil {
		return http.StatusInternalServerError, nil
	}
	out, err := invokeBytes(ctx, g.functions[a.Function], data)
	if err != nil {
		g.log.Error("authorizer failed", "authorizer", a.Name, "error", err.Error())
		return http.StatusInternalServerError, nil
	}
	var resp awsevents.APIGatewayV2CustomAuthorizerSimpleResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		g.log.Error("authorizer answered no simple response", "authorizer", a.Name, "error", err.Error())
		return http.StatusInternalServerError, nil
	}
	if a.ReauthorizeEvery > 0 && len(identity) > 0 {
		now := g.now()
		g.mu.Lock()
		for k, d := range g.cache { // drop what has expired, so that old tokens do not pile up
			if !now.Before(d.expires) {
				delete(g.cache, k)
			}
		}
		g.cache[key] = cachedDecision{allow: resp.IsAuthorized, context: resp.Context, expires: now.Add(time.Duration(a.ReauthorizeEvery) * time.Second)}
		g.mu.Unlock()
	}
	return decisionStatus(resp.IsAuthorized), resp.Context
}

func decisionStatus(allow bool) int {
	if allow {
		return 0
	}
	return http.StatusForbidden
}

// invokeBytes runs a buffered invocation: the whole response, or the function's error.
func invokeBytes(ctx context.Context, fn Invoker, payload []byte) ([]byte, error) {
	resp, err := fn.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.Err != nil {
		return nil, resp.Err
	}
	return out, nil
}

// respond invokes the route's function and writes its answer.
func (g *Gateway) respond(w http.ResponseWriter, r *http.Request, rt Route, payload []byte) {
	resp, err := g.functions[rt.Function].Invoke(r.Context(), payload)
	if err != nil {
		g.log.Error("invocation failed", "function", rt.Function, "route", rt.RouteKey(), "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	defer resp.Body.Close()
	if resp.ContentType == streamingContentType {
		g.stream(r.Context(), w, rt, resp)
		return
	}
	out, err := io.ReadAll(resp.Body)
	if err == nil && resp.Err != nil {
		err = resp.Err
	}
	if err != nil {
		g.log.Error("function failed", "function", rt.Function, "route", rt.RouteKey(), "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := writeFunctionResponse(w, out); err != nil {
		g.log.Error("malformed function response", "function", rt.Function, "route", rt.RouteKey(), "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// validStatus reports whether code can be a final HTTP status: net/http panics on codes
// outside 100–999 and takes 1xx for an informational response.
func validStatus(code int) bool { return code >= 200 && code <= 599 }

// writeFunctionResponse writes a payload 2.0 response: a structured response when the
// JSON has a statusCode, else the JSON itself as a 200 application/json body. It writes
// nothing and returns an error when a structured response is malformed (a status that is
// not a final HTTP status, a body that is not the base64 it claims to be).
func writeFunctionResponse(w http.ResponseWriter, out []byte) error {
	var probe map[string]json.RawMessage
	if json.Unmarshal(out, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(out)
		return nil
	}
	var resp awsevents.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err
	}
	if !validStatus(resp.StatusCode) {
		return fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("body: %w", err)
		}
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	if w.Header().Get("Content-Type") == "" && len(body) > 0 {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
	return nil
}

// stream forwards a streaming response as it arrives, flushing after every write, until
// it ends or the client goes away (ctx, the request's, ends), which is no error.
func (g *Gateway) stream(ctx context.Context, w http.ResponseWriter, rt Route, resp *lambdalocal.Response) {
	prelude, rest, err := readPrelude(resp.Body)
	if err == nil && prelude.StatusCode != 0 && !validStatus(prelude.StatusCode) {
		err = fmt.Errorf("prelude: statusCode %d", prelude.StatusCode)
	}
	if err != nil {
		g.log.Error("streaming response without a valid prelude", "function", rt.Function, "error", err.Error())
		writeMessage(w, http.StatusBadGateway, "Bad Gateway")
		return
	}
	for k, v := range prelude.Headers {
		w.Header().Set(k, v)
	}
	for _, c := range prelude.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	status := prelude.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	flusher, _ := w.(http.Flusher)
	if len(rest) > 0 {
		w.Write(rest)
	}
	if flusher != nil {
		flusher.Flush()
	}
	buf := make([]byte, 32*1024)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return // the client went away
			}
			if !errors.Is(err, io.EOF) || resp.Err != nil {
				g.log.Error("stream ended with an error", "function", rt.Function, "error", errText(err, resp.Err))
				// Cut the connection so the client sees an incomplete response, as a
				// Function URL does when the function fails mid-stream.
				panic(http.ErrAbortHandler)
			}
			return
		}
	}
}

type prelude struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Cookies    []string          `json:"cookies"`
}

// readPrelude reads up to the eight NUL bytes that end the prelude, returning the prelude
// and whatever body bytes came with it.
func readPrelude(r io.Reader) (prelude, []byte, error) {
	var p prelude
	sep := make([]byte, 8)
	var buf []byte
	chunk := make([]byte, 4096)
	for {
		if i := bytes.Index(buf, sep); i >= 0 {
			if err := json.Unmarshal(buf[:i], &p); err != nil {
				return p, nil, fmt.Errorf("prelude: %w", err)
			}
			return p, buf[i+8:], nil
		}
		if len(buf) > 64*1024 {
			return p, nil, errors.New("prelude: no end within 64 KiB")
		}
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil {
			if i := bytes.Index(buf, sep); i >= 0 {
				continue
			}
			return p, nil, fmt.Errorf("prelude: %w", err)
		}
	}
}

func errText(err error, fnErr *lambdalocal.FunctionError) string {
	if fnErr != nil {
		return fnErr.Error()
	}
	return err.Error()
}

// writeMessage answers as API Gateway itself does: {"message": "..."}.
func writeMessage(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"message": message})
}

// writeProblem answers unknown routes and methods as the functions answer their errors:
// problem+json from apigw.Error, with its headers (Allow on a 405).
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	resp := apigw.Error(r.Context(), err)
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	io.WriteString(w, resp.Body)
}
