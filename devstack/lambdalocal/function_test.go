package lambdalocal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestInvoke(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	tests := []struct {
		name        string
		req         req
		contentType string
		body        string
	}{
		{"object", req{Mode: "echo", Data: map[string]any{"a": 1, "b": []string{"x"}}}, "application/json", `{"a":1,"b":["x"]}`},
		{"string", req{Mode: "echo", Data: "héllo wörld"}, "application/json", `"héllo wörld"`},
		{"null", req{Mode: "echo"}, "application/json", `null`},
		{"raw bytes", req{Mode: "bytes", Message: "plain text"}, "application/octet-stream", "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := f.Invoke(ctx, tt.req.payload(t))
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.body || resp.ContentType != tt.contentType {
				t.Errorf("got %q (%s), want %q (%s)", b, resp.ContentType, tt.body, tt.contentType)
			}
			if resp.Err != nil {
				t.Errorf("Err = %v", resp.Err)
			}
			if resp.Duration <= 0 {
				t.Errorf("Duration = %v", resp.Duration)
			}
			if _, err := uuid.Parse(resp.RequestID); err != nil {
				t.Errorf("RequestID %q: %v", resp.RequestID, err)
			}
		})
	}
}

// TestRuntimeHeaders checks the invocation metadata as aws-lambda-go hands it to the
// handler.
func TestRuntimeHeaders(t *testing.T) {
	timeout := 5 * time.Second
	f := newFunction(t, Config{Name: "EventsApi", Timeout: timeout, MemoryMB: 512, Env: map[string]string{"AWS_REGION": "eu-west-1"}})
	ctx := testContext(t)
	if err := f.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	resp, err := f.Invoke(ctx, req{Mode: "ctx"}.payload(t))
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	defer resp.Body.Close()
	var got struct {
		RequestID  string `json:"request_id"`
		ARN        string
		DeadlineMS int64  `json:"deadline_ms"`
		TraceID    string `json:"trace_id"`
		Memory     int
		Name       string
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.RequestID != resp.RequestID {
		t.Errorf("request id %q, response says %q", got.RequestID, resp.RequestID)
	}
	if want := "arn:aws:lambda:eu-west-1:000000000000:function:EventsApi"; got.ARN != want {
		t.Errorf("ARN %q, want %q", got.ARN, want)
	}
	lo, hi := before.Add(timeout).UnixMilli(), after.Add(timeout).UnixMilli()
	if got.DeadlineMS < lo || got.DeadlineMS > hi {
		t.Errorf("deadline %d not in [%d, %d]", got.DeadlineMS, lo, hi)
	}
	if !strings.HasPrefix(got.TraceID, "Root=1-") {
		t.Errorf("trace id %q", got.TraceID)
	}
	if got.Memory != 512 || got.Name != "EventsApi" {
		t.Errorf("memory %d, name %q", got.Memory, got.Name)
	}
}

func TestWarmReuse(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	if err := f.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.ColdStarts()); n != 1 {
		t.Fatalf("%d cold starts after Warm, want 1", n)
	}
	first, second := pidOf(t, ctx, f), pidOf(t, ctx, f)
	if first != second {
		t.Errorf("consecutive invocations ran in processes %d and %d, want one warm instance", first, second)
	}
	if cs := f.ColdStarts(); len(cs) != 1 || cs[0] <= 0 {
		t.Errorf("ColdStarts = %v, want one positive duration", cs)
	}
}

// TestWarmFull checks that Warm adds no instance beyond MaxInstances.
func TestWarmFull(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 2})
	ctx := testContext(t)
	for range 3 {
		if err := f.Warm(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(pidsOf(f)); n != 2 {
		t.Errorf("%d instances, want 2", n)
	}
}

// TestConcurrentInstances holds two invocations inside the function at once: they must
// run in two processes.
func TestConcurrentInstances(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 2})
	ctx := testContext(t)
	dir := t.TempDir()
	release := filepath.Join(dir, "release")
	pids := make(chan int, 2)
	for i := range 2 {
		started := filepath.Join(dir, "started"+string(rune('0'+i)))
		go func() {
			var out struct{ PID int }
			b, err := f.InvokeBytes(ctx, req{Mode: "wait", File: release, Started: started}.payload(t))
			if err == nil {
				err = json.Unmarshal(b, &out)
			}
			if err != nil {
				t.Error(err)
			}
			pids <- out.PID
		}()
	}
	eventually(t, 10*time.Second, "both invocations to start", func() bool {
		return exists(filepath.Join(dir, "started0")) && exists(filepath.Join(dir, "started1"))
	})
	touch(t, release)
	a, b := <-pids, <-pids
	if a == b || a == 0 {
		t.Errorf("concurrent invocations ran in processes %d and %d, want two", a, b)
	}
	if n := len(f.ColdStarts()); n != 2 {
		t.Errorf("%d cold starts, want 2", n)
	}
}

// TestWaitForFreeInstance: with every instance busy, Invoke waits, and gives up when its
// context ends.
func TestWaitForFreeInstance(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 1})
	ctx := testContext(t)
	dir := t.TempDir()
	release, started := filepath.Join(dir, "release"), filepath.Join(dir, "started")
	busy := make(chan int, 1)
	go func() {
		var out struct{ PID int }
		b, err := f.InvokeBytes(ctx, req{Mode: "wait", File: release, Started: started}.payload(t))
		if err == nil {
			err = json.Unmarshal(b, &out)
		}
		if err != nil {
			t.Error(err)
		}
		busy <- out.PID
	}()
	eventually(t, 10*time.Second, "the invocation to start", func() bool { return exists(started) })

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := f.Invoke(short, req{Mode: "pid"}.payload(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke with all instances busy = %v, want %v", err, context.DeadlineExceeded)
	}

	waiting := make(chan int, 1)
	go func() { waiting <- pidOf(t, ctx, f) }()
	touch(t, release)
	first := <-busy
	if second := <-waiting; second != first {
		t.Errorf("the waiting invocation ran in %d, want the freed instance %d", second, first)
	}
	if n := len(f.ColdStarts()); n != 1 {
		t.Errorf("%d cold starts, want 1", n)
	}
}

// TestCancelDuringInvocation: Invoke returns when its context ends; the function runs on,
// and its instance is reused only once it has finished.
func TestCancelDuringInvocation(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 1})
	ctx := testContext(t)
	if err := f.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	release, started := filepath.Join(dir, "release"), filepath.Join(dir, "started")

	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := f.Invoke(cctx, req{Mode: "wait", File: release, Started: started}.payload(t))
		done <- err
	}()
	eventually(t, 10*time.Second, "the invocation to start", func() bool { return exists(started) })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Invoke = %v, want %v", err, context.Canceled)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Invoke did not return after its context was cancelled")
	}

	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := f.Invoke(short, req{Mode: "pid"}.payload(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Invoke while the abandoned invocation runs = %v, want %v", err, context.DeadlineExceeded)
	}
	pids := pidsOf(f)
	touch(t, release)
	if pid := pidOf(t, ctx, f); len(pids) != 1 || pid != pids[0] {
		t.Errorf("next invocation ran in %d, want the same instance %v", pid, pids)
	}
}

func TestInvokeContextAlreadyDone(t *testing.T) {
	f := newFunction(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Invoke(ctx, req{Mode: "pid"}.payload(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Invoke = %v, want %v", err, context.Canceled)
	}
	if n := len(pidsOf(f)); n != 0 {
		t.Errorf("%d instances started for a cancelled invocation", n)
	}
}

// TestCancelDuringInit: the instance goes on initializing and serves the next invocation.
func TestCancelDuringInit(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 1, Env: map[string]string{"FN_INIT": "sleep:300"}})
	ctx := testContext(t)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := f.Invoke(short, req{Mode: "pid"}.payload(t)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Invoke = %v, want %v", err, context.DeadlineExceeded)
	}
	if pid := pidOf(t, ctx, f); pid == 0 {
		t.Fatal("no pid")
	}
	if n, cs := instancesStarted(f), f.ColdStarts(); n != 1 || len(cs) != 1 {
		t.Errorf("%d instances started, %d cold starts; want the first instance reused", n, len(cs))
	} else if cs[0] < 300*time.Millisecond {
		t.Errorf("cold start %v, shorter than the function's init", cs[0])
	}
}

func TestRequestTooLarge(t *testing.T) {
	f := newFunction(t, Config{})
	if _, err := f.Invoke(testContext(t), make([]byte, maxRequestBytes+1)); !errors.Is(err, ErrRequestTooLarge) {
		t.Errorf("Invoke = %v, want %v", err, ErrRequestTooLarge)
	}
}

func TestClosed(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := f.Invoke(ctx, req{Mode: "pid"}.payload(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close = %v, want %v", err, ErrClosed)
	}
	if err := f.Warm(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Warm after Close = %v, want %v", err, ErrClosed)
	}
}
