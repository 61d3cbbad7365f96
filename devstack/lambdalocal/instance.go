package lambdalocal

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

const (
	// initTimeout is Lambda's limit for the init phase of an on-demand instance.
	initTimeout = 10 * time.Second
	// logDrainTimeout bounds how long the output of an exited process is read, in case
	// something outside its process group still holds the pipes open.
	logDrainTimeout = time.Second
	// brokenStreamGrace is how long a response handler whose runtime connection broke
	// waits for the process to exit, so that a crash is reported as the exit it is.
	brokenStreamGrace = time.Second
)

// instance is one execution environment: a bootstrap process and the Runtime API server it
// talks to. It handles one invocation at a time; its Function decides which.
type instance struct {
	f     *Function
	srv   *http.Server
	addr  string // host:port of the Runtime API, AWS_LAMBDA_RUNTIME_API
	cmd   *exec.Cmd
	pid   int
	logs  sync.WaitGroup // copying stdout and stderr to the log sink
	pipes []*os.File     // their read ends

	startedAt time.Time
	initTimer *time.Timer

	// next hands an invocation to the runtime's pending GET /next. It is unbuffered: a
	// send succeeds only when the runtime has asked for work.
	next chan *invocation

	initDone chan struct{} // closed when init ended: first GET /next, init error or exit
	exited   chan struct{} // closed once the process has exited and was reaped
	shutdown chan struct{} // closed when the instance is being stopped

	initOnce     sync.Once
	shutdownOnce sync.Once

	mu         sync.Mutex
	ready      bool           // the runtime asked for its first invocation
	initErr    *FunctionError // why init failed
	dead       bool           // the process exited
	exitStatus string         // how, e.g. "exit status 2" or "signal: killed"
	current    *invocation    // the invocation in flight, if any
	extensions map[string][]string
}

// startInstance creates an instance and starts its server and process. The caller holds
// f.mu, which keeps Close from missing an instance being born. An error of type
// *FunctionError means the executable could not be started.
func (f *Function) startInstance() (*instance, error) {
	f.seq++ // counts instances started, for tests and diagnostics
	inst := &instance{
		f:          f,
		next:       make(chan *invocation),
		initDone:   make(chan struct{}),
		exited:     make(chan struct{}),
		shutdown:   make(chan struct{}),
		extensions: map[string][]string{},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdalocal: %s: runtime API listener: %w", f.cfg.Name, err)
	}
	inst.addr = ln.Addr().String()
	inst.srv = &http.Server{
		Handler: inst.routes(),
		// Unread request bodies and runtimes hanging up are part of normal operation here
		// (timeouts, crashes); the server's own complaints about them are noise.
		ErrorLog: log.New(io.Discard, "", 0),
	}

	cmd := exec.Command(f.cfg.Binary)
	cmd.Dir = filepath.Dir(f.cfg.Binary)
	cmd.Env = f.cfg.environ(inst.addr, newLogStream())
	cmd.SysProcAttr = sysProcAttr()
	// The process writes to pipes of our own rather than through exec's copying: Wait
	// then returns as soon as the process exits, even if a child it left behind holds
	// the pipes, and the exit is noticed at once.
	var childEnds []*os.File
	if f.logs != nil {
		for range 2 {
			r, w, err := os.Pipe()
			if err != nil {
				ln.Close()
				closeAll(inst.pipes, childEnds)
				return nil, fmt.Errorf("lambdalocal: %s: %w", f.cfg.Name, err)
			}
			inst.pipes = append(inst.pipes, r)
			childEnds = append(childEnds, w)
		}
		cmd.Stdout, cmd.Stderr = childEnds[0], childEnds[1]
	}
	inst.cmd = cmd
	inst.startedAt = time.Now()
	err = cmd.Start()
	closeAll(childEnds) // the child has its copies
	if err != nil {
		ln.Close()
		closeAll(inst.pipes)
		return nil, &FunctionError{Type: ErrorTypeInvalidEntrypoint, Message: err.Error()}
	}
	for _, r := range inst.pipes {
		lw := &lineWriter{sink: f.logs}
		inst.logs.Go(func() {
			// Ends at EOF, or with an error once drainLogs closes the pipe.
			_, _ = io.Copy(lw, r)
			lw.flush()
		})
	}
	inst.pid = cmd.Process.Pid
	inst.initTimer = time.AfterFunc(initTimeout, func() {
		inst.failInit(&FunctionError{
			Type:    ErrorTypeInit,
			Message: fmt.Sprintf("Init timed out after %.2f seconds", initTimeout.Seconds()),
		})
	})
	// Serving starts only now, with every field set: the handlers read them. The
	// process may already be connecting; the listener's backlog holds it meanwhile.
	go inst.srv.Serve(ln)
	go inst.wait()
	return inst, nil
}

// newLogStream names an instance's log stream, in Lambda's format.
func newLogStream() string {
	return time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
}

// wait reaps the process and tears the instance down around it.
func (inst *instance) wait() {
	inst.cmd.Wait()
	status := "exited"
	if ps := inst.cmd.ProcessState; ps != nil {
		status = ps.String()
	}
	// dead is set at once: from now on the pid may belong to another process, and kill
	// must leave it alone.
	inst.mu.Lock()
	inst.dead = true
	inst.exitStatus = status
	cur := inst.current
	if !inst.ready && inst.initErr == nil {
		inst.initErr = &FunctionError{Type: ErrorTypeInit, Message: "Runtime exited with error: " + status}
	}
	inst.mu.Unlock()

	// Whatever the function started dies with it, as when Lambda resets a sandbox. The
	// group outlives its leader while it has members, so its id is still theirs.
	signalGroup(inst.pid, syscall.SIGKILL)
	inst.initTimer.Stop()
	// The last lines reach the logs before anyone learns of the exit.
	inst.drainLogs()

	inst.endInit()
	if cur != nil {
		cur.abort(exitError(cur.id, status))
	}
	inst.f.forget(inst)
	close(inst.exited)
	inst.srv.Close()
}

// drainLogs waits until the process's last output has reached the log sink.
func (inst *instance) drainLogs() {
	done := make(chan struct{})
	go func() {
		inst.logs.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(logDrainTimeout):
		// A process outside the group holds a pipe; stop reading what it writes.
		closeAll(inst.pipes)
		<-done
	}
	closeAll(inst.pipes)
}

func closeAll(lists ...[]*os.File) {
	for _, files := range lists {
		for _, f := range files {
			f.Close()
		}
	}
}

func (inst *instance) endInit() {
	inst.initOnce.Do(func() { close(inst.initDone) })
}

// markReady records the end of init at the runtime's first GET /next.
func (inst *instance) markReady() {
	inst.mu.Lock()
	first := !inst.ready && inst.initErr == nil && !inst.dead
	if first {
		inst.ready = true
	}
	inst.mu.Unlock()
	if first {
		inst.initTimer.Stop()
		inst.f.recordColdStart(time.Since(inst.startedAt))
		inst.endInit()
	}
}

// failInit ends init with err and kills the process, as Lambda resets an environment
// whose init failed. It reports false if init had already ended.
func (inst *instance) failInit(err *FunctionError) bool {
	if !inst.recordInitError(err) {
		return false
	}
	inst.kill()
	return true
}

// recordInitError ends init with err, unless it already ended.
func (inst *instance) recordInitError(err *FunctionError) bool {
	inst.mu.Lock()
	if inst.ready || inst.initErr != nil || inst.dead {
		inst.mu.Unlock()
		return false
	}
	inst.initErr = err
	inst.mu.Unlock()
	inst.endInit()
	return true
}

// initError is why init failed, or nil; valid once initDone is closed.
func (inst *instance) initError() *FunctionError {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.initErr
}

func (inst *instance) isDead() bool {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.dead
}

// exitError describes the process's exit for the invocation with the given id.
func (inst *instance) exitError(requestID string) *FunctionError {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return exitError(requestID, inst.exitStatus)
}

// assign makes inv the instance's invocation in flight and returns its deadline. It
// reports false if the process has already exited, and ends inv then: the exit would
// otherwise go unnoticed by inv.
func (inst *instance) assign(inv *invocation) (time.Time, bool) {
	now := time.Now()
	deadline := now.Add(inst.f.cfg.Timeout)
	inv.started(now, func() { inst.free(inv) }, inst.f.cfg.Record)
	inst.mu.Lock()
	dead, status := inst.dead, inst.exitStatus
	if !dead {
		inst.current = inv
	}
	inst.mu.Unlock()
	if dead {
		inv.abort(exitError(inv.id, status))
	}
	go inst.supervise(inv, deadline)
	return deadline, !dead
}

// inFlight returns the invocation in flight, or nil.
func (inst *instance) inFlight() *invocation {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	return inst.current
}

// lookup returns the invocation in flight if it has the given id.
func (inst *instance) lookup(id string) *invocation {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.current == nil || inst.current.id != id {
		return nil
	}
	return inst.current
}

// free returns the instance to the pool after the runtime completed inv.
func (inst *instance) free(inv *invocation) {
	inst.mu.Lock()
	if inst.current == inv {
		inst.current = nil
	}
	inst.mu.Unlock()
	inst.f.release(inst, true)
}

// supervise enforces the invocation's deadline, and disposes of the instance if the
// invocation did not end by the runtime's response (completed invocations free it
// themselves): a detached one's instance is free again when its runtime asks for the
// next invocation, and is let go if it exits or the deadline passes first.
func (inst *instance) supervise(inv *invocation, deadline time.Time) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-inv.done:
	case <-timer.C:
		// Lambda resets the environment after a timeout: the function may be stuck.
		inv.abort(timeoutError(inst.f.cfg.Timeout))
	case <-inst.exited:
		// wait has aborted the invocation.
		<-inv.done
	}
	reusable := false
	switch inv.endedBy() {
	case completed:
		return
	case detached:
		// The runtime is still cleaning up after its failed response; it holds the slot
		// meanwhile, so that no more than MaxInstances processes run.
		select {
		case <-inv.nextAsked:
			reusable = true
		case <-inst.exited:
		case <-timer.C:
		}
	}
	inst.mu.Lock()
	if inst.current == inv {
		inst.current = nil
	}
	inst.mu.Unlock()
	inst.f.release(inst, reusable)
}

// kill ends the process group at once.
func (inst *instance) kill() {
	if !inst.isDead() {
		signalGroup(inst.pid, syscall.SIGKILL)
	}
}

// stop shuts the instance down as Lambda does: SHUTDOWN to extensions, SIGTERM, and
// SIGKILL after grace.
func (inst *instance) stop(grace time.Duration) {
	inst.shutdownOnce.Do(func() { close(inst.shutdown) })
	if !inst.isDead() {
		signalGroup(inst.pid, syscall.SIGTERM)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-inst.exited:
	case <-t.C:
		inst.kill()
		<-inst.exited
	}
}

// registerExtension records an extension and the events it wants; it returns the
// extension's identifier.
func (inst *instance) registerExtension(events []string) string {
	id := newUUID()
	inst.mu.Lock()
	inst.extensions[id] = events
	inst.mu.Unlock()
	return id
}

func (inst *instance) extensionEvents(id string) ([]string, bool) {
	inst.mu.Lock()
	defer inst.mu.Unlock()
	ev, ok := inst.extensions[id]
	return ev, ok
}
