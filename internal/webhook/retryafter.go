package webhook

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter bounds a Retry-After, so that absurd values (a receiver asking for a
// century) fit a time.Duration; whether to honour a long one is the caller's decision.
const maxRetryAfter = 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After header value, either delay seconds ("120") or an
// HTTP date, as a delay from now. It returns 0 when the value is absent, malformed or in
// the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			// All digits but too large for uint64 is still a very long delay.
			if errors.Is(err, strconv.ErrRange) {
				return maxRetryAfter
			}
			return 0
		}
		if secs > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > maxRetryAfter:
		return maxRetryAfter
	}
	// HTTP dates are whole seconds; so is the delay.
	return d.Round(time.Second)
}
