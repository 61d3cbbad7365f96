package trace

import (
	"context"
	"os"
	"regexp"
	"strings"
)

// Header is the name of the trace header in HTTP and NATS headers.
const Header = "X-Amzn-Trace-Id"

// SQSSystemAttribute is the SQS message system attribute X-Ray reads the trace from.
const SQSSystemAttribute = "AWSTraceHeader"

// lambdaKey is the context key under which aws-lambda-go puts the invocation's trace
// header (a string key, as the library defines it).
const lambdaKey = "x-amzn-trace-id"

type eventKey struct{}

// WithEvent returns ctx carrying the trace header of the event being handled, which
// FromContext prefers to the invocation's own.
func WithEvent(ctx context.Context, header string) context.Context {
	if header == "" {
		return ctx
	}
	return context.WithValue(ctx, eventKey{}, header)
}

// FromContext returns the trace header to pass on: the event's (WithEvent), else the
// invocation's (set by the Lambda runtime), else "".
func FromContext(ctx context.Context) string {
	if h, ok := ctx.Value(eventKey{}).(string); ok && h != "" {
		return h
	}
	if h, ok := ctx.Value(lambdaKey).(string); ok && h != "" {
		return h
	}
	// aws-lambda-go also sets the variable for the invocation in progress.
	return os.Getenv("_X_AMZN_TRACE_ID")
}

// Root returns the Root field of a trace header ("Root=1-…;Parent=…;Sampled=…"): the
// trace id, which is what logs carry. It returns "" when there is none.
func Root(header string) string {
	for field := range strings.SplitSeq(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(field), "Root="); ok {
			return v
		}
	}
	return ""
}

// rootID is the form of an X-Ray trace id: version 1, eight hex digits of time, 24 of
// randomness.
var rootID = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)

// Valid reports whether header is usable as a trace header: a Root in X-Ray's form,
// printable ASCII, and short. Headers come from publishers' messages on NATS, so one that
// is not is dropped rather than passed on to SNS and SQS, which would refuse the message,
// or to subscribers, who would read it.
func Valid(header string) bool {
	if len(header) > 256 || !rootID.MatchString(Root(header)) {
		return false
	}
	for i := 0; i < len(header); i++ {
		if c := header[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
