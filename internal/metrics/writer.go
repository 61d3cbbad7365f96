package metrics

import (
	"io"
	"os"
	"sync"
	"time"
)

// StackEnv is the environment variable that names the stack, the value of the Stack
// dimension (template.yaml sets it to the stack's name; herald-local to "herald-local").
const StackEnv = "HERALD_STACK_NAME"

// UnknownStack is the Stack dimension's value when StackEnv is unset: CloudWatch drops a
// metric whose dimension value is empty.
const UnknownStack = "unknown"

// Writer writes EMF lines to one output, each line in one Write, so that lines from
// concurrent flushes (and the log lines of a logger writing to the same file) never
// interleave. It is safe for concurrent use.
type Writer struct {
	mu    sync.Mutex
	out   io.Writer
	stack string
	now   func() time.Time
}

// NewWriter returns a Writer of the stack's metrics to out.
func NewWriter(out io.Writer, stack string) *Writer {
	if stack == "" {
		stack = UnknownStack
	}
	return &Writer{out: out, stack: stack, now: time.Now}
}

// FromEnv returns a Writer to stdout, which Lambda sends to CloudWatch Logs, for the
// stack StackEnv names.
func FromEnv() *Writer { return NewWriter(os.Stdout, os.Getenv(StackEnv)) }

// Stack returns the value of the Stack dimension.
func (w *Writer) Stack() string { return w.stack }

// Recorder returns an empty recorder that flushes to w; on a nil Writer, one that
// discards what it records.
func (w *Writer) Recorder() *Recorder { return &Recorder{w: w} }

// write writes each line, whole. A failing stdout must not fail the function: its
// metrics are only lost.
func (w *Writer) write(lines [][]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range lines {
		_, _ = w.out.Write(l)
	}
}
