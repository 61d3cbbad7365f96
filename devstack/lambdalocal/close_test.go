package lambdalocal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"testing"
	"time"
)

// TestCloseRunsSIGTERMHandlers: Close sends SIGTERM first, so lambda.WithEnableSIGTERM
// handlers run, and leaves no process behind.
func TestCloseRunsSIGTERMHandlers(t *testing.T) {
	logs := &logRecorder{}
	f := newFunction(t, Config{Logs: logs, MaxInstances: 2})
	ctx := testContext(t)
	for range 2 {
		if err := f.Warm(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pids := pidsOf(f)
	if len(pids) != 2 {
		t.Fatalf("%d instances, want 2", len(pids))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range logs.lines() {
		if l == "sigterm hook ran\n" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("SIGTERM handler ran %d times, want 2; logs %q", n, logs.lines())
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("process %d still running", pid)
		}
	}
}

// TestCloseKillsAfterGrace: a process that survives SIGTERM is killed, along with the
// processes it started.
func TestCloseKillsAfterGrace(t *testing.T) {
	t.Parallel() // Close waits out the grace period
	logs := &logRecorder{}
	f := newFunction(t, Config{Logs: logs, Env: map[string]string{"FN_SIGTERM": "ignore"}})
	var out struct{ PID, Child int }
	call(t, testContext(t), f, req{Mode: "child"}, &out)
	if processGone(out.Child) {
		t.Fatal("test bug: child not running")
	}
	start := time.Now()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < shutdownGrace {
		t.Errorf("Close took %v; it should have given the SIGTERM handler %v", elapsed, shutdownGrace)
	}
	if !logs.contains("sigterm hook ran\n") {
		t.Error("SIGTERM handler did not run")
	}
	for _, pid := range []int{out.PID, out.Child} {
		if !processGone(pid) {
			t.Errorf("process %d still running", pid)
		}
	}
}

// TestCloseDuringInvocation: an invocation in flight ends with an exit error.
func TestCloseDuringInvocation(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	type result struct {
		resp *Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := f.Invoke(ctx, req{Mode: "wait", File: filepath.Join(dir, "never"), Started: started}.payload(t))
		done <- result{resp, err}
	}()
	eventually(t, 10*time.Second, "the invocation to start", func() bool { return exists(started) })
	f.Close()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	r.resp.Body.Close()
	if r.resp.Err == nil || r.resp.Err.Type != ErrorTypeExit {
		t.Errorf("Err = %#v, want %s", r.resp.Err, ErrorTypeExit)
	}
}

// TestCloseWhileWaiting: invocations waiting for an instance give up with ErrClosed.
func TestCloseWhileWaiting(t *testing.T) {
	f := newFunction(t, Config{MaxInstances: 1})
	ctx := testContext(t)
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	go f.Invoke(ctx, req{Mode: "wait", File: filepath.Join(dir, "never"), Started: started}.payload(t))
	eventually(t, 10*time.Second, "the invocation to start", func() bool { return exists(started) })
	waiting := make(chan error, 1)
	go func() {
		_, err := f.Invoke(ctx, req{Mode: "pid"}.payload(t))
		waiting <- err
	}()
	f.Close()
	if err := <-waiting; err != ErrClosed {
		t.Errorf("waiting Invoke = %v, want %v", err, ErrClosed)
	}
}

// TestExtensionShutdown: an extension registered for SHUTDOWN gets it on Close; the
// runtime's own registration (no events) is what WithEnableSIGTERM relies on.
func TestExtensionShutdown(t *testing.T) {
	t.Parallel() // Close waits out the grace period
	// The runtime ignores SIGTERM, so its instance lives on while the event is delivered.
	f := newFunction(t, Config{Env: map[string]string{"FN_SIGTERM": "ignore"}})
	if err := f.Warm(testContext(t)); err != nil {
		t.Fatal(err)
	}
	inst := anyInstance(t, f)
	id := registerExtension(t, inst.addr, `{"events":["SHUTDOWN"]}`)
	event := make(chan map[string]any, 1)
	sent := make(chan struct{})
	go func() {
		ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { close(sent) },
		})
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+inst.addr+"/2020-01-01/extension/event/next", nil)
		req.Header.Set(headerExtensionID, id)
		var ev map[string]any
		if resp, err := http.DefaultClient.Do(req); err == nil {
			json.NewDecoder(resp.Body).Decode(&ev)
			resp.Body.Close()
		}
		event <- ev
	}()
	<-sent
	go f.Close()
	select {
	case ev := <-event:
		if ev["eventType"] != "SHUTDOWN" {
			t.Errorf("event %v, want SHUTDOWN", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no SHUTDOWN event")
	}
}

func anyInstance(t testing.TB, f *Function) *instance {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for inst := range f.all {
		return inst
	}
	t.Fatal("no instance")
	return nil
}
