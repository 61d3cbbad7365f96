package script

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// encoder writes a JavaScript value as JSON with the semantics of JSON.stringify (toJSON,
// replacer, indentation, boxed primitives, omitted undefined and functions), but within
// a byte budget and a nesting limit. goja's own JSON.stringify has neither, and runs as
// one native call that the time limit cannot stop: a script could build gigabytes from
// an array of references to one large string. The sandbox's JSON.stringify and the
// conversion of every result go through here.
type encoder struct {
	s      *sandbox
	buf    []byte
	limit  int    // the most bytes buf may hold
	result bool   // encoding a result: failures are ResultErrors, not JavaScript exceptions
	cut    bool   // formatting a log line: past the limit, stop with logCut
	gap    string // one level of indentation; "" for none
	stack  []*goja.Object

	replacer goja.Callable
	props    []string // the replacer's property list; nil for every enumerable key
}

// encode writes v as the whole document, reporting false when it serialises to nothing
// (undefined, a function or a symbol).
func (e *encoder) encode(v goja.Value) bool {
	var holder *goja.Object
	if e.replacer != nil {
		holder = e.s.vm.NewObject()
		_ = holder.DefineDataProperty("", v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return e.property(holder, "", v)
}

// property is SerializeJSONProperty: it writes v, the value of key in holder, and
// reports false (having written nothing) when v serialises to nothing.
func (e *encoder) property(holder *goja.Object, key string, v goja.Value) bool {
	if v == nil {
		return false
	}
	if o, isObj := v.(*goja.Object); isObj || goja.IsBigInt(v) {
		if !isObj {
			o = v.ToObject(e.s.vm)
		}
		if f, ok := goja.AssertFunction(o.Get("toJSON")); ok {
			v = e.s.must(f(v, e.s.vm.ToValue(key)))
		}
	}
	if e.replacer != nil {
		v = e.s.must(e.replacer(holder, e.s.vm.ToValue(key), v))
	}
	if o, ok := v.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			v = o.ToNumber()
		case "String":
			v = e.s.toString(o)
		case "Boolean":
			if b, ok := o.Export().(bool); ok {
				v = e.s.vm.ToValue(b)
			}
		case "BigInt":
			e.fail(e.s.typeError, "Do not know how to serialize a BigInt")
		}
	}
	switch x := v.(type) {
	case *goja.Object:
		if _, ok := goja.AssertFunction(x); ok {
			return false
		}
		if e.s.isArray(x) {
			e.array(x)
		} else {
			e.object(x)
		}
		return true
	case *goja.Symbol:
		return false
	case goja.String:
		e.quoteValue(x)
		return true
	}
	switch {
	case goja.IsUndefined(v):
		return false
	case goja.IsNull(v):
		e.write("null")
	case goja.IsNumber(v):
		if f := v.ToFloat(); math.IsNaN(f) || math.IsInf(f, 0) {
			e.write("null")
		} else {
			e.write(v.String())
		}
	case goja.IsBigInt(v):
		e.fail(e.s.typeError, "Do not know how to serialize a BigInt")
	default: // the one primitive left is a boolean
		if v.ToBoolean() {
			e.write("true")
		} else {
			e.write("false")
		}
	}
	return true
}

func (e *encoder) object(o *goja.Object) {
	e.enter(o)
	keys := e.props
	if keys == nil {
		keys = o.Keys()
	}
	e.write("{")
	empty := true
	for _, k := range keys {
		mark := len(e.buf)
		if !empty {
			e.write(",")
		}
		e.newline()
		e.quote(k)
		e.write(":")
		if e.gap != "" {
			e.write(" ")
		}
		if !e.property(o, k, o.Get(k)) {
			e.buf = e.buf[:mark]
			continue
		}
		empty = false
	}
	e.leave(!empty)
	e.write("}")
}

func (e *encoder) array(o *goja.Object) {
	e.enter(o)
	n := lengthOf(o)
	e.write("[")
	// A sparse array may be far longer than its contents; every element writes at
	// least a few bytes, so the budget ends the loop.
	for i := int64(0); i < n; i++ {
		if i > 0 {
			e.write(",")
		}
		e.newline()
		k := strconv.FormatInt(i, 10)
		if !e.property(o, k, o.Get(k)) {
			e.write("null")
		}
	}
	e.leave(n > 0)
	e.write("]")
}

// enter pushes o on the stack of objects being written, refusing cycles and nesting
// deeper than maxNesting (which would otherwise grow the Go stack without bound).
func (e *encoder) enter(o *goja.Object) {
	for _, p := range e.stack {
		if p == o {
			e.fail(e.s.typeError, "Converting circular structure to JSON")
		}
	}
	if len(e.stack) >= maxNesting {
		e.fail(e.s.rangeError, "Maximum call stack size exceeded")
	}
	e.stack = append(e.stack, o)
}

// leave pops the stack, first breaking the line before the closing bracket when
// indenting a non-empty object or array.
func (e *encoder) leave(nonEmpty bool) {
	e.stack = e.stack[:len(e.stack)-1]
	if nonEmpty {
		e.newline()
	}
}

func (e *encoder) newline() {
	if e.gap == "" {
		return
	}
	e.write("\n")
	for range len(e.stack) {
		e.write(e.gap)
	}
}

func (e *encoder) write(s string) {
	e.buf = append(e.buf, s...)
	e.check()
}

func (e *encoder) check() {
	if len(e.buf) > e.limit {
		if e.cut {
			panic(logCut{})
		}
		if e.result {
			panic(e.s.vm.NewGoError(&ResultError{Message: "the result is larger than " + strconv.Itoa(e.limit) + " bytes as JSON"}))
		}
		e.fail(e.s.rangeError, "Invalid string length")
	}
}

// fail throws a JavaScript error of the given constructor, or, for a result, a
// ResultError that Run returns as it is.
func (e *encoder) fail(ctor *goja.Object, msg string) {
	if e.result {
		panic(e.s.vm.NewGoError(&ResultError{Message: "the result is not serialisable as JSON: " + msg}))
	}
	e.s.throw(ctor, msg)
}

// quoteValue quotes a JavaScript string. Go strings cannot hold lone surrogates, which
// goja turns into U+FFFD when converting; only then are the UTF-16 code units read one
// by one, so that a lone surrogate is written as an escape, as JSON.stringify does.
func (e *encoder) quoteValue(s goja.String) {
	str := s.String()
	if !strings.ContainsRune(str, utf8.RuneError) {
		e.quote(str)
		return
	}
	e.buf = append(e.buf, '"')
	n := s.Length()
	var tmp [4]byte
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case utf16.IsSurrogate(rune(c)):
			if c < 0xdc00 && i+1 < n {
				if r := utf16.DecodeRune(rune(c), rune(s.CharAt(i+1))); r != utf8.RuneError {
					e.buf = append(e.buf, tmp[:utf8.EncodeRune(tmp[:], r)]...)
					i++
					continue
				}
			}
			e.buf = append(e.buf, `\u`...)
			e.buf = strconv.AppendUint(e.buf, uint64(c), 16)
		case c < utf8.RuneSelf:
			e.appendASCII(byte(c))
		default:
			e.buf = append(e.buf, tmp[:utf8.EncodeRune(tmp[:], rune(c))]...)
		}
	}
	e.buf = append(e.buf, '"')
	e.check()
}

// quote writes str, valid UTF-8, as a JSON string the way JSON.stringify does: only
// quotes, backslashes and control characters are escaped.
func (e *encoder) quote(str string) {
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(str); i++ {
		if c := str[i]; c < 0x20 || c == '"' || c == '\\' {
			e.buf = append(e.buf, str[start:i]...)
			e.appendASCII(c)
			start = i + 1
		}
	}
	e.buf = append(e.buf, str[start:]...)
	e.buf = append(e.buf, '"')
	e.check()
}

func (e *encoder) appendASCII(c byte) {
	switch c {
	case '"':
		e.buf = append(e.buf, `\"`...)
	case '\\':
		e.buf = append(e.buf, `\\`...)
	case '\b':
		e.buf = append(e.buf, `\b`...)
	case '\f':
		e.buf = append(e.buf, `\f`...)
	case '\n':
		e.buf = append(e.buf, `\n`...)
	case '\r':
		e.buf = append(e.buf, `\r`...)
	case '\t':
		e.buf = append(e.buf, `\t`...)
	default:
		if c < 0x20 {
			const hex = "0123456789abcdef"
			e.buf = append(e.buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		} else {
			e.buf = append(e.buf, c)
		}
	}
}

// stringify is the sandbox's JSON.stringify(value, replacer, space).
func (s *sandbox) stringify(call goja.FunctionCall) goja.Value {
	e := &encoder{s: s, limit: maxStringLength}
	if r, ok := call.Argument(1).(*goja.Object); ok {
		if f, ok := goja.AssertFunction(r); ok {
			e.replacer = f
		} else if s.isArray(r) {
			e.props = s.propertyList(r)
		}
	}
	e.gap = s.gap(call.Argument(2))
	if !e.encode(call.Argument(0)) {
		return goja.Undefined()
	}
	return s.vm.ToValue(string(e.buf))
}

// propertyList reads a replacer array: its strings and numbers, boxed or not, once each.
func (s *sandbox) propertyList(r *goja.Object) []string {
	n := s.checkLength(r)
	list := make([]string, 0, n)
	seen := make(map[string]bool, n)
	for i := int64(0); i < n; i++ {
		v := r.Get(strconv.FormatInt(i, 10))
		if o, ok := v.(*goja.Object); ok {
			if c := o.ClassName(); c != "String" && c != "Number" {
				continue
			}
		} else if !goja.IsString(v) && !goja.IsNumber(v) {
			continue
		}
		if k := v.String(); !seen[k] {
			seen[k] = true
			list = append(list, k)
		}
	}
	return list
}

// gap reads the space argument of JSON.stringify: a number of spaces or a string, at
// most 10 characters either way.
func (s *sandbox) gap(space goja.Value) string {
	if o, ok := space.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			space = o.ToNumber()
		case "String":
			space = s.toString(o)
		}
	}
	switch {
	case goja.IsNumber(space):
		n := min(10, space.ToInteger())
		if n < 1 {
			return ""
		}
		return strings.Repeat(" ", int(n))
	case goja.IsString(space):
		str := space.(goja.String)
		if str.Length() > 10 {
			str = str.Substring(0, 10)
		}
		return str.String()
	}
	return ""
}

// isArray is Array.isArray, which sees through proxies as ClassName does not.
func (s *sandbox) isArray(o *goja.Object) bool {
	switch o.ClassName() {
	case "Array":
		return true
	case "Object": // perhaps a proxy
		return s.must(s.isArrayFn(goja.Undefined(), o)).ToBoolean()
	}
	return false
}

// lengthOf is LengthOfArrayLike: o.length as an integer from 0 to 2^53-1.
func lengthOf(o *goja.Object) int64 {
	v := o.Get("length")
	if v == nil {
		return 0
	}
	f := v.ToNumber().ToFloat()
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= 1<<53-1:
		return 1<<53 - 1
	}
	return int64(f)
}
