package script_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/script"
)

// guard bounds how long any one run in these tests may take to return. Runs are
// stopped at 100 ms; the guard is generous so that a slow machine does not fail them.
const guard = 5 * time.Second

// event is the event most tests hand to their scripts.
var event = json.RawMessage(`{"event": "job.JobFinished", "resource": {"type": "jobsvc.Job", "id": "VX-1"}, "data": {"n": 2, "items": ["a", "b"]}}`)

// compile compiles src, failing the test on an error.
func compile(t testing.TB, src, entry string) *script.Script {
	t.Helper()
	s, err := script.Compile(src, entry)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", src, err)
	}
	return s
}

// exec runs s on ev, failing the test if the run takes longer than guard to return.
func exec(t testing.TB, ctx context.Context, s *script.Script, ev json.RawMessage) (script.Result, error) {
	t.Helper()
	start := time.Now()
	r, err := s.Exec(ctx, ev)
	if d := time.Since(start); d > guard {
		t.Fatalf("the run returned after %v, want within %v", d, guard)
	}
	return r, err
}

// handle compiles a script whose handle function has the given body and runs it on
// event.
func handle(t testing.TB, body string) (script.Result, error) {
	t.Helper()
	return exec(t, context.Background(), compile(t, "function handle(event) {\n"+body+"\n}", script.Handle), event)
}

// reason returns the message of a Compile error, failing the test unless err is a fault
// Invalid error with one field error on the unnamed field, as the caller prefixes it.
func reason(t *testing.T, err error) string {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != "" {
		t.Fatalf("error = %v, want a fault Invalid error with one unnamed field", err)
	}
	return fe.Fields[0].Message
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
