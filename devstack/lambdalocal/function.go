package lambdalocal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// shutdownGrace is how long Close lets instances run their SIGTERM handlers before it
// kills them. Lambda gives the runtime 500 ms, and an environment with extensions 2 s in
// all.
const shutdownGrace = 2 * time.Second

// Function runs one Lambda function locally: a pool of up to Config.MaxInstances
// execution environments, started on demand and kept warm. Its methods are safe for
// concurrent use.
type Function struct {
	cfg  Config
	arn  string
	logs *logSink

	// slots limits concurrent invocations (and environments) to MaxInstances: a slot is
	// held from Invoke's start until its invocation ended, or while an instance inits.
	slots   chan struct{}
	closing chan struct{}

	mu         sync.Mutex
	closed     bool
	seq        int
	all        map[*instance]struct{} // instances whose process has not been reaped
	idle       []*instance            // warm and free, most recently used last
	coldStarts []time.Duration

	closeOnce sync.Once
}

// New validates cfg and returns a Function. It starts nothing: instances start on the
// first invocations (or Warm) and then stay warm until Close.
func New(cfg Config) (*Function, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	f := &Function{
		cfg:     cfg,
		arn:     cfg.arn(),
		slots:   make(chan struct{}, cfg.MaxInstances),
		closing: make(chan struct{}),
		all:     map[*instance]struct{}{},
	}
	if cfg.Logs != nil {
		f.logs = &logSink{w: cfg.Logs}
	}
	return f, nil
}

// Warm starts one instance and waits until it has initialized, that is until it asks for
// its first invocation; the instance then waits warm in the pool. It does nothing if the
// function already has MaxInstances instances. An init failure is returned as a
// *FunctionError. If ctx ends first, Warm returns ctx.Err() and the instance finishes its
// init in the background.
func (f *Function) Warm(ctx context.Context) error {
	if err := f.acquire(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	if f.closed || len(f.all) >= f.cfg.MaxInstances {
		closed := f.closed
		f.mu.Unlock()
		<-f.slots
		if closed {
			return ErrClosed
		}
		return nil
	}
	inst, err := f.spawnLocked()
	f.mu.Unlock()
	if err != nil {
		<-f.slots
		return err
	}
	ferr, err := f.awaitInit(ctx, inst)
	switch {
	case err != nil:
		return err
	case ferr != nil:
		return ferr
	}
	f.release(inst, true)
	return nil
}

// Invoke runs one invocation with payload (a JSON event, usually) on a warm instance,
// starting one if none is free and fewer than MaxInstances exist, or else waiting for one.
//
// It returns once the function has started its response, or the invocation failed; see
// Response for reading the body and checking the outcome. What the function did wrong —
// an error it reported, a timeout, a crash, a failed init — is reported in Response.Err,
// not as an error. Invoke returns an error only if no invocation took place or the
// caller stopped waiting: ctx ended (ctx.Err()), the Function is closed (ErrClosed), the
// payload is too large (ErrRequestTooLarge). If ctx ends while the function runs, Invoke
// returns at once; the function runs on, and its instance takes no other invocation
// until it has finished — unless it streams its response, whose POST then fails (see
// Response).
func (f *Function) Invoke(ctx context.Context, payload []byte) (*Response, error) {
	if len(payload) > maxRequestBytes {
		return nil, ErrRequestTooLarge
	}
	if err := f.acquire(ctx); err != nil {
		return nil, err
	}
	// The runtime reads the payload after Invoke may have returned (ctx ended).
	payload = bytes.Clone(payload)
	if payload == nil {
		payload = []byte{}
	}
	for {
		inst, fresh, ferr, err := f.take(ctx)
		if err != nil {
			return nil, err
		}
		inv := newInvocation(newUUID(), payload)
		if ferr != nil {
			inv.abort(ferr)
			return inv.resp, nil
		}
		resp, retry, err := f.dispatch(ctx, inst, fresh, inv)
		if !retry {
			return resp, err
		}
	}
}

// InvokeBytes is Invoke for callers that want the whole response: it reads and closes
// the body. When the function failed, the error is a *FunctionError (even if part of a
// streamed body had arrived).
func (f *Function) InvokeBytes(ctx context.Context, payload []byte) ([]byte, error) {
	resp, err := f.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.Err != nil {
		return nil, resp.Err
	}
	return b, nil
}

// ColdStarts returns, for each instance that completed its init so far, the time from
// starting its process to its first request for an invocation, in that order.
func (f *Function) ColdStarts() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.coldStarts)
}

// Close shuts every instance down as Lambda does: SIGTERM to the process group, so that
// aws-lambda-go's WithEnableSIGTERM handlers run, and SIGKILL to what is left after two
// seconds. It returns when every process has exited; invocations still running end with
// a Runtime.ExitError. Later calls to Invoke and Warm return ErrClosed; Close is
// idempotent and always returns nil.
func (f *Function) Close() error {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.closed = true
		close(f.closing)
		instances := slices.Collect(maps.Keys(f.all))
		f.idle = nil
		f.mu.Unlock()

		var wg sync.WaitGroup
		for _, inst := range instances {
			wg.Go(func() { inst.stop(shutdownGrace) })
		}
		wg.Wait()
	})
	return nil
}

// acquire takes a slot, waiting for one while all are in use.
func (f *Function) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case f.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-f.closing:
		return ErrClosed
	}
}

// release gives back the slot held for inst (nil: for no instance). A reusable instance
// returns to the pool; any other is killed first and waited for, so that no more than
// MaxInstances processes ever run.
func (f *Function) release(inst *instance, reusable bool) {
	switch {
	case inst == nil:
	case reusable:
		f.mu.Lock()
		// An instance that died meanwhile is forgotten by its wait; checked under f.mu
		// so that it is not added back after that.
		if !f.closed && !inst.isDead() {
			f.idle = append(f.idle, inst)
		}
		f.mu.Unlock()
	default:
		inst.kill()
		<-inst.exited
	}
	<-f.slots
}

// take returns an instance for the invocation holding a slot: the most recently used
// idle one (warm caches), or else a new one once it has initialized (fresh). If it
// returns a *FunctionError (init failed) or an error, the slot has been given back.
func (f *Function) take(ctx context.Context) (inst *instance, fresh bool, ferr *FunctionError, err error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		<-f.slots
		return nil, false, nil, ErrClosed
	}
	for n := len(f.idle); n > 0; n = len(f.idle) {
		inst = f.idle[n-1]
		f.idle = f.idle[:n-1]
		if !inst.isDead() {
			f.mu.Unlock()
			return inst, false, nil, nil
		}
	}
	inst, err = f.spawnLocked()
	f.mu.Unlock()
	if err != nil {
		<-f.slots
		if errors.As(err, &ferr) {
			return nil, false, ferr, nil
		}
		return nil, false, nil, err
	}
	if ferr, err = f.awaitInit(ctx, inst); ferr != nil || err != nil {
		return nil, false, ferr, err
	}
	return inst, true, nil, nil
}

// spawnLocked starts an instance and registers it; f.mu is held.
func (f *Function) spawnLocked() (*instance, error) {
	inst, err := f.startInstance()
	if err != nil {
		return nil, err
	}
	f.all[inst] = struct{}{}
	return inst, nil
}

// awaitInit waits for a new instance to initialize, with the caller's slot. On failure
// the slot is given back; if ctx ends, init carries on (as in Lambda) holding the slot,
// and the instance joins the pool if it succeeds.
func (f *Function) awaitInit(ctx context.Context, inst *instance) (*FunctionError, error) {
	select {
	case <-inst.initDone:
	case <-ctx.Done():
		go func() {
			<-inst.initDone
			f.release(inst, inst.initError() == nil)
		}()
		return nil, ctx.Err()
	}
	if ferr := inst.initError(); ferr != nil {
		f.release(inst, false)
		if f.isClosed() {
			// Close killed it; that is no fault of the function.
			return nil, ErrClosed
		}
		return ferr, nil
	}
	return nil, nil
}

// dispatch hands inv to inst and waits for the response to start. It asks for a retry
// when a warm instance turned out to have died while idle (after a panic, say): the
// invocation never reached it, and Lambda too would start a fresh environment.
func (f *Function) dispatch(ctx context.Context, inst *instance, fresh bool, inv *invocation) (resp *Response, retry bool, err error) {
	select {
	case inst.next <- inv:
	case <-inst.exited:
		if !fresh {
			return nil, true, nil
		}
		f.release(inst, false)
		inv.abort(inst.exitError(inv.id))
		return inv.resp, false, nil
	case <-ctx.Done():
		f.release(inst, true)
		return nil, false, ctx.Err()
	case <-f.closing:
		f.release(inst, true)
		return nil, false, ErrClosed
	}
	// From here the instance owns the slot and gives it back when inv ends.
	inv.stopCtx = context.AfterFunc(ctx, func() { inv.abandon(ctx.Err()) })
	select {
	case <-inv.responded:
		return inv.resp, false, nil
	case <-ctx.Done():
		inv.abandon(ctx.Err())
		inv.stopCtx()
		return nil, false, ctx.Err()
	}
}

// forget drops an instance whose process has exited.
func (f *Function) forget(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.all, inst)
	if i := slices.Index(f.idle, inst); i >= 0 {
		f.idle = slices.Delete(f.idle, i, i+1)
	}
}

func (f *Function) recordColdStart(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.coldStarts = append(f.coldStarts, d)
}

func (f *Function) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

func newUUID() string { return uuid.NewString() }
