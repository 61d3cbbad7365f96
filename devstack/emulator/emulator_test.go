package emulator

import (
	"bytes"
	"errors"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestStartClose checks that both emulators listen once Start returns, and that closing
// leaves no process behind.
func TestStartClose(t *testing.T) {
	t.Parallel()
	e, err := Start(t.Context(), Options{Root: repoRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	pid := e.Pid()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("emulator process %d not running: %v", pid, err)
	}
	if e.SNS != e.SQS {
		t.Errorf("SNS = %q, want the SQS URL %q", e.SNS, e.SQS)
	}
	var addrs []string
	for _, u := range []string{e.DynamoDB, e.SQS} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("endpoint %q is not on loopback", u)
		}
		addr := hostPort(t, u)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("nothing listening on %s: %v", addr, err)
		}
		c.Close()
		addrs = append(addrs, addr)
	}

	e.Close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d after Close: kill 0 = %v, want ESRCH", pid, err)
	}
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d after Close: kill 0 = %v, want ESRCH", pid, err)
	}
	for _, addr := range addrs {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
	select {
	case <-e.Done():
	default:
		t.Error("Done not closed after Close")
	}
	e.Close() // a second Close is harmless
}

// TestStartFixedPorts checks that the emulators take the ports they are given, as the
// local stack asks for 8000 and 4566.
func TestStartFixedPorts(t *testing.T) {
	t.Parallel()
	dynamoDBPort, sqsPort := freePort(t), freePort(t)
	e, err := Start(t.Context(), Options{Root: repoRoot(t), DynamoDBPort: dynamoDBPort, SQSPort: sqsPort})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if want := "http://127.0.0.1:" + strconv.Itoa(dynamoDBPort); e.DynamoDB != want {
		t.Errorf("DynamoDB = %q, want %q", e.DynamoDB, want)
	}
	if want := "http://127.0.0.1:" + strconv.Itoa(sqsPort); e.SQS != want {
		t.Errorf("SQS = %q, want %q", e.SQS, want)
	}
}

// TestStartPortTaken checks that a port in use makes Start fail with emulators.mjs's own
// words, naming the port, and that they reach Options.Logs.
func TestStartPortTaken(t *testing.T) {
	tests := []struct {
		name    string
		options func(port int) Options
		who     string
	}{
		{name: "dynamodb", options: func(port int) Options { return Options{DynamoDBPort: port} }, who: "dynalite"},
		{name: "sqs", options: func(port int) Options { return Options{SQSPort: port} }, who: "fauxqs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			port := l.Addr().(*net.TCPAddr).Port

			var logs bytes.Buffer
			o := tt.options(port)
			o.Root, o.Logs = repoRoot(t), &logs
			e, err := Start(t.Context(), o)
			if err == nil {
				e.Close()
				t.Fatalf("Start with port %d taken succeeded", port)
			}
			want := tt.who + ": cannot listen on 127.0.0.1:" + strconv.Itoa(port)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Start error = %v, want it to contain %q", err, want)
			}
			if !strings.Contains(logs.String(), want) {
				t.Errorf("Logs = %q, want it to contain %q", logs.String(), want)
			}
		})
	}
}

// TestMissingTools checks that a machine without Node.js gets an error saying so, not a
// skipped test or a puzzling failure later.
func TestMissingTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a PATH with nothing on it

	_, err := Start(t.Context(), Options{Root: repoRoot(t)})
	if err == nil || !strings.Contains(err.Error(), "node is not on PATH") {
		t.Errorf("Start without node: %v", err)
	}

	root := t.TempDir() // no node_modules: an install is due
	touch(t, filepath.Join(root, "local", "package.json"), time.Now())
	touch(t, filepath.Join(root, "local", "package-lock.json"), time.Now())
	err = EnsureNodeModules(t.Context(), root)
	if err == nil || !strings.Contains(err.Error(), "npm is not on PATH") {
		t.Errorf("EnsureNodeModules without npm: %v", err)
	}
}

func TestURLHost(t *testing.T) {
	tests := []struct{ host, want string }{
		{"127.0.0.1", "127.0.0.1"},
		{"localhost", "localhost"},
		{"0.0.0.0", "127.0.0.1"},
		{"::", "::1"},
		{"::1", "::1"},
	}
	for _, tt := range tests {
		if got := urlHost(tt.host); got != tt.want {
			t.Errorf("urlHost(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

func TestCannotListen(t *testing.T) {
	tests := []struct{ stderr, want string }{
		{"", ""},
		{"boom\n", ""},
		{"warning\nfauxqs: cannot listen on 127.0.0.1:4566: listen EADDRINUSE\n", "fauxqs: cannot listen on 127.0.0.1:4566: listen EADDRINUSE"},
	}
	for _, tt := range tests {
		if got := cannotListen(tt.stderr); got != tt.want {
			t.Errorf("cannotListen(%q) = %q, want %q", tt.stderr, got, tt.want)
		}
	}
}

// hostPort returns the host:port of a base URL.
func hostPort(t *testing.T, rawURL string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
