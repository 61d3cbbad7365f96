package sqssource

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// An Invoker invokes a function synchronously, as the Lambda Invoke API with
// RequestResponse does. It returns the function's JSON response, or an error when the
// invocation failed: the function returned an error, timed out or crashed, or could not
// be invoked at all.
type Invoker interface {
	InvokeBytes(ctx context.Context, payload []byte) ([]byte, error)
}

// Limits and defaults of Lambda's SQS event source mappings (and SAM's).
const (
	DefaultBatchSize = 10
	MaxBatchSize     = 10000
	MaxWindow        = 5 * time.Minute
	DefaultPollers   = 2
)

// A Mapping connects a queue to a function, as an AWS::Lambda::EventSourceMapping (a SAM
// SQS event) does.
type Mapping struct {
	Function string // the function's logical id, for logs

	QueueURL string // where to poll
	QueueARN string // the records' eventSourceARN
	Region   string // the records' awsRegion; empty means the client's region

	// BatchSize is the most messages one invocation gets: 10 when 0, at most 10000, and
	// more than 10 only with a Window.
	BatchSize int

	// Window is how long to gather messages for a batch after its first one arrived
	// (MaximumBatchingWindowInSeconds), at most 5 minutes. With 0, a batch is what one
	// receive returns.
	Window time.Duration

	// ReportBatchItemFailures is whether the function reports failed messages in its
	// response (FunctionResponseTypes: [ReportBatchItemFailures]).
	ReportBatchItemFailures bool

	// Pollers is how many batches may be gathered and processed at once: 2 when 0.
	Pollers int

	Invoker Invoker      // the function
	Logger  *slog.Logger // nil means slog.Default()
}

// withDefaults returns m with its defaults filled in, or an error saying what is wrong
// with it. region is the client's.
func (m Mapping) withDefaults(region string) (Mapping, error) {
	if m.BatchSize == 0 {
		m.BatchSize = DefaultBatchSize
	}
	if m.Pollers == 0 {
		m.Pollers = DefaultPollers
	}
	if m.Region == "" {
		m.Region = region
	}
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	var problems []string
	if m.QueueURL == "" {
		problems = append(problems, "no QueueURL")
	}
	if m.QueueARN == "" {
		problems = append(problems, "no QueueARN")
	}
	if m.Region == "" {
		problems = append(problems, "no Region, and the SQS client has none")
	}
	if m.Invoker == nil {
		problems = append(problems, "no Invoker")
	}
	if m.BatchSize < 1 || m.BatchSize > MaxBatchSize {
		problems = append(problems, fmt.Sprintf("BatchSize %d not between 1 and %d", m.BatchSize, MaxBatchSize))
	}
	if m.Window < 0 || m.Window > MaxWindow {
		problems = append(problems, fmt.Sprintf("Window %v not between 0 and %v", m.Window, MaxWindow))
	}
	// Lambda refuses this too: without a window a batch is one receive, at most 10
	// messages, and a larger batch size would promise what never happens.
	if m.BatchSize > 10 && m.Window == 0 {
		problems = append(problems, fmt.Sprintf("BatchSize %d above 10 needs a Window", m.BatchSize))
	}
	if m.Pollers < 0 {
		problems = append(problems, fmt.Sprintf("Pollers %d is negative", m.Pollers))
	}
	if len(problems) > 0 {
		return m, fmt.Errorf("sqssource: mapping for %s: %s", m.Function, strings.Join(problems, "; "))
	}
	return m, nil
}
