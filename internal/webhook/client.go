package webhook

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// DefaultMaxIdleConnsPerHost is how many idle connections the client keeps to each
// endpoint when ClientOptions says nothing: enough for a busy endpoint's deliveries to
// reuse connections rather than open one each.
const DefaultMaxIdleConnsPerHost = 32

// Transport limits. A delivery's own deadline (Request.Timeout) is what normally ends a
// slow attempt; these bound the parts of it that have their own timers, and bound any
// use of the client that does not go through Send.
const (
	dialTimeout         = 10 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	idleConnTimeout     = 90 * time.Second
	maxIdleConns        = 1024
	maxHeaderBytes      = 64 << 10
)

// ClientOptions configures NewClient.
type ClientOptions struct {
	// Allow lists the networks that may be reached although they are blocked, for
	// example 127.0.0.0/8 for a local stack. See AllowNetworksFromEnv.
	Allow []netip.Prefix
	// MaxIdleConnsPerHost bounds the idle connections kept per endpoint;
	// DefaultMaxIdleConnsPerHost when 0.
	MaxIdleConnsPerHost int
}

// NewClient returns the HTTP client that webhooks are sent with. It refuses to connect
// to blocked addresses (see the package documentation), checking each address as it is
// dialled, with a *RefusedError; it follows no redirects, so a 3xx response is returned
// as the answer; it uses no proxy; and it speaks only http and https. It is safe for
// concurrent use and keeps connections alive, so one client should serve all deliveries.
func NewClient(opts ClientOptions) *http.Client {
	perHost := opts.MaxIdleConnsPerHost
	if perHost <= 0 {
		perHost = DefaultMaxIdleConnsPerHost
	}
	p := policy{allow: append([]netip.Prefix(nil), opts.Allow...)}
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Control:   p.control,
	}
	transport := &http.Transport{
		// No proxy: a proxy would dial the endpoint itself, out of the check's sight.
		Proxy:       nil,
		DialContext: dialer.DialContext,
		// A custom dialer turns HTTP/2 off unless asked for.
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  MaxTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           maxIdleConns,
		MaxIdleConnsPerHost:    perHost,
		IdleConnTimeout:        idleConnTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		// A backstop for requests made without a deadline; Send sets its own.
		Timeout: MaxTimeout,
	}
}
