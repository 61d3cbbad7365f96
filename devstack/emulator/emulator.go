package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The ports the local stack gives the emulators, those of DynamoDB Local and LocalStack,
// so that tools configured for either find them.
const (
	DefaultDynamoDBPort = 8000
	DefaultSQSPort      = 4566
)

// startTimeout bounds how long the emulators may take to listen once node runs.
const startTimeout = 30 * time.Second

// exitCannotListen is emulators.mjs's exit code when a port cannot be bound.
const exitCannotListen = 2

// Options say where the emulators run.
type Options struct {
	// Root is the repository root, the directory holding local/.
	Root string

	// DynamoDBPort and SQSPort are the ports dynalite and fauxqs listen on (fauxqs
	// answers SNS on the same port). 0 lets the system pick a free port.
	DynamoDBPort, SQSPort int

	// Host is the address both listen on; empty means 127.0.0.1.
	Host string

	// DynamoDBPath is a folder where dynalite keeps its tables across restarts (LevelDB);
	// empty keeps them in memory.
	DynamoDBPath string

	// SQSPath is a folder where fauxqs keeps its queues, messages, topics and
	// subscriptions across restarts (SQLite, written through on every change, so a
	// killed emulator loses nothing it acknowledged); empty keeps them in memory.
	SQSPath string

	// Logs receives the emulators' standard error. Nil keeps only its tail, for the
	// error Start returns when they fail to start.
	Logs io.Writer
}

// Emulators are running emulators: one node process serving dynalite and fauxqs.
type Emulators struct {
	// Base URLs, http://HOST:PORT, for the AWS_ENDPOINT_URL_<SERVICE> variables.
	DynamoDB string // dynalite
	SQS      string // fauxqs
	SNS      string // fauxqs too, the same URL as SQS: one server answers both protocols

	cmd       *exec.Cmd
	stdin     *os.File // closing it makes emulators.mjs exit
	stderr    *tailBuffer
	done      chan struct{} // closed once the process has exited and been reaped
	closeOnce sync.Once
}

// Start installs the emulators if needed (see [EnsureNodeModules]), starts
// local/emulators.mjs and returns once both emulators listen. ctx bounds the start only:
// the emulators run until Close, or until this process exits.
//
// The node process is its own process group, so that Close can stop it together with
// anything it started.
func Start(ctx context.Context, o Options) (*Emulators, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	for _, p := range []int{o.DynamoDBPort, o.SQSPort} {
		if p < 0 || p > 65535 {
			return nil, fmt.Errorf("emulator: port %d out of range", p)
		}
	}
	// Checked before npm ci, so that a machine without node hears about node first.
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("emulator: node is not on PATH: the local AWS emulators (local/emulators.mjs) need Node.js 20 or newer (the project installs Node.js 22 for them where it can)")
	}
	if err := EnsureNodeModules(ctx, o.Root); err != nil {
		return nil, err
	}
	// fauxqs needs Node.js 22.5 or newer (node:sqlite); local/package.json installs one
	// for the platforms it is published for, which is preferred to the one on PATH.
	if bundled := filepath.Join(o.Root, "local", "node_modules", ".bin", "node"); isExecutable(bundled) {
		node = bundled
	}

	dir := filepath.Join(o.Root, "local")
	// The SQLite that persistence uses still warns that it is experimental.
	args := []string{"--disable-warning=ExperimentalWarning", filepath.Join(dir, "emulators.mjs"),
		"--host", o.Host,
		"--dynamodb-port", strconv.Itoa(o.DynamoDBPort),
		"--sqs-port", strconv.Itoa(o.SQSPort)}
	if o.DynamoDBPath != "" {
		args = append(args, "--dynamodb-path", o.DynamoDBPath)
	}
	if o.SQSPath != "" {
		args = append(args, "--sqs-path", o.SQSPath)
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	// os.Pipe rather than cmd.StdoutPipe: Wait runs concurrently with the reader here,
	// and Wait closes the pipes exec creates.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	e := &Emulators{cmd: cmd, stdin: inW, stderr: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, e.stderr
	if o.Logs != nil {
		cmd.Stderr = io.MultiWriter(e.stderr, errorlessWriter{o.Logs})
	}
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("emulator: start %s: %w", strings.Join(cmd.Args, " "), err)
	}
	go func() {
		cmd.Wait()
		close(e.done)
	}()

	lines := make(chan string, 1)
	go func() {
		defer outR.Close()
		r := bufio.NewReader(outR)
		line, err := r.ReadString('\n')
		if err == nil {
			lines <- line
		}
		close(lines)
		io.Copy(io.Discard, r) // never block the emulators on a full pipe
	}()

	fail := func(why string) (*Emulators, error) {
		e.Close()
		msg := fmt.Sprintf("emulator: %s: %s", strings.Join(cmd.Args, " "), why)
		if s := strings.TrimSpace(e.stderr.String()); s != "" {
			msg += "\nstderr:\n" + s
		}
		return nil, errors.New(msg)
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		if !ok {
			<-e.done
			if cmd.ProcessState.ExitCode() == exitCannotListen {
				if why := cannotListen(e.stderr.String()); why != "" {
					e.Close()
					if strings.Contains(why, "EADDRINUSE") {
						why += " (is the local stack already running?)"
					}
					return nil, errors.New("emulator: " + why)
				}
			}
			return fail(fmt.Sprintf("exited before announcing their ports (%v)", cmd.ProcessState))
		}
		var ports struct {
			DynamoDB int `json:"dynamodb"`
			SQS      int `json:"sqs"`
		}
		if err := json.Unmarshal([]byte(line), &ports); err != nil || ports.DynamoDB == 0 || ports.SQS == 0 {
			return fail(fmt.Sprintf("unexpected first line %q, want {\"dynamodb\":PORT,\"sqs\":PORT}", strings.TrimSpace(line)))
		}
		host := urlHost(o.Host)
		e.DynamoDB = "http://" + net.JoinHostPort(host, strconv.Itoa(ports.DynamoDB))
		e.SQS = "http://" + net.JoinHostPort(host, strconv.Itoa(ports.SQS))
		e.SNS = e.SQS
		return e, nil
	case <-timer.C:
		return fail(fmt.Sprintf("no ports announced within %v", startTimeout))
	case <-ctx.Done():
		return fail(ctx.Err().Error())
	}
}

// isExecutable reports whether path is a regular file (or a link to one) someone may run.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// cannotListen returns the line in which emulators.mjs says which port it could not
// bind ("fauxqs: cannot listen on 127.0.0.1:4566: listen EADDRINUSE …"), or "".
func cannotListen(stderr string) string {
	for line := range strings.Lines(stderr) {
		if strings.Contains(line, "cannot listen") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// urlHost is the host clients use to reach emulators listening on host: the loopback
// address when they listen on every address, which is no address to connect to.
func urlHost(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if ip.To4() != nil {
			return "127.0.0.1"
		}
		return "::1"
	}
	return host
}

// Pid returns the node process's id, which is also its process group's.
func (e *Emulators) Pid() int { return e.cmd.Process.Pid }

// Done is closed once the emulators have exited, whether through Close or not: the local
// stack watches it to notice emulators that died under it.
func (e *Emulators) Done() <-chan struct{} { return e.done }

// Close stops the emulators and returns once the node process is gone. It closes their
// standard input, which emulators.mjs takes as the signal to shut down, and signals the
// whole process group, first with SIGTERM and, if that has not worked within 5 seconds,
// with SIGKILL. It may be called more than once.
func (e *Emulators) Close() {
	e.closeOnce.Do(func() {
		e.stdin.Close()
		pgid := e.Pid()
		// The group is only signalled while its leader has not been reaped, so the id
		// cannot have been reused by an unrelated process.
		signal := func(sig syscall.Signal) {
			select {
			case <-e.done:
			default:
				syscall.Kill(-pgid, sig)
			}
		}
		signal(syscall.SIGTERM)
		select {
		case <-e.done:
		case <-time.After(5 * time.Second):
			signal(syscall.SIGKILL)
			<-e.done
		}
	})
}
