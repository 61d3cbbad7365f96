package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls the Herald HTTP API. It is safe for concurrent use; make one and share
// it, as its http.Client pools connections.
type Client struct {
	base      string // scheme://host[/prefix], without a trailing slash
	streamURL string // the same for the stream route
	hc        *http.Client
	token     func(context.Context) (string, error)
	retry     retryPolicy
	userAgent string
	idle      time.Duration

	// sleep waits between attempts; tests replace it to see the pauses without taking
	// them.
	sleep func(context.Context, time.Duration) error
}

// New returns a client of the API at baseURL (the ApiUrl output of the stack, or the
// local stack's address), configured by opts.
func New(baseURL string, opts ...Option) (*Client, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}
	stream := base
	if o.streamURL != "" {
		if stream, err = parseBase(o.streamURL); err != nil {
			return nil, err
		}
	}
	return &Client{
		base:      base,
		streamURL: stream,
		hc:        o.httpClient,
		token:     o.token,
		retry:     o.retry,
		userAgent: o.userAgent,
		idle:      o.idleTimeout,
		sleep:     sleepContext,
	}, nil
}

// parseBase checks that raw is an absolute http or https URL without query or fragment,
// and returns it without a trailing slash, ready for paths to be appended.
func parseBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("herald: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("herald: base URL %q: must be an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("herald: base URL %q: must have no query or fragment", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// request describes one API call; do sends it, retrying as its kind allows.
type request struct {
	method string
	path   string // escaped, from the API's root: "/v1/consumers/" + url.PathEscape(id)
	query  url.Values
	body   any // encoded as JSON once, and sent again as is on every retry

	// idempotent says that sending the request twice has the effect of sending it once,
	// so that it may be retried after it may have reached the server.
	idempotent bool
	// once turns retrying off altogether (health: a probe reports the state now).
	once bool
	// stream sends the request to the stream URL and asks for an event stream.
	stream bool
	// lastEventID, when set, is sent as Last-Event-ID: where a stream resumes.
	lastEventID string
}

// route names the request in errors: "POST /v1/events".
func (r *request) route() string { return r.method + " " + r.path }

// do sends req until it gets an answer that is not worth retrying, and returns the
// response of a 2xx answer with its body unread. Any other answer is returned as an
// *Error; a failure to get an answer as the transport's error.
func (c *Client) do(ctx context.Context, req *request) (*http.Response, error) {
	var body []byte
	if req.body != nil {
		var err error
		if body, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("herald: %s: encoding the body: %w", req.route(), err)
		}
	}
	attempts := c.retry.attempts
	if req.once {
		attempts = 1
	}
	for attempt := 1; ; attempt++ {
		hreq, err := c.newRequest(ctx, req, body)
		if err != nil {
			return nil, err
		}
		resp, err := c.hc.Do(hreq)
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || attempt >= attempts || !retryableError(err, req.idempotent) {
				return nil, err
			}
			wait = c.retry.backoff(attempt)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			e := readError(req, resp)
			err = e
			// A quota is not lifted by waiting: the caller must delete something first.
			if attempt >= attempts || !retryableStatus(resp.StatusCode, req.idempotent) || e.Quota != nil {
				return nil, err
			}
			var ok bool
			if wait, ok = retryAfter(resp.Header, time.Now()); !ok {
				wait = c.retry.backoff(attempt)
			} else if wait > maxRetryAfter {
				// Waiting that long would outlive the stream's dedupe window (2 minutes by
				// default), after which a retried publish is no longer recognised as
				// the same event; the caller decides what to do instead.
				return nil, err
			}
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("herald: %s: %w while waiting to retry after: %w", req.route(), serr, err)
		}
	}
}

// newRequest builds one attempt of req with the encoded body. Each attempt has a
// request of its own: a body reader is spent once sent, and the token may have changed.
func (c *Client) newRequest(ctx context.Context, req *request, body []byte) (*http.Request, error) {
	base := c.base
	if req.stream {
		base = c.streamURL
	}
	u := base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("herald: %s: %w", req.route(), err)
	}
	if body != nil {
		hreq.Header.Set("Content-Type", "application/json")
	}
	if req.stream {
		hreq.Header.Set("Accept", "text/event-stream")
		hreq.Header.Set("Cache-Control", "no-cache")
		if req.lastEventID != "" {
			hreq.Header.Set("Last-Event-ID", req.lastEventID)
		}
	} else {
		hreq.Header.Set("Accept", "application/json, application/problem+json")
	}
	if c.userAgent != "" {
		hreq.Header.Set("User-Agent", c.userAgent)
	}
	if c.token != nil {
		token, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("herald: %s: getting a token: %w", req.route(), err)
		}
		hreq.Header.Set("Authorization", "Bearer "+token)
	}
	return hreq, nil
}

// call sends req and decodes a 2xx answer's JSON into out, unless out is nil.
func (c *Client) call(ctx context.Context, req *request, out any) error {
	resp, err := c.do(ctx, req)
	if err != nil {
		return err
	}
	defer drain(resp.Body)
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("herald: %s: decoding the %d answer: %w", req.route(), resp.StatusCode, err)
	}
	return nil
}

// drain reads what is left of a body before closing it, so that the connection goes
// back to the pool instead of being torn down; a body too large to be worth it is just
// closed.
func drain(body io.ReadCloser) {
	io.CopyN(io.Discard, body, 64<<10)
	body.Close()
}

// pathOf joins path segments, escaping each: the API's own segments (v1, consumers, …)
// are unchanged by it, and an id cannot add segments of its own. An empty segment is
// refused, since "/v1/triggers/" + "" would address another route (the list) or none.
func pathOf(segments ...string) (string, error) {
	var b strings.Builder
	for _, s := range segments {
		if s == "" {
			return "", errors.New("herald: empty id")
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String(), nil
}
