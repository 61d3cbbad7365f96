package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Lines of herald-local's output the command reads: the banner's URLs and token exports,
// and the line that says the stack is ready.
var (
	bannerURL    = regexp.MustCompile(`^  (HTTP API|SNS/SQS|Usage)\s+(\S+)`)
	bannerExport = regexp.MustCompile(`^  export ([A-Z_]+)=(\S+)$`)
)

const readyLine = "Logs of every function follow"

// stack is herald-local, started as a user starts it, on free ports, with a state
// folder of its own.
type stack struct {
	cmd   *exec.Cmd
	state string
	done  chan struct{} // closed once herald-local has exited

	mu     sync.Mutex
	urls   map[string]string // "HTTP API", "SNS/SQS", "Usage"
	tokens map[string]string // DEMO_TOKEN, PUBLISHER_TOKEN, …
	tail   []string          // the last lines it printed, for errors
}

// tailLines is how many of herald-local's last lines an error shows.
const tailLines = 60

// startStack runs bin (herald-local) from root with the function binaries in functions
// and returns once its banner is printed.
func startStack(ctx context.Context, bin, functions, root string) (*stack, error) {
	for _, p := range []string{bin, functions} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s is missing: make build-local builds it (make cost does): %w", p, err)
		}
	}
	state, err := os.MkdirTemp("", "herald-cost-")
	if err != nil {
		return nil, err
	}
	s := &stack{state: state, done: make(chan struct{}), urls: map[string]string{}, tokens: map[string]string{}}
	s.cmd = exec.Command(bin, "-api-port", "0", "-nats-port", "0", "-dynamodb-port", "0", "-sqs-port", "0",
		"-state", state, "-functions", functions)
	s.cmd.Dir = root
	// Its own process group: herald-local stops its children itself, on our SIGTERM.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(state)
		return nil, err
	}
	s.cmd.Stderr = s.cmd.Stdout
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(state)
		return nil, err
	}
	ready := make(chan struct{})
	go s.read(out, ready)
	select {
	case <-ready:
		return s, nil
	case <-s.done:
		err = fmt.Errorf("herald-local exited before it was ready (%v):\n%s", s.cmd.ProcessState, s.lastLines())
	case <-ctx.Done():
		err = ctx.Err()
	case <-time.After(8 * time.Minute):
		err = fmt.Errorf("herald-local not ready after 8 minutes:\n%s", s.lastLines())
	}
	s.stop()
	return nil, err
}

// read takes in herald-local's output until it exits, closing ready at the banner's end.
func (s *stack) read(out io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	isReady := false
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.tail = append(s.tail, line)
		if len(s.tail) > tailLines {
			s.tail = s.tail[len(s.tail)-tailLines:]
		}
		if m := bannerURL.FindStringSubmatch(line); m != nil {
			s.urls[m[1]] = m[2]
		}
		if m := bannerExport.FindStringSubmatch(line); m != nil {
			s.tokens[m[1]] = m[2]
		}
		s.mu.Unlock()
		if !isReady && strings.HasPrefix(line, readyLine) {
			isReady = true
			close(ready)
		}
	}
	io.Copy(io.Discard, out)
	s.cmd.Wait()
	close(s.done)
}

// url returns a URL of the banner; token a token it exports. Both fail when absent.
func (s *stack) url(name string) (string, error) { return s.get(s.urls, "URL", name) }

func (s *stack) token(name string) (string, error) { return s.get(s.tokens, "token", name) }

func (s *stack) get(m map[string]string, what, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := m[name]; v != "" {
		return v, nil
	}
	return "", fmt.Errorf("herald-local's banner has no %s %s", what, name)
}

func (s *stack) lastLines() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

// stopGrace is how long herald-local has to stop on SIGTERM before it is killed.
const stopGrace = 30 * time.Second

// stop stops herald-local as Ctrl-C does, waits for it, and removes its state folder.
func (s *stack) stop() error {
	defer os.RemoveAll(s.state)
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(stopGrace):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		return errors.New("herald-local did not stop on SIGTERM; killed")
	}
}
