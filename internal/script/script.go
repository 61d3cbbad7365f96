package script

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/script/syntax"
)

// The entry points scripts define.
const (
	Handle    = "handle"    // function handle(event), the script of a javascript action
	Transform = "transform" // function transform(event), the transform of any action
)

// Limits and defaults.
const (
	MaxSourceBytes        = syntax.MaxSourceBytes  // the longest script
	DefaultTimeout        = 100 * time.Millisecond // the time limit of a run
	MaxTimeout            = time.Second            // the longest time limit Options may set
	DefaultMaxResultBytes = 240 << 10              // the largest result, as JSON
	DefaultMaxCallDepth   = 1000                   // the deepest JavaScript call stack
	DefaultMaxLogLines    = 20                     // console lines kept per run
)

// stopGrace is how long a run that was told to stop may take to stop before Run returns
// without it. Script code stops at once; a built-in runs to its end first.
const stopGrace = 50 * time.Millisecond

// Options are the limits of a script's runs. Zero fields take the defaults.
type Options struct {
	Timeout        time.Duration // wall time of one run, loading the script included; at most MaxTimeout
	MaxResultBytes int           // the largest result, as JSON
	MaxCallDepth   int           // the deepest JavaScript call stack
	MaxLogLines    int           // console lines kept per run; negative for none
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	o.Timeout = min(o.Timeout, MaxTimeout)
	if o.MaxResultBytes <= 0 {
		o.MaxResultBytes = DefaultMaxResultBytes
	}
	if o.MaxCallDepth <= 0 {
		o.MaxCallDepth = DefaultMaxCallDepth
	}
	switch {
	case o.MaxLogLines == 0:
		o.MaxLogLines = DefaultMaxLogLines
	case o.MaxLogLines < 0:
		o.MaxLogLines = 0
	}
	return o
}

// Script is a compiled script. It is safe for concurrent use: every run has a runtime
// of its own, a new one or one that an earlier run left as it found it (see pool.go),
// and its own scope for the script's top-level declarations, so that nothing a run
// leaves behind reaches the next one.
type Script struct {
	prog  *goja.Program // the script in a function of its own, see inScope
	entry string
	opts  Options

	reuse  bool          // runs share locked-down runtimes, see reusable
	idle   chan *sandbox // runtimes for the next runs
	reused atomic.Int64  // runs that took a kept runtime
}

// Result is what one run produced.
type Result struct {
	Value       json.RawMessage // what the entry function returned, as JSON; null for undefined
	Logs        []string        // what the script gave console.log and its kin, one line per call
	DroppedLogs int             // console calls past Options.MaxLogLines, not kept
}

// Compile is Options{}.Compile: it compiles a script with the default limits.
func Compile(src, entry string) (*Script, error) { return Options{}.Compile(src, entry) }

// Compile parses src once and loads it in a throwaway runtime, under the time limit, to
// check that it defines a function named entry (Handle or Transform). Errors are fault
// Invalid with an empty field name, which the caller names with fault.Prefix (for
// example "action.script"): src is too long, has a syntax error (with its line and
// column), throws or runs out of time while loading, or does not define the function.
func (o Options) Compile(src, entry string) (*Script, error) {
	o = o.withDefaults()
	if len(src) > MaxSourceBytes {
		return nil, fault.Field("", "must be at most "+strconv.Itoa(MaxSourceBytes)+" bytes")
	}
	if !utf8.ValidString(src) {
		return nil, fault.Field("", "must be UTF-8")
	}
	// goja's parser otherwise reads the file that a sourceMappingURL comment names.
	ast, err := parser.ParseFile(nil, scriptName, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxError(err)
	}
	if _, err := goja.CompileAST(ast, false); err != nil {
		return nil, syntaxError(err)
	}
	prog, err := inScope(ast, entry)
	if err != nil {
		return nil, syntaxError(err)
	}
	s := &Script{prog: prog, entry: entry, opts: o, reuse: reusable(src)}
	if s.reuse {
		s.idle = make(chan *sandbox, runtime.GOMAXPROCS(0))
	}
	_, err = s.exec(context.Background(), nil, true)
	var (
		timeout *TimeoutError
		ex      *Exception
	)
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, errNoEntry):
		return nil, fault.Field("", "must define function "+entry+"(event)")
	case errors.As(err, &timeout):
		return nil, fault.Field("", "takes longer than "+o.Timeout.String()+" to load")
	case errors.As(err, &ex):
		msg := "throws when loaded: " + ex.Message
		if ex.At != "" {
			msg += " at " + ex.At
		}
		return nil, fault.Field("", msg)
	}
	return nil, err
}

// syntaxError turns a parse or compile error into a fault naming its position.
func syntaxError(err error) error {
	var (
		list parser.ErrorList
		cse  *goja.CompilerSyntaxError
		cre  *goja.CompilerReferenceError
	)
	switch {
	case errors.As(err, &list) && len(list) > 0:
		return fault.Field("", syntax.Describe(err).Error())
	case errors.As(err, &cse) && cse.File != nil:
		p := cse.File.Position(cse.Offset)
		return fault.Field("", fmt.Sprintf("has a syntax error at line %d, column %d: %s", p.Line, p.Column, cse.Message))
	case errors.As(err, &cse):
		return fault.Field("", "has a syntax error: "+cse.Message)
	case errors.As(err, &cre):
		return fault.Field("", "has an error: ReferenceError: "+cre.Message)
	}
	return fault.Field("", "does not compile: "+err.Error())
}

// Run calls the entry function with the event, a JSON value, and returns what it
// returned as JSON, null for undefined. See Exec.
func (s *Script) Run(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	r, err := s.Exec(ctx, event)
	return r.Value, err
}

// Exec runs the script in a runtime of its own and calls the entry function with the event,
// parsed as by JSON.parse. A promise returned (by an async function) is settled first.
// The run stops at the time limit and when ctx is done.
//
// Errors are a *TimeoutError (errors.Is(err, ErrTimeout)) when the time limit ran out;
// one matching ctx.Err() when ctx ended the run; an *Exception when the script threw or
// overflowed its call stack; a *ResultError when the result is larger than
// Options.MaxResultBytes or not serialisable (a BigInt, a cycle). Logs are returned with
// errors too, as far as the run got, unless it had to be abandoned inside a built-in.
func (s *Script) Exec(ctx context.Context, event json.RawMessage) (Result, error) {
	return s.exec(ctx, event, false)
}

// errNoEntry reports a script that does not define its entry function.
var errNoEntry = errors.New("script: the entry function is not defined")

// timeUp is the value a run is interrupted with at its time limit.
var timeUp = errors.New("time up")

// outcome is what the goroutine of a run hands back.
type outcome struct {
	Result
	err error
}

// exec runs the script on a goroutine of its own, interrupting it at the time limit or
// when ctx is done. If it does not stop within stopGrace, being inside a long built-in,
// exec returns without it and the goroutine ends, unobserved, once the built-in
// returns. With load, it only runs the top level and looks for the entry function.
func (s *Script) exec(ctx context.Context, event json.RawMessage, load bool) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, stopped(err)
	}
	sb := s.acquire()
	if sb.reusable {
		sb.newGlobal()
	}
	done := make(chan outcome, 1)
	var state atomic.Int32 // running, finished or abandoned
	go func() {
		out := sb.run(s, event, load)
		if !state.CompareAndSwap(running, finished) {
			abandoned.Add(-1)
		}
		done <- out
	}()

	timer := time.NewTimer(s.opts.Timeout)
	defer timer.Stop()
	var cause error
	select {
	case out := <-done:
		s.release(sb, out.err)
		return out.Result, out.err
	case <-timer.C:
		cause = timeUp
	case <-ctx.Done():
		cause = ctx.Err()
	}
	sb.vm.Interrupt(cause)
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	var out outcome
	select {
	case out = <-done:
	case <-grace.C:
		if state.CompareAndSwap(running, abandonedRun) {
			abandoned.Add(1)
		} else {
			out = <-done // it finished just now
		}
	}
	// Past this point no result is taken, even one that completed just in time.
	out.Value = nil
	if cause != timeUp {
		return out.Result, stopped(cause)
	}
	var timeout *TimeoutError
	if !errors.As(out.err, &timeout) {
		timeout = &TimeoutError{Limit: s.opts.Timeout}
	}
	return out.Result, timeout
}

// The states of a run, for counting those abandoned.
const (
	running int32 = iota
	finished
	abandonedRun
)

// abandoned counts the runs that exec stopped waiting for and that are still running.
var abandoned atomic.Int64

// Abandoned returns how many runs are still going, inside a built-in, after Run gave up
// waiting for them (see the package documentation). Each ends on its own; a count that
// stays above zero means scripts that found work goja cannot interrupt, holding a CPU.
func Abandoned() int { return int(abandoned.Load()) }

func stopped(cause error) error { return fmt.Errorf("script: stopped: %w", cause) }

// run loads the script and calls its entry function, on the run's own goroutine.
func (sb *sandbox) run(s *Script, event json.RawMessage, load bool) (out outcome) {
	defer func() {
		// A panic in goja must not end the process from a goroutine nobody waits on.
		if x := recover(); x != nil {
			out.err = fmt.Errorf("script: the runtime failed: %v", x)
		}
		out.Logs, out.DroppedLogs = sb.logs, sb.dropped
	}()
	entry, err := sb.vm.RunProgram(s.prog)
	if err != nil {
		out.err = sb.classify(err, s.opts)
		return
	}
	fn, ok := goja.AssertFunction(entry)
	if !ok {
		out.err = errNoEntry
		return
	}
	if load {
		return
	}
	var arg goja.Value
	if json.Valid(event) && nesting(string(event)) <= maxNesting {
		arg, ok = sb.eventValue(event)
	}
	if arg == nil || !ok {
		out.err = errors.New("script: the event is not valid JSON, or nests too deeply")
		return
	}
	ret, err := fn(goja.Undefined(), arg)
	if err != nil {
		out.err = sb.classify(err, s.opts)
		return
	}
	if ret, err = sb.settle(ret, s); err != nil {
		out.err = err
		return
	}
	e := &encoder{s: sb, limit: s.opts.MaxResultBytes, result: true}
	if err := sb.protect(func() {
		if !e.encode(ret) {
			e.buf = append(e.buf[:0], "null"...)
		}
	}); err != nil {
		out.err = sb.classify(err, s.opts)
		return
	}
	out.Value = e.buf
	return
}

// settle returns the value a promise was fulfilled with, or v itself if it is not a
// promise. Jobs run when the entry function returns; a promise still pending then never
// settles, since the sandbox has no timers or I/O to wait for.
func (sb *sandbox) settle(v goja.Value, s *Script) (goja.Value, error) {
	o, ok := v.(*goja.Object)
	if !ok {
		return v, nil
	}
	var p *goja.Promise
	if err := sb.protect(func() { // a revoked proxy throws even here
		if o.ExportType() == promiseType {
			p, _ = o.Export().(*goja.Promise)
		}
	}); err != nil {
		return nil, sb.classify(err, s.opts)
	}
	if p == nil {
		return v, nil
	}
	switch p.State() {
	case goja.PromiseStateFulfilled:
		return p.Result(), nil
	case goja.PromiseStateRejected:
		var ex *Exception
		err := sb.protect(func() { ex = &Exception{Message: sb.message(p.Result())} })
		if err != nil {
			return nil, sb.classify(err, s.opts)
		}
		return nil, ex
	}
	return nil, &ResultError{Message: s.entry + " returned a promise that never settles"}
}

var promiseType = reflect.TypeFor[*goja.Promise]()

// classify turns an error from goja into one of this package's.
func (sb *sandbox) classify(err error, opts Options) error {
	switch e := err.(type) {
	case *goja.InterruptedError:
		if e.Value() == timeUp {
			return &TimeoutError{Limit: opts.Timeout, At: at(e.Stack())}
		}
		if cause, ok := e.Value().(error); ok {
			return stopped(cause)
		}
	case *goja.StackOverflowError:
		return &Exception{Message: "RangeError: Maximum call stack size exceeded", At: at(e.Stack())}
	case *goja.Exception:
		// Reading the value may run script code (a getter, a toString), so it is done
		// as the script, under the time limit.
		var (
			re  *ResultError
			msg string
		)
		if perr := sb.protect(func() {
			if !errors.As(e, &re) {
				msg = sb.message(e.Value())
			}
		}); perr != nil {
			if ie, ok := perr.(*goja.InterruptedError); ok {
				return sb.classify(ie, opts)
			}
			msg = "an exception that cannot be read"
		}
		if re != nil {
			return re
		}
		return &Exception{Message: msg, At: at(e.Stack())}
	}
	return err
}

// message describes a thrown value: an Error as its toString does ("TypeError: …"),
// anything else as console.log would.
func (sb *sandbox) message(v goja.Value) string {
	if o, ok := v.(*goja.Object); ok && o.ClassName() == "Error" {
		return truncate(v.String(), maxLogLineBytes)
	}
	return truncate(sb.format(v), maxLogLineBytes)
}

// at describes the innermost frame of the stack that is in the script, such as
// "handle (script.js:3:5)".
func at(stack []goja.StackFrame) string {
	for _, f := range stack {
		if f.SrcName() != scriptName {
			continue
		}
		p := f.Position()
		pos := fmt.Sprintf("%s:%d:%d", scriptName, p.Line, p.Column)
		if name := f.FuncName(); name != "" && name != "<anonymous>" {
			return name + " (" + pos + ")"
		}
		return pos
	}
	return ""
}
