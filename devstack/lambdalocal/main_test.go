package lambdalocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testBinary is the test function (testdata/fn), built once for the host.
var testBinary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lambdalocal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testBinary = filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", testBinary, "./testdata/fn")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the test function:", err)
		return 1
	}
	return m.Run()
}

// newFunction returns a Function running the test binary, closed at the end of the test,
// when the test also checks that none of its processes is left.
func newFunction(t testing.TB, cfg Config) *Function {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "TestFn"
	}
	if cfg.Binary == "" {
		cfg.Binary = testBinary
	}
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pids := pidsOf(f)
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		for _, pid := range pids {
			if !processGone(pid) {
				t.Errorf("process %d still running after Close", pid)
			}
		}
	})
	return f
}

// pidsOf lists the processes of f's live instances.
func pidsOf(f *Function) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pids []int
	for inst := range f.all {
		pids = append(pids, inst.pid)
	}
	return pids
}

// instancesStarted counts the instances f has started.
func instancesStarted(f *Function) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

// processGone reports whether pid no longer runs. A zombie counts as gone: it runs no
// code and only waits for a parent (possibly init) to reap it.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return os.IsNotExist(err)
	}
	// Format: pid (comm) state ...; comm may contain spaces, so look after the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] == 'Z'
}

// eventually waits for cond, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testContext bounds a test's invocations so a bug shows as a failure, not a hang.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// req is a payload for the test function (see testdata/fn).
type req struct {
	Mode    string   `json:"mode"`
	Data    any      `json:"data,omitempty"`
	MS      int      `json:"ms,omitempty"`
	File    string   `json:"file,omitempty"`
	Started string   `json:"started,omitempty"`
	Closed  string   `json:"closed,omitempty"`
	Chunks  []string `json:"chunks,omitempty"`
	Code    int      `json:"code,omitempty"`
	Message string   `json:"message,omitempty"`
	Size    int      `json:"size,omitempty"`
	Lines   []string `json:"lines,omitempty"`
}

func (r req) payload(t testing.TB) []byte {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// call invokes f and decodes the JSON result into out, failing the test on any error.
func call(t testing.TB, ctx context.Context, f *Function, r req, out any) {
	t.Helper()
	b, err := f.InvokeBytes(ctx, r.payload(t))
	if err != nil {
		t.Fatalf("%s: %v", r.Mode, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: decoding %q: %v", r.Mode, b, err)
	}
}

func pidOf(t testing.TB, ctx context.Context, f *Function) int {
	t.Helper()
	var out struct{ PID int }
	call(t, ctx, f, req{Mode: "pid"}, &out)
	return out.PID
}

// touch creates a file the test function waits for.
func touch(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// logRecorder is a Config.Logs that keeps every Write separately.
type logRecorder struct {
	mu     sync.Mutex
	writes []string
}

func (l *logRecorder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, string(p))
	return len(p), nil
}

func (l *logRecorder) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.writes...)
}

func (l *logRecorder) contains(line string) bool {
	for _, w := range l.lines() {
		if w == line {
			return true
		}
	}
	return false
}

// readUntil reads from r until what it has read contains marker.
func readUntil(t testing.TB, r interface{ Read([]byte) (int, error) }, marker []byte) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 1024)
	for !bytes.Contains(got, marker) {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read %q, then %v, before %q", got, err, marker)
		}
	}
	return got
}
