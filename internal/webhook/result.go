package webhook

import (
	"errors"
	"log/slog"
	"time"
)

// Result is the outcome of one attempt at a delivery.
type Result struct {
	// StatusCode is the response's status, or 0 when there was no response.
	StatusCode int
	// Duration is the time from sending the request to having read the response.
	Duration time.Duration
	// RetryAfter is the delay the endpoint asked for in a Retry-After header, in seconds
	// or as an HTTP date; 0 when there was none or it was malformed or past.
	RetryAfter time.Duration
	// ResponsePrefix is the start of the response body: at most MaxResponsePrefix bytes,
	// cut at a character boundary, invalid UTF-8 replaced. It is for showing the
	// subscriber what their endpoint said.
	ResponsePrefix string
	// Body is the answer's body, up to Request.ReadBody bytes, when the request asked
	// for it; BodyTooLong says the body went on past that, BodyIncomplete that reading
	// it failed part way.
	Body                        []byte
	BodyTooLong, BodyIncomplete bool
	// Err is why there was no response: an invalid request, a refused address
	// (a *RefusedError), a network error, or the timeout (context.DeadlineExceeded).
	// It is nil whenever there was a response, whatever its status. It never holds the
	// URL's path or query, which may carry credentials.
	Err error
}

// OK reports whether the endpoint accepted the delivery with a 2xx status.
func (r Result) OK() bool { return r.StatusCode >= 200 && r.StatusCode <= 299 }

// Refused reports whether the attempt was refused because the endpoint's address is in
// a blocked range. Retrying soon will not help.
func (r Result) Refused() bool {
	var e *RefusedError
	return errors.As(r.Err, &e)
}

// LogValue implements slog.LogValuer. The response body is left out: it is the
// subscriber's data and may be large.
func (r Result) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.Int("status", r.StatusCode), slog.Duration("duration", r.Duration))
	if r.RetryAfter > 0 {
		attrs = append(attrs, slog.Duration("retry_after", r.RetryAfter))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("error", r.Err.Error()), slog.Bool("refused", r.Refused()))
	}
	return slog.GroupValue(attrs...)
}
