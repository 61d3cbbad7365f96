package script

import (
	"math"
	"slices"
	"strconv"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// goja interrupts a script only between its own instructions: a built-in runs to its end
// whatever the time limit. The guards below check, before calling the original
// built-in, that one call cannot do unbounded work. They cover the built-ins that take a
// count or an array-like length (which cost nothing to make large: new Array(1e9) is
// empty) or that multiply their input, and the recursions that would exhaust the Go
// stack, which kills the process rather than the run. They are not a proof: see the
// package documentation.

func init() {
	// goja runs patterns that Go's regexp cannot (backreferences, lookaround) on regexp2,
	// which backtracks without limit and is never interrupted. Its default match timeout
	// is the only handle; goja reads a timed-out match as no match, so it is set to the
	// longest run: by the time a match gives up, the run that started it is over and its
	// result is discarded.
	regexp2.DefaultMatchTimeout = MaxTimeout
}

// wrap replaces the method name of o by one that runs check, which may throw or replace
// the receiver and arguments with their primitive values (so that the original does
// not convert them, and run their valueOf or toString, a second time), and then calls
// the original.
func (s *sandbox) wrap(o *goja.Object, name string, check func(call *goja.FunctionCall)) {
	fn, ok := o.Get(name).(*goja.Object)
	if !ok {
		return
	}
	orig, ok := goja.AssertFunction(fn)
	if !ok {
		return
	}
	s.define(o, name, int(lengthOf(fn)), func(call goja.FunctionCall) goja.Value {
		check(&call)
		return s.must(orig(call.This, call.Arguments...))
	})
}

// checkLength returns the length of v, an array-like object or a string, throwing a
// RangeError when it is over maxArrayLength.
func (s *sandbox) checkLength(v goja.Value) int64 {
	var n int64
	switch x := v.(type) {
	case *goja.Object:
		n = lengthOf(x)
	case goja.String:
		n = int64(x.Length())
	}
	if n > maxArrayLength {
		s.throw(s.rangeError, "length "+strconv.FormatInt(n, 10)+" is over the sandbox's limit of "+strconv.Itoa(maxArrayLength))
	}
	return n
}

// checkStringLength throws a RangeError when a string of n characters is too long to make.
func (s *sandbox) checkStringLength(n float64) {
	if n > maxStringLength {
		s.throw(s.rangeError, "Invalid string length: the sandbox makes strings of at most "+strconv.Itoa(maxStringLength)+" characters")
	}
}

// guardArrays checks the length of the receiver of every Array.prototype method, and
// of what Array.from reads, and replaces join and toLocaleString.
func (s *sandbox) guardArrays() {
	array := s.vm.GlobalObject().Get("Array").(*goja.Object)
	proto := array.Get("prototype").(*goja.Object)
	receiver := func(call *goja.FunctionCall) { s.checkLength(call.This.ToObject(s.vm)) }
	for _, name := range proto.GetOwnPropertyNames() {
		switch name {
		case "constructor", "length":
		case "join":
			s.define(proto, name, 1, s.join)
		case "toLocaleString":
			s.define(proto, name, 0, s.toLocaleString)
		case "concat":
			s.wrap(proto, name, s.checkConcat)
		case "flat":
			s.wrap(proto, name, s.checkFlat)
		default:
			s.wrap(proto, name, receiver)
		}
	}
	// Spread, for-of, destructuring, new Set(array) and the like iterate through it; it
	// must stay the same function as values.
	values := proto.Get("values")
	_ = proto.DefineDataPropertySymbol(goja.SymIterator, values, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	s.wrap(array, "from", func(call *goja.FunctionCall) { s.checkLength(call.Argument(0)) })

	// The check of values is not enough: an array iterator reads the length at every
	// step, so the array may grow after it was made, and every arguments object holds
	// the original values, unchecked. So the iterators count their steps.
	if f, ok := goja.AssertFunction(values); ok {
		if it, err := f(s.vm.NewArray()); err == nil {
			s.wrap(it.(*goja.Object).Prototype(), "next", s.countStep)
		}
	}
}

// countStep throws once an array iterator has made more than maxArrayLength steps. The
// counts are forgotten now and then, to bound the map. That cannot let a native loop
// (a spread) go on: making the iterators that fill the map takes script code, which the
// time limit stops, and a loop that runs none makes no iterators.
func (s *sandbox) countStep(call *goja.FunctionCall) {
	it, ok := call.This.(*goja.Object)
	if !ok {
		return
	}
	if s.steps == nil || len(s.steps) >= 4096 {
		s.steps = make(map[*goja.Object]int)
	}
	n := s.steps[it] + 1
	if n > maxArrayLength {
		s.throw(s.rangeError, "an array iterator went past the sandbox's limit of "+strconv.Itoa(maxArrayLength)+" elements")
	}
	s.steps[it] = n
}

// join is Array.prototype.join, bounded: goja's builds a string of any size, and
// detects cycles with a scan of every enclosing join, quadratic in the nesting.
func (s *sandbox) join(call goja.FunctionCall) goja.Value {
	o := call.This.ToObject(s.vm)
	n := s.checkLength(o)
	sep := asString(s.vm, ",")
	if v := call.Argument(0); !goja.IsUndefined(v) {
		sep = s.toString(v)
	}
	return s.joinWith(o, n, sep, s.toString)
}

// toLocaleString is Array.prototype.toLocaleString, bounded as join is.
func (s *sandbox) toLocaleString(call goja.FunctionCall) goja.Value {
	o := call.This.ToObject(s.vm)
	n := s.checkLength(o)
	return s.joinWith(o, n, asString(s.vm, ","), func(v goja.Value) goja.String {
		f, ok := goja.AssertFunction(v.ToObject(s.vm).Get("toLocaleString"))
		if !ok {
			s.throw(s.typeError, "toLocaleString is not a function")
		}
		return s.toString(s.must(f(v)))
	})
}

// joinWith joins the n elements of o, converted by str, with sep. An array met again
// inside itself joins as "", as in V8 and SpiderMonkey.
func (s *sandbox) joinWith(o *goja.Object, n int64, sep goja.String, str func(goja.Value) goja.String) goja.Value {
	if slices.Contains(s.joining, o) {
		return asString(s.vm, "")
	}
	if len(s.joining) >= maxNesting {
		s.throw(s.rangeError, "Maximum call stack size exceeded")
	}
	s.joining = append(s.joining, o)
	defer func() { s.joining = s.joining[:len(s.joining)-1] }()

	var b goja.StringBuilder
	size := 0
	for i := int64(0); i < n; i++ {
		if i > 0 {
			size += sep.Length()
			s.checkStringLength(float64(size))
			b.WriteString(sep)
		}
		v := o.Get(strconv.FormatInt(i, 10))
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			continue
		}
		part := str(v)
		size += part.Length()
		s.checkStringLength(float64(size))
		b.WriteString(part)
	}
	return b.String()
}

// checkConcat checks the length of what Array.prototype.concat would make.
func (s *sandbox) checkConcat(call *goja.FunctionCall) {
	total := s.spreadLength(call.This.ToObject(s.vm))
	for _, v := range call.Arguments {
		if total += s.spreadLength(v); total > maxArrayLength {
			break
		}
	}
	if total > maxArrayLength {
		s.throw(s.rangeError, "Invalid array length: the sandbox makes arrays of at most "+strconv.Itoa(maxArrayLength)+" elements")
	}
}

// spreadLength is the number of elements concat takes from v.
func (s *sandbox) spreadLength(v goja.Value) int64 {
	o, ok := v.(*goja.Object)
	if !ok {
		return 1
	}
	switch spreadable := o.GetSymbol(goja.SymIsConcatSpreadable); {
	case spreadable == nil || goja.IsUndefined(spreadable):
		if !s.isArray(o) {
			return 1
		}
	case !spreadable.ToBoolean():
		return 1
	}
	return lengthOf(o)
}

// checkFlat walks what Array.prototype.flat would: goja's recursion has no limit, so
// that an array that holds itself, flattened to Infinity, overflows the Go stack.
func (s *sandbox) checkFlat(call *goja.FunctionCall) {
	o := call.This.ToObject(s.vm)
	depth := 1.0
	if v := call.Argument(0); !goja.IsUndefined(v) {
		if depth = v.ToNumber().ToFloat(); math.IsNaN(depth) {
			depth = 0
		}
		call.Arguments = []goja.Value{s.vm.ToValue(depth)}
	}
	budget := int64(maxArrayLength)
	s.flatSize(o, depth, &budget, 0)
}

func (s *sandbox) flatSize(o *goja.Object, depth float64, budget *int64, level int) {
	n := lengthOf(o)
	if *budget -= n; *budget < 0 {
		s.throw(s.rangeError, "Invalid array length: the sandbox flattens at most "+strconv.Itoa(maxArrayLength)+" elements")
	}
	if depth < 1 {
		return
	}
	if level >= maxNesting {
		s.throw(s.rangeError, "Maximum call stack size exceeded")
	}
	for i := int64(0); i < n; i++ {
		if el, ok := o.Get(strconv.FormatInt(i, 10)).(*goja.Object); ok && s.isArray(el) {
			s.flatSize(el, depth-1, budget, level+1)
		}
	}
}

// guardStrings bounds the String.prototype methods whose output a count multiplies, and
// those that make one value per character.
func (s *sandbox) guardStrings() {
	proto := s.vm.GlobalObject().Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	s.wrap(proto, "repeat", func(call *goja.FunctionCall) {
		str, ok := s.thisString(call)
		if !ok {
			return
		}
		n := call.Argument(0).ToNumber()
		call.Arguments = []goja.Value{n}
		if str.Length() > 0 {
			s.checkStringLength(n.ToFloat() * float64(str.Length()))
		}
	})
	pad := func(call *goja.FunctionCall) {
		if _, ok := s.thisString(call); !ok {
			return
		}
		args := slices.Clone(call.Arguments)
		if len(args) == 0 {
			return
		}
		args[0] = args[0].ToNumber()
		call.Arguments = args
		s.checkStringLength(args[0].ToFloat())
	}
	s.wrap(proto, "padStart", pad)
	s.wrap(proto, "padEnd", pad)
	s.wrap(proto, "concat", func(call *goja.FunctionCall) {
		str, ok := s.thisString(call)
		if !ok {
			return
		}
		size := float64(str.Length())
		args := make([]goja.Value, len(call.Arguments))
		for i, v := range call.Arguments {
			str := s.toString(v)
			args[i] = str
			size += float64(str.Length())
		}
		call.Arguments = args
		s.checkStringLength(size)
	})
	s.wrap(proto, "split", s.checkSplit)
	if iter, ok := proto.GetSymbol(goja.SymIterator).(*goja.Object); ok {
		if orig, ok := goja.AssertFunction(iter); ok {
			f := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
				if str, ok := s.thisString(&call); ok {
					s.checkLength(str)
				}
				return s.must(orig(call.This))
			}).(*goja.Object)
			nameFunc(s.vm, f, "[Symbol.iterator]", 0)
			_ = proto.DefineDataPropertySymbol(goja.SymIterator, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
}

// checkSplit refuses to split a string longer than maxArrayLength unless the number of
// pieces is known to be small enough: from the limit, or from the separator's length.
func (s *sandbox) checkSplit(call *goja.FunctionCall) {
	if _, ok := call.Argument(0).(*goja.Object); ok {
		// A RegExp or another splitter: it receives the receiver as it is.
		if str, ok := call.This.(goja.String); ok && str.Length() > maxArrayLength && !s.smallLimit(call.Argument(1)) {
			s.checkLength(str)
		}
		return
	}
	str, ok := s.thisString(call)
	if !ok || str.Length() <= maxArrayLength || s.smallLimit(call.Argument(1)) {
		return
	}
	sepArg := call.Argument(0)
	if goja.IsUndefined(sepArg) {
		return
	}
	sep := s.toString(sepArg)
	call.Arguments = append([]goja.Value{sep}, call.Arguments[1:]...)
	if sep.Length() == 0 || str.Length()/sep.Length()+1 > maxArrayLength {
		s.checkLength(str)
	}
}

// smallLimit reports whether the limit argument of split is at most maxArrayLength.
func (s *sandbox) smallLimit(v goja.Value) bool {
	if goja.IsUndefined(v) {
		return false
	}
	return uint32(v.ToInteger()) <= maxArrayLength
}

// thisString converts the receiver to a primitive string and puts it back in the call,
// reporting false for null and undefined, which the original rejects.
func (s *sandbox) thisString(call *goja.FunctionCall) (goja.String, bool) {
	switch {
	case call.This == nil || goja.IsUndefined(call.This) || goja.IsNull(call.This):
		return nil, false
	}
	if _, ok := call.This.(*goja.Symbol); ok {
		return nil, false
	}
	str := s.toString(call.This)
	call.This = str
	return str, true
}

// toString is the ToString operation. goja's Value.ToString leaves numbers, booleans,
// null and undefined as they are.
func (s *sandbox) toString(v goja.Value) goja.String {
	v = v.ToString()
	switch x := v.(type) {
	case goja.String:
		return x
	case *goja.Symbol:
		s.throw(s.typeError, "Cannot convert a Symbol value to a string")
	}
	return asString(s.vm, v.String())
}

// guardObjects bounds the methods that make one property per character of a string,
// and those that turn an array-like into arguments.
func (s *sandbox) guardObjects() {
	g := s.vm.GlobalObject()
	object := g.Get("Object").(*goja.Object)
	reflect := g.Get("Reflect").(*goja.Object)
	perChar := func(call *goja.FunctionCall) {
		for _, v := range call.Arguments {
			if o, ok := v.(*goja.Object); ok && o.ClassName() == "String" || goja.IsString(v) {
				s.checkLength(v)
			}
		}
	}
	for _, name := range []string{"keys", "values", "entries", "getOwnPropertyNames", "getOwnPropertyDescriptors", "assign"} {
		s.wrap(object, name, perChar)
	}
	s.wrap(reflect, "ownKeys", perChar)
	proto := g.Get("Function").(*goja.Object).Get("prototype").(*goja.Object)
	s.wrap(proto, "apply", func(call *goja.FunctionCall) { s.checkLength(call.Argument(1)) })
	s.wrap(reflect, "apply", func(call *goja.FunctionCall) { s.checkLength(call.Argument(2)) })
	s.wrap(reflect, "construct", func(call *goja.FunctionCall) { s.checkLength(call.Argument(1)) })
}

// guardJSON replaces JSON.stringify (see encoder) and checks the nesting of what
// JSON.parse is given: goja's parser recurses per level, at a cost of hundreds of bytes
// of Go stack each.
func (s *sandbox) guardJSON() {
	j := s.vm.GlobalObject().Get("JSON").(*goja.Object)
	s.parse, _ = goja.AssertFunction(j.Get("parse"))
	s.define(j, "parse", 2, func(call goja.FunctionCall) goja.Value {
		text := call.Argument(0).ToString()
		s.checkNesting(text.String())
		return s.must(s.parse(goja.Undefined(), text, call.Argument(1)))
	})
	s.define(j, "stringify", 3, s.stringify)
}

func (s *sandbox) checkNesting(text string) {
	if nesting(text) > maxNesting {
		s.throw(s.rangeError, "JSON nested more than "+strconv.Itoa(maxNesting)+" levels deep")
	}
}

// nesting returns how deep arrays and objects nest in the JSON text, or a number over
// maxNesting as soon as it is over. It counts brackets outside strings up to the first
// unbalanced one, where a parser would stop, so it is never less than the depth a parser
// reaches.
func nesting(text string) int {
	depth, deepest := 0, 0
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			if depth++; depth > deepest {
				if deepest = depth; deepest > maxNesting {
					return deepest
				}
			}
		case ']', '}':
			if depth--; depth < 0 {
				return deepest
			}
		}
	}
	return deepest
}

// asString returns s as a JavaScript string.
func asString(vm *goja.Runtime, s string) goja.String {
	return vm.ToValue(s).(goja.String)
}
