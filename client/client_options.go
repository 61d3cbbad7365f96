package client

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Defaults of a Client.
const (
	// DefaultMaxAttempts is how many times a retryable request is sent at most, the
	// first time included.
	DefaultMaxAttempts = 4
	// DefaultBackoff is the pause before the first retry; it doubles with each retry,
	// up to DefaultMaxBackoff, and is jittered so that many clients failing together
	// do not come back together.
	DefaultBackoff = 250 * time.Millisecond
	// DefaultMaxBackoff caps one pause between retries.
	DefaultMaxBackoff = 15 * time.Second
	// DefaultStreamIdleTimeout is how long a stream may stay silent before it is taken
	// for dead: the server sends a keep-alive comment after 15 s without a message, so
	// three missed keep-alives mean the connection is gone, not quiet.
	DefaultStreamIdleTimeout = 45 * time.Second
	// DefaultUserAgent is the User-Agent of requests unless WithUserAgent says otherwise.
	DefaultUserAgent = "herald-go-client/1"
)

// An Option configures a Client in New.
type Option func(*options) error

// options collects what the Options set; New copies them into the Client.
type options struct {
	token       func(context.Context) (string, error)
	httpClient  *http.Client
	retry       retryPolicy
	userAgent   string
	streamURL   string
	idleTimeout time.Duration
}

func defaultOptions() options {
	return options{
		// No Timeout: a fetch may wait 20 s for messages and a stream lasts up to 15
		// minutes; every call is bounded by its context instead.
		httpClient:  &http.Client{},
		retry:       retryPolicy{attempts: DefaultMaxAttempts, base: DefaultBackoff, max: DefaultMaxBackoff},
		userAgent:   DefaultUserAgent,
		idleTimeout: DefaultStreamIdleTimeout,
	}
}

// WithToken sends token as the bearer token of every request. Every route but health
// and acknowledge needs one.
func WithToken(token string) Option {
	return func(o *options) error {
		if token == "" {
			return errors.New("herald: WithToken: empty token")
		}
		o.token = func(context.Context) (string, error) { return token, nil }
		return nil
	}
}

// WithTokenFunc calls fn for the bearer token before every attempt of every request,
// so that a long-lived client can use short-lived tokens: a retry after a long backoff
// or a stream reconnecting an hour later gets a fresh one. An error from fn fails the
// request without sending it.
func WithTokenFunc(fn func(context.Context) (string, error)) Option {
	return func(o *options) error {
		if fn == nil {
			return errors.New("herald: WithTokenFunc: nil function")
		}
		o.token = fn
		return nil
	}
}

// WithHTTPClient sends requests through hc instead of a default http.Client. A Timeout
// set on hc also bounds streams and long-polling fetches; prefer contexts.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("herald: WithHTTPClient: nil client")
		}
		o.httpClient = hc
		return nil
	}
}

// WithRetry sets how many times a retryable request is sent at most (the first time
// included; 1 turns retrying off) and the pause before the first retry, which doubles
// with each further retry up to DefaultMaxBackoff, or up to backoff when that is
// larger. See the package documentation for which requests are retried.
func WithRetry(maxAttempts int, backoff time.Duration) Option {
	return func(o *options) error {
		if maxAttempts < 1 {
			return errors.New("herald: WithRetry: maxAttempts must be at least 1")
		}
		if backoff < 0 {
			return errors.New("herald: WithRetry: negative backoff")
		}
		o.retry = retryPolicy{attempts: maxAttempts, base: backoff, max: max(DefaultMaxBackoff, backoff)}
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		o.userAgent = ua
		return nil
	}
}

// WithStreamURL sets the base URL of the streams (GET /v1/consumers/{id}/stream and
// GET /v1/me/notifications/stream). A deployed stack serves them from the Stream
// function's own URL (the StreamUrl output), not from the HTTP API, since API Gateway
// cannot stream a response; the local stack serves both on one port, which is the
// default.
func WithStreamURL(streamURL string) Option {
	return func(o *options) error {
		o.streamURL = streamURL
		return nil
	}
}

// WithStreamIdleTimeout sets how long a stream may go without receiving anything, not
// even a keep-alive, before Stream.Next gives up on it with ErrStreamStalled; zero or
// less turns the watchdog off. The default is DefaultStreamIdleTimeout.
func WithStreamIdleTimeout(d time.Duration) Option {
	return func(o *options) error {
		o.idleTimeout = d
		return nil
	}
}
