package gateway

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// CORS is the cross-origin configuration of the HTTP API (its CorsConfiguration) or of
// a Function URL (FunctionUrlConfig.Cors), which the gateway applies as AWS does: it
// answers preflight requests itself, before any authorizer or function, and puts its
// own Access-Control-* headers on every answer to an allowed origin, whatever the
// function said.
type CORS struct {
	// AllowOrigins are the origins allowed: exact ("https://app.example.com"), "*" for
	// any, or, locally only, "scheme://host:*" for the host on any port. AWS matches
	// origins exactly: the port pattern is the local stack's, for pages served on
	// whatever port a developer's tool picks.
	AllowOrigins     []string
	AllowHeaders     []string // request headers a preflight may ask for; "*" for any
	AllowMethods     []string // methods a preflight may ask for; "*" for any
	ExposeHeaders    []string
	MaxAge           int // seconds a browser may keep a preflight's answer; 0 says nothing
	AllowCredentials bool
}

// origin returns the Access-Control-Allow-Origin for a request from origin, or false
// when the origin is not allowed.
func (c *CORS) origin(origin string) (string, bool) {
	if origin == "" {
		return "", false
	}
	for _, o := range c.AllowOrigins {
		switch {
		case o == "*" && !c.AllowCredentials:
			return "*", true
		case strings.EqualFold(o, origin):
			return origin, true
		case strings.HasSuffix(o, ":*"):
			host := strings.TrimSuffix(o, "*") // "http://localhost:"
			if strings.EqualFold(origin, strings.TrimSuffix(host, ":")) {
				return origin, true // the scheme's default port
			}
			if len(origin) > len(host) && strings.EqualFold(origin[:len(host)], host) && isPort(origin[len(host):]) {
				return origin, true
			}
		}
	}
	return "", false
}

// isPort reports whether s is a TCP port number.
func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && n < 65536 && s[0] != '0' && s[0] != '+'
}

// allows reports whether list, of methods or header names, holds v or "*".
func allows(list []string, v string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return x == "*" || strings.EqualFold(x, v) })
}

// preflight answers an OPTIONS request that asks whether a cross-origin request may be
// sent: 204 with the Access-Control-* headers when origin, method and headers are
// allowed, else 204 without them, which the browser takes as a refusal.
func (c *CORS) preflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	allowed, ok := c.origin(r.Header.Get("Origin"))
	method := r.Header.Get("Access-Control-Request-Method")
	ok = ok && allows(c.AllowMethods, method)
	var asked []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				asked = append(asked, name)
				ok = ok && allows(c.AllowHeaders, name)
			}
		}
	}
	if ok {
		h.Set("Access-Control-Allow-Origin", allowed)
		h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		if len(asked) > 0 {
			if slices.Contains(c.AllowHeaders, "*") {
				h.Set("Access-Control-Allow-Headers", strings.Join(asked, ","))
			} else {
				h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
			}
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// isPreflight reports whether r is a CORS preflight request.
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Origin") != "" && r.Header.Get("Access-Control-Request-Method") != ""
}

// corsWriter puts the configuration's headers on an answer as it is written, over any
// the function set, as API Gateway and Function URLs do.
type corsWriter struct {
	http.ResponseWriter
	cors    *CORS
	origin  string
	written bool
}

func (w *corsWriter) WriteHeader(status int) {
	if !w.written {
		w.written = true
		h := w.Header()
		for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers",
			"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age"} {
			h.Del(name)
		}
		h.Add("Vary", "Origin")
		if allowed, ok := w.cors.origin(w.origin); ok {
			h.Set("Access-Control-Allow-Origin", allowed)
			if len(w.cors.ExposeHeaders) > 0 {
				h.Set("Access-Control-Expose-Headers", strings.Join(w.cors.ExposeHeaders, ","))
			}
			if w.cors.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *corsWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Flush passes on to the underlying writer, which streamed answers need.
func (w *corsWriter) Flush() {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *corsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// FromStack reads what FromTemplate reads, and the CORS configurations resolved against
// the stack's parameters and conditions: the HTTP API's CorsConfiguration and each
// Function URL's FunctionUrlConfig.Cors. A configuration the template leaves out (or
// that resolves to AWS::NoValue) allows no cross-origin access.
func FromStack(s *template.Stack) (Config, error) {
	cfg, err := FromTemplate(s.Template)
	if err != nil {
		return Config{}, err
	}
	for _, id := range s.Template.LogicalIDs() {
		r := s.Template.Resources[id]
		if r.Type != "AWS::Serverless::HttpApi" {
			continue
		}
		if cfg.CORS, err = corsFrom(s, r.Properties["CorsConfiguration"]); err != nil {
			return Config{}, fmt.Errorf("gateway: %s CorsConfiguration: %w", id, err)
		}
	}
	for _, fn := range s.Template.Functions() {
		urlCfg, ok := fn.Properties["FunctionUrlConfig"].(map[string]any)
		if !ok {
			continue
		}
		c, err := corsFrom(s, urlCfg["Cors"])
		if err != nil {
			return Config{}, fmt.Errorf("gateway: %s FunctionUrlConfig.Cors: %w", fn.LogicalID, err)
		}
		if c != nil {
			if cfg.URLCORS == nil {
				cfg.URLCORS = map[string]*CORS{}
			}
			cfg.URLCORS[fn.LogicalID] = c
		}
	}
	return cfg, nil
}

// corsFrom resolves a template's CORS configuration; nil for none.
func corsFrom(s *template.Stack, v any) (*CORS, error) {
	if v == nil {
		return nil, nil
	}
	r, err := s.Resolve(v)
	if err != nil || r == nil {
		return nil, err
	}
	m, ok := r.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a mapping")
	}
	c := &CORS{}
	for k, v := range m {
		switch k {
		case "AllowOrigins":
			c.AllowOrigins, err = strs(v)
		case "AllowHeaders":
			c.AllowHeaders, err = strs(v)
		case "AllowMethods":
			c.AllowMethods, err = strs(v)
		case "ExposeHeaders":
			c.ExposeHeaders, err = strs(v)
		case "MaxAge":
			c.MaxAge = template.Int(v, -1)
			if c.MaxAge < 0 {
				err = fmt.Errorf("not a number of seconds")
			}
		case "AllowCredentials":
			if c.AllowCredentials, ok = v.(bool); !ok {
				err = fmt.Errorf("not a boolean")
			}
		default:
			err = fmt.Errorf("unknown setting")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	if len(c.AllowOrigins) == 0 {
		return nil, nil
	}
	for i, m := range c.AllowMethods {
		c.AllowMethods[i] = strings.ToUpper(m)
	}
	return c, nil
}

// strs reads a list of strings, leaving out empty ones.
func strs(v any) ([]string, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	var out []string
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("not a list of strings")
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
