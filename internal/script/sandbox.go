package script

import (
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/heraldhq/herald/internal/script/syntax"
)

// scriptName is the file name scripts get in positions and stack traces.
const scriptName = syntax.Name

// Limits that the sandbox's built-ins enforce (see the package documentation). Events
// and results are a few hundred kilobytes at most, so none of them restricts a script
// that works on one event; they stop single native calls that would otherwise run
// long or allocate much from a small input.
const (
	maxArrayLength  = 1 << 17 // elements an array method, spread or apply works through
	maxStringLength = 1 << 19 // characters of a string that repeat, pad, concat, join or JSON.stringify build
	maxNesting      = 1000    // levels of arrays and objects in JSON.parse, JSON.stringify and join
	maxLogLineBytes = 1024    // one console line, longer ones are cut
)

// removedGlobals are taken out of every runtime: binary buffers, which a script has no
// use for with JSON events and which allocate their whole size in one call; the
// garbage-collection observers, whose behaviour depends on the host; and goja's
// GoError, which belongs to embedding code.
var removedGlobals = []string{
	"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
	"BigInt64Array", "BigUint64Array",
	"WeakRef", "FinalizationRegistry", "GoError",
}

// functionKinds gets the prototypes of async and generator functions, whose
// constructors compile code from strings as Function does. (goja has no async
// generators.)
var functionKinds = goja.MustCompile("prototypes.js",
	"[Object.getPrototypeOf(async function(){}), Object.getPrototypeOf(function*(){})]", true)

// sandbox is one goja runtime set up for runs of one script, with the state of the
// current run.
type sandbox struct {
	vm *goja.Runtime

	// The original error constructors, since a script may replace the globals.
	typeError, rangeError, evalError *goja.Object

	parse     goja.Callable        // the original JSON.parse
	isArrayFn goja.Callable        // the original Array.isArray
	joining   []*goja.Object       // arrays being joined, to stop cycles
	steps     map[*goja.Object]int // the steps array iterators made, see countStep

	maxLogs int
	logs    []string
	dropped int

	protected goja.Callable // runs pending, see protect
	pending   func()

	// For a runtime that is reused: the prepared global object, which each run gets a
	// copy of (see lockdown).
	reusable bool
	globals  []global
}

// newSandbox returns a runtime that has only the ECMAScript built-ins (goja provides no
// I/O: no require, no timers, no network or file system), less those that compile code
// from strings or allocate buffers, with bounded versions of the built-ins that would
// otherwise do unbounded work in one call, and with a console that keeps what it is
// given.
func newSandbox(opts Options) *sandbox {
	vm := goja.New()
	vm.SetMaxCallStackSize(opts.MaxCallDepth)
	// goja's parser otherwise reads the file that a sourceMappingURL comment names.
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	s := &sandbox{vm: vm, maxLogs: opts.MaxLogLines}
	g := vm.GlobalObject()
	s.typeError = g.Get("TypeError").(*goja.Object)
	s.rangeError = g.Get("RangeError").(*goja.Object)
	s.evalError = g.Get("EvalError").(*goja.Object)
	s.isArrayFn, _ = goja.AssertFunction(g.Get("Array").(*goja.Object).Get("isArray"))
	s.protected, _ = goja.AssertFunction(vm.ToValue(func(goja.FunctionCall) goja.Value {
		f := s.pending
		s.pending = nil
		f()
		return goja.Undefined()
	}))
	for _, name := range removedGlobals {
		_ = g.Delete(name)
	}
	s.forbidCodeFromStrings()
	s.guardArrays()
	s.guardStrings()
	s.guardObjects()
	s.guardJSON()
	s.installConsole()
	return s
}

// protect runs f as though the script had called it, so that an exception or an
// interruption in script code that f calls comes back as an error instead of a panic.
func (s *sandbox) protect(f func()) error {
	s.pending = f
	_, err := s.protected(goja.Undefined())
	return err
}

// forbidCodeFromStrings replaces eval and the constructors of the four kinds of function
// with functions that throw an EvalError, as a browser does under a content security
// policy without 'unsafe-eval'. Parsing runs as one native call, so that a deeply nested
// string given to eval could hold the thread far beyond the time limit.
func (s *sandbox) forbidCodeFromStrings() {
	const msg = "code generation from strings is disabled"
	g := s.vm.GlobalObject()
	s.define(g, "eval", 1, func(goja.FunctionCall) goja.Value {
		s.throw(s.evalError, msg)
		return nil
	})
	protos := []*goja.Object{g.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)}
	if kinds, err := s.vm.RunProgram(functionKinds); err == nil {
		o := kinds.(*goja.Object)
		for i := range 2 {
			protos = append(protos, o.Get(string(rune('0'+i))).(*goja.Object))
		}
	}
	for _, proto := range protos {
		name := "Function"
		if c, ok := proto.Get("constructor").(*goja.Object); ok {
			name = c.Get("name").String()
		}
		ctor := s.vm.ToValue(func(goja.ConstructorCall) *goja.Object {
			s.throw(s.evalError, msg)
			return nil
		}).(*goja.Object)
		nameFunc(s.vm, ctor, name, 1)
		_ = ctor.DefineDataProperty("prototype", proto, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		writable := goja.FLAG_FALSE // as for AsyncFunction and GeneratorFunction
		if name == "Function" {
			writable = goja.FLAG_TRUE
			_ = g.DefineDataProperty("Function", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
		_ = proto.DefineDataProperty("constructor", ctor, writable, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// installConsole defines console.log, info, warn, error and debug, which keep one line
// per call, up to maxLogs lines.
func (s *sandbox) installConsole() {
	c := s.vm.NewObject()
	for _, name := range []string{"log", "info", "warn", "error", "debug"} {
		s.define(c, name, 0, s.log)
	}
	_ = s.vm.GlobalObject().DefineDataProperty("console", c, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func (s *sandbox) log(call goja.FunctionCall) goja.Value {
	if len(s.logs) >= s.maxLogs {
		s.dropped++
		return goja.Undefined()
	}
	var b strings.Builder
	for i, v := range call.Arguments {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.format(v))
		if b.Len() > maxLogLineBytes {
			break
		}
	}
	s.logs = append(s.logs, truncate(b.String(), maxLogLineBytes))
	return goja.Undefined()
}

// logCut stops the encoder once a logged value is longer than a line.
type logCut struct{}

// format writes one argument of console.log: strings as they are, objects as JSON.
func (s *sandbox) format(v goja.Value) (out string) {
	o, ok := v.(*goja.Object)
	switch {
	case !ok && goja.IsBigInt(v):
		return v.String() + "n"
	case !ok:
		return v.String()
	}
	if _, ok := goja.AssertFunction(o); ok {
		if name, ok := o.Get("name").(goja.String); ok && name.Length() > 0 {
			return "[Function " + name.String() + "]"
		}
		return "[Function]"
	}
	e := &encoder{s: s, limit: maxLogLineBytes, cut: true}
	defer func() {
		switch x := recover().(type) {
		case nil:
		case logCut:
			out = string(e.buf)
		case *goja.Object, *goja.Exception: // a cycle, a BigInt, a throwing toJSON
			out = "[object " + o.ClassName() + "]"
		default: // an interruption: the run is over
			panic(x)
		}
	}()
	e.encode(o)
	return string(e.buf)
}

// truncate cuts s to at most n bytes, on a character boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…"
	i := n - len(mark)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + mark
}

// define makes fn the method name of o, non-enumerable as built-in methods are.
func (s *sandbox) define(o *goja.Object, name string, length int, fn func(goja.FunctionCall) goja.Value) *goja.Object {
	f := s.vm.ToValue(fn).(*goja.Object)
	nameFunc(s.vm, f, name, length)
	_ = o.DefineDataProperty(name, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return f
}

// nameFunc sets the name and length of a function made from Go, which would otherwise
// be named after the Go function.
func nameFunc(vm *goja.Runtime, f *goja.Object, name string, length int) {
	_ = f.DefineDataProperty("name", vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = f.DefineDataProperty("length", vm.ToValue(length), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// throw throws a new error of the given constructor.
func (s *sandbox) throw(ctor *goja.Object, msg string) {
	o, err := s.vm.New(ctor, s.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	panic(o)
}

// must returns v, or rethrows err, an exception or interruption from script code
// called through a goja.Callable.
func (s *sandbox) must(v goja.Value, err error) goja.Value {
	if err != nil {
		panic(err)
	}
	return v
}
