package metrics

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// writes records each Write call on its own, to check that a line is never split.
type writes struct {
	mu    sync.Mutex
	calls [][]byte
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, bytes.Clone(p))
	return len(p), nil
}

func (w *writes) lines() [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls
}

// testWriter is a Writer for the stack "herald-test" at a fixed time.
func testWriter(out *writes) *Writer {
	w := NewWriter(out, "herald-test")
	w.now = func() time.Time { return time.UnixMilli(1767225600123) }
	return w
}

// emfLine is an EMF line as CloudWatch reads it.
type emfLine struct {
	AWS struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
	Members map[string]json.RawMessage `json:"-"`
}

// decode reads an EMF line, failing t unless it is one JSON object ending in a newline
// with exactly one metric directive.
func decode(t *testing.T, line []byte) emfLine {
	t.Helper()
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Fatalf("not one newline-terminated line: %q", line)
	}
	var l emfLine
	if err := json.Unmarshal(line, &l); err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	if err := json.Unmarshal(line, &l.Members); err != nil {
		t.Fatal(err)
	}
	if len(l.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("%d metric directives, want 1: %s", len(l.AWS.CloudWatchMetrics), line)
	}
	return l
}

// values returns a member's values: one number, or an array of them.
func (l emfLine) values(t *testing.T, name string) []float64 {
	t.Helper()
	raw, ok := l.Members[name]
	if !ok {
		return nil
	}
	var one float64
	if json.Unmarshal(raw, &one) == nil {
		return []float64{one}
	}
	var many []float64
	if err := json.Unmarshal(raw, &many); err != nil {
		t.Fatalf("%s is neither a number nor an array of numbers: %s", name, raw)
	}
	return many
}

// str returns a member that is a string (a dimension's value).
func (l emfLine) str(t *testing.T, name string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(l.Members[name], &s); err != nil {
		t.Fatalf("%s is not a string: %s", name, l.Members[name])
	}
	return s
}
