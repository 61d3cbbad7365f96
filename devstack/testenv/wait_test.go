package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fatalRecorder is a testing.TB whose Fatal* record the message and end the goroutine,
// as the real ones do, without failing the enclosing test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with r in a goroutine of its own, so that Fatalf can end it.
func (r *fatalRecorder) run(f func(testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

func TestWaitFor(t *testing.T) {
	tests := []struct {
		name     string
		trueFrom int // the call from which cond returns true; 0 means never
		wantFail bool
	}{
		{"at once", 1, false},
		{"after a few polls", 4, false},
		{"never", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			cond := func() bool {
				calls++
				return tt.trueFrom > 0 && calls >= tt.trueFrom
			}
			r := &fatalRecorder{TB: t}
			start := time.Now()
			r.run(func(tb testing.TB) { WaitFor(tb, 200*time.Millisecond, cond, "the condition") })
			if failed := r.msg != ""; failed != tt.wantFail {
				t.Fatalf("failed = %v (%q), want %v", failed, r.msg, tt.wantFail)
			}
			if tt.wantFail {
				if !strings.Contains(r.msg, "the condition") {
					t.Errorf("message %q does not say what was awaited", r.msg)
				}
				if d := time.Since(start); d < 200*time.Millisecond {
					t.Errorf("gave up after %v, before the timeout", d)
				}
			} else if calls != tt.trueFrom {
				t.Errorf("cond called %d times, want %d", calls, tt.trueFrom)
			}
		})
	}
}

func TestFunctionEnvUnknown(t *testing.T) {
	r := &fatalRecorder{TB: t}
	r.run(func(tb testing.TB) { env.FunctionEnv(tb, "NoSuchFunction") })
	if !strings.Contains(r.msg, "NoSuchFunction") {
		t.Errorf("FunctionEnv of an unknown function: message %q, want it named", r.msg)
	}
}
