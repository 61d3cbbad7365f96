package lambdalocal

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFunctionErrors covers the ways an invocation fails inside a running function.
func TestFunctionErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     req
		typ     string
		message string // substring
		stack   bool
		newPID  bool // the instance must not be reused
	}{
		{"returned error", req{Mode: "error", Message: "trigger not found"}, "handlerError", "trigger not found", false, false},
		{"panic", req{Mode: "panic", Message: "nil map"}, "string", "nil map", true, true},
		{"exit", req{Mode: "exit", Code: 3}, ErrorTypeExit, "Runtime exited with error: exit status 3", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFunction(t, Config{MaxInstances: 1})
			ctx := testContext(t)
			before := pidOf(t, ctx, f)

			resp, err := f.Invoke(ctx, tt.req.payload(t))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Err == nil || resp.Err.Type != tt.typ || !strings.Contains(resp.Err.Message, tt.message) {
				t.Fatalf("Err = %#v, want type %s with %q", resp.Err, tt.typ, tt.message)
			}
			if got := len(resp.Err.StackTrace) > 0; got != tt.stack {
				t.Errorf("stack trace %q, want one: %v", resp.Err.StackTrace, tt.stack)
			}
			if resp.ContentType != "application/json" {
				t.Errorf("ContentType = %q", resp.ContentType)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var fromBody FunctionError
			if err := json.Unmarshal(body, &fromBody); err != nil || fromBody.Type != tt.typ || fromBody.Message != resp.Err.Message {
				t.Errorf("body %s (%v) does not carry the error %v", body, err, resp.Err)
			}
			if strings.Contains(resp.Err.Message, "RequestId: ") && !strings.Contains(resp.Err.Message, resp.RequestID) {
				t.Errorf("message %q names another request than %s", resp.Err.Message, resp.RequestID)
			}

			after := pidOf(t, ctx, f)
			if (after != before) != tt.newPID {
				t.Errorf("pid before %d, after %d; want a fresh instance: %v", before, after, tt.newPID)
			}
			if tt.newPID && !processGone(before) {
				t.Errorf("process %d of the failed instance still runs", before)
			}

			_, err = f.InvokeBytes(ctx, tt.req.payload(t))
			var ferr *FunctionError
			if !errors.As(err, &ferr) || ferr.Type != tt.typ {
				t.Errorf("InvokeBytes = %v, want a *FunctionError of type %s", err, tt.typ)
			}
		})
	}
}

// TestTimeout: an invocation over Timeout ends with Sandbox.Timedout, the instance is
// killed and the next invocation gets a fresh one.
func TestTimeout(t *testing.T) {
	tests := []struct {
		name string
		req  req
		body string // what arrives before the timeout
	}{
		{"buffered", req{Mode: "sleep", MS: 60_000}, ""},
		{"streaming", req{Mode: "stream", Chunks: []string{"partial"}, File: "/nonexistent/never"}, streamPrelude + "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFunction(t, Config{Timeout: 300 * time.Millisecond, MaxInstances: 1})
			ctx := testContext(t)
			before := pidOf(t, ctx, f)

			start := time.Now()
			resp, err := f.Invoke(ctx, tt.req.payload(t))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			want := &FunctionError{Type: ErrorTypeTimeout, Message: "Task timed out after 0.30 seconds"}
			if resp.Err == nil || resp.Err.Type != want.Type || resp.Err.Message != want.Message {
				t.Fatalf("Err = %#v, want %#v", resp.Err, want)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if elapsed < 300*time.Millisecond || resp.Duration < 300*time.Millisecond {
				t.Errorf("timed out after %v (Duration %v), before the timeout", elapsed, resp.Duration)
			}
			eventually(t, 5*time.Second, "the timed-out process to die", func() bool { return processGone(before) })
			if after := pidOf(t, ctx, f); after == before {
				t.Errorf("invocation after a timeout ran in the same process %d", after)
			}
		})
	}
}

// TestInitFailure: an init failure is reported to the invocation, and every invocation
// tries a fresh instance.
func TestInitFailure(t *testing.T) {
	tests := []struct {
		mode    string
		typ     string
		message string
	}{
		{"exit", ErrorTypeInit, "Runtime exited with error: exit status 2"},
		{"post", "Config.Missing", "HERALD_TABLE not set"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			f := newFunction(t, Config{MaxInstances: 1, Env: map[string]string{"FN_INIT": tt.mode}})
			ctx := testContext(t)
			for i := 1; i <= 2; i++ {
				resp, err := f.Invoke(ctx, req{Mode: "pid"}.payload(t))
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.Err == nil || resp.Err.Type != tt.typ || resp.Err.Message != tt.message {
					t.Fatalf("invocation %d: Err = %#v, want %s: %s", i, resp.Err, tt.typ, tt.message)
				}
				if n := instancesStarted(f); n != i {
					t.Errorf("after %d invocations %d instances started", i, n)
				}
			}
			err := f.Warm(ctx)
			var ferr *FunctionError
			if !errors.As(err, &ferr) || ferr.Type != tt.typ {
				t.Errorf("Warm = %v, want a *FunctionError of type %s", err, tt.typ)
			}
			if cs := f.ColdStarts(); len(cs) != 0 {
				t.Errorf("ColdStarts = %v for instances that never initialized", cs)
			}
			if n := len(pidsOf(f)); n != 0 {
				t.Errorf("%d failed instances left", n)
			}
		})
	}
}

// TestInvalidEntrypoint: an executable that cannot be started.
func TestInvalidEntrypoint(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bootstrap")
	if err := os.WriteFile(bin, []byte("#!/nonexistent/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := newFunction(t, Config{Binary: bin})
	resp, err := f.Invoke(testContext(t), []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Err == nil || resp.Err.Type != ErrorTypeInvalidEntrypoint {
		t.Errorf("Err = %#v, want %s", resp.Err, ErrorTypeInvalidEntrypoint)
	}
}

func TestResponseTooLarge(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	_, err := f.InvokeBytes(ctx, req{Mode: "big", Size: 7 << 20}.payload(t))
	var ferr *FunctionError
	if !errors.As(err, &ferr) || ferr.Type != ErrorTypeResponseTooLarge {
		t.Errorf("InvokeBytes = %v, want %s", err, ErrorTypeResponseTooLarge)
	}
	// Just under the limit passes.
	b, err := f.InvokeBytes(ctx, req{Mode: "big", Size: 6<<20 - 2}.payload(t))
	if err != nil || len(b) != 6<<20 {
		t.Errorf("InvokeBytes = %d bytes, %v", len(b), err)
	}
}
