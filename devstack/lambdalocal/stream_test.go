package lambdalocal

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"
)

const streamPrelude = `{"statusCode":200,"headers":{"Content-Type":"text/event-stream"}}` + "\x00\x00\x00\x00\x00\x00\x00\x00"

// TestStreaming proves the body is forwarded as the function writes it: the function
// writes its first chunk, then waits for a file the test creates only after it has read
// that chunk.
func TestStreaming(t *testing.T) {
	f := newFunction(t, Config{})
	release := filepath.Join(t.TempDir(), "release")
	resp, err := f.Invoke(testContext(t), req{Mode: "stream", File: release, Chunks: []string{"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}}.payload(t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentType != "application/vnd.awslambda.http-integration-response" {
		t.Errorf("ContentType = %q", resp.ContentType)
	}
	first := readUntil(t, resp.Body, []byte("data: 1\n\n"))
	if exists(release) {
		t.Fatal("test bug: release file exists")
	}
	touch(t, release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(first)+string(rest), streamPrelude+"data: 1\n\ndata: 2\n\ndata: 3\n\n"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if resp.Err != nil {
		t.Errorf("Err = %v", resp.Err)
	}
	if resp.Duration <= 0 {
		t.Errorf("Duration = %v", resp.Duration)
	}
}

// TestStreamMidStreamError: an error after the first bytes arrives in trailers and shows
// in Err once the body hit EOF.
func TestStreamMidStreamError(t *testing.T) {
	f := newFunction(t, Config{})
	ctx := testContext(t)
	resp, err := f.Invoke(ctx, req{Mode: "stream-fail", Chunks: []string{"a", "b"}, Message: "upstream went away"}.payload(t))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if want := streamPrelude + "ab"; string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
	if resp.Err == nil || resp.Err.Type != "streamError" || resp.Err.Message != "upstream went away" {
		t.Errorf("Err = %#v, want streamError: upstream went away", resp.Err)
	}
	// The instance stays usable, as in Lambda.
	pids := pidsOf(f)
	if pid := pidOf(t, ctx, f); len(pids) != 1 || pid != pids[0] {
		t.Errorf("next invocation in %d, want %v", pid, pids)
	}

	_, err = f.InvokeBytes(ctx, req{Mode: "stream-fail", Chunks: []string{"a"}, Message: "x"}.payload(t))
	var ferr *FunctionError
	if !errors.As(err, &ferr) || ferr.Type != "streamError" {
		t.Errorf("InvokeBytes = %v, want a *FunctionError of type streamError", err)
	}
}

// TestStreamReaderGoesAway: when the caller closes the body or its context ends, the
// function's POST of its streamed response fails at once, though the function writes
// nothing more; aws-lambda-go then closes the response's body and exits, and the next
// invocation gets a fresh instance, in the one slot there is.
func TestStreamReaderGoesAway(t *testing.T) {
	tests := []struct {
		name string
		stop func(cancel context.CancelFunc, body io.ReadCloser) error // returns the next Read's error
		want error
	}{
		{"body closed", func(_ context.CancelFunc, body io.ReadCloser) error {
			body.Close()
			_, err := body.Read(make([]byte, 8))
			return err
		}, io.ErrClosedPipe},
		{"context cancelled", func(cancel context.CancelFunc, body io.ReadCloser) error {
			cancel()
			_, err := body.Read(make([]byte, 8))
			return err
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &logRecorder{}
			f := newFunction(t, Config{MaxInstances: 1, Logs: logs})
			ctx := testContext(t)
			dir := t.TempDir()
			// The function waits for a file that never comes: only the failed POST can
			// tell it that its client left.
			closed := filepath.Join(dir, "closed")
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			resp, err := f.Invoke(cctx, req{Mode: "stream", File: filepath.Join(dir, "never"), Closed: closed, Chunks: []string{"first", "more"}}.payload(t))
			if err != nil {
				t.Fatal(err)
			}
			readUntil(t, resp.Body, []byte("first"))
			pids := pidsOf(f)
			if err := tt.stop(cancel, resp.Body); !errors.Is(err, tt.want) {
				t.Errorf("Read = %v, want %v", err, tt.want)
			}
			resp.Body.Close()
			eventually(t, 10*time.Second, "the runtime to close the response's body", func() bool { return exists(closed) })
			eventually(t, 10*time.Second, "the instance to exit", func() bool { return len(pidsOf(f)) == 0 })
			if len(pids) != 1 || !processGone(pids[0]) {
				t.Errorf("processes %v, want the one that streamed gone", pids)
			}
			if pid := pidOf(t, ctx, f); pid == pids[0] {
				t.Errorf("next invocation in %d, the instance whose client left", pid)
			}
			if n := instancesStarted(f); n != 2 {
				t.Errorf("%d instances started, want 2", n)
			}
		})
	}
}

// TestStreamReaderGoesAwayRuntimeGoesOn: a runtime that asks for its next invocation
// after its response was refused (runtimes other than Go's may) keeps its instance.
func TestStreamReaderGoesAwayRuntimeGoesOn(t *testing.T) {
	logs := &logRecorder{}
	f := newFunction(t, Config{MaxInstances: 1, Logs: logs, Env: map[string]string{"FN_INIT": "raw"}})
	ctx := testContext(t)
	resp, err := f.Invoke(ctx, req{Mode: "stream", File: filepath.Join(t.TempDir(), "never"), Chunks: []string{"first", "more"}}.payload(t))
	if err != nil {
		t.Fatal(err)
	}
	readUntil(t, resp.Body, []byte("first"))
	pids := pidsOf(f)
	resp.Body.Close()
	if pid := pidOf(t, ctx, f); len(pids) != 1 || pid != pids[0] {
		t.Errorf("next invocation in %d, want the same instance %v", pid, pids)
	}
	if !logs.contains("response answered 410\n") {
		t.Errorf("logs %q: want the runtime told that its response failed", logs.lines())
	}
}
