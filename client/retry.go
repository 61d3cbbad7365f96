package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter is the longest Retry-After the client waits out by itself. Publishing
// is idempotent only within the stream's dedupe window (2 minutes by default): a retry
// later than that could store the event twice, so a longer wait is left to the caller.
const maxRetryAfter = time.Minute

// retryPolicy bounds the attempts of one request and spaces them.
type retryPolicy struct {
	attempts int           // sends at most, the first included
	base     time.Duration // the pause before the first retry
	max      time.Duration // the longest pause
}

// backoff returns the pause after the given failed attempt (1 for the first):
// base·2^(attempt-1), capped at max, of which a random half is taken off. Keeping the
// other half keeps the pauses growing; the random half spreads out clients that failed
// together, so that they do not come back together.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.base
	for i := 1; i < attempt && d < p.max; i++ {
		d *= 2
	}
	d = min(d, p.max)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// retryableStatus reports whether an answer with status code is worth sending the
// request again for. 429 always is: API Gateway throttles before the request reaches a
// function, so nothing was done. A 5xx may come after the function did its work (a
// timeout answered as 503, say), so only idempotent requests are sent again; 501 will
// not change.
func retryableStatus(code int, idempotent bool) bool {
	switch {
	case code == http.StatusTooManyRequests:
		return true
	case code >= 500 && code != http.StatusNotImplemented:
		return idempotent
	}
	return false
}

// retryableError reports whether a failure to get an answer is worth another attempt.
// An idempotent request is retried after any transport failure. Any other request only
// when it certainly did not leave: the connection was never made.
func retryableError(err error, idempotent bool) bool {
	if idempotent {
		return true
	}
	return notSent(err)
}

// notSent reports whether err says the request never reached the server: dialing or
// resolving the host failed.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// retryAfter reads the Retry-After header, delay seconds or an HTTP date, as a pause
// from now; ok is false when it is absent or malformed. A date in the past is a pause
// of zero.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	} else if errors.Is(err, strconv.ErrRange) {
		// All digits, too many of them: longer than anyone would wait.
		return maxRetryAfter + time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// sleepContext waits d, or until ctx ends, whichever comes first, and returns ctx's
// error in the latter case.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
