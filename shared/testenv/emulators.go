package testenv

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds how long the emulators may take to print their ports.
const startTimeout = 30 * time.Second

// emulators is a running local/emulators.mjs: dynalite and fauxqs in one node process.
type emulators struct {
	cmd          *exec.Cmd
	stdin        *os.File // closing it makes emulators.mjs exit
	stderr       *tailBuffer
	done         chan struct{} // closed once the process has exited and been reaped
	dynamoDBPort int
	sqsPort      int // fauxqs serves SNS on the same port
	closeOnce    sync.Once
}

// startEmulators starts root/local/emulators.mjs on free loopback ports and waits for
// the line announcing them. The process is its own process group, so that Close can
// kill it with anything it started, and it exits by itself when this process dies,
// because its standard input then closes.
func startEmulators(ctx context.Context, root string) (*emulators, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH: the local AWS emulators (local/emulators.mjs) need Node.js 20 or newer")
	}
	dir := filepath.Join(root, "local")
	cmd := exec.Command(node, filepath.Join(dir, "emulators.mjs"), "--dynamodb-port", "0", "--sqs-port", "0")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	// os.Pipe rather than cmd.StdoutPipe: Wait runs concurrently with the reader here,
	// and Wait closes the pipes exec creates.
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	e := &emulators{cmd: cmd, stdin: inW, stderr: &tailBuffer{max: 16 << 10}, done: make(chan struct{})}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, e.stderr
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("start %s: %w", strings.Join(cmd.Args, " "), err)
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

	fail := func(why string) (*emulators, error) {
		e.close()
		msg := fmt.Sprintf("local emulators (%s): %s", strings.Join(cmd.Args, " "), why)
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
			return fail(fmt.Sprintf("exited before announcing their ports (%v)", cmd.ProcessState))
		}
		var ports struct {
			DynamoDB int `json:"dynamodb"`
			SQS      int `json:"sqs"`
		}
		if err := json.Unmarshal([]byte(line), &ports); err != nil || ports.DynamoDB == 0 || ports.SQS == 0 {
			return fail(fmt.Sprintf("unexpected first line %q, want {\"dynamodb\":PORT,\"sqs\":PORT}", strings.TrimSpace(line)))
		}
		e.dynamoDBPort, e.sqsPort = ports.DynamoDB, ports.SQS
		return e, nil
	case <-timer.C:
		return fail(fmt.Sprintf("no ports announced within %v", startTimeout))
	case <-ctx.Done():
		return fail(ctx.Err().Error())
	}
}

// pid returns the node process's id, which is also its process group's.
func (e *emulators) pid() int { return e.cmd.Process.Pid }

// close stops the emulators: it closes their standard input, which emulators.mjs takes
// as the signal to shut down, and signals the whole process group, first politely and
// then with SIGKILL, until the process has exited.
func (e *emulators) close() {
	e.closeOnce.Do(func() {
		e.stdin.Close()
		pgid := e.pid()
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

// tailBuffer keeps the last max bytes written to it: enough of a process's stderr to say
// why it failed, without growing for as long as it runs.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
