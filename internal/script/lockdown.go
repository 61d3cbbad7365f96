package script

import (
	"regexp"

	"github.com/dop251/goja"
)

// A runtime is reused for many runs of one script (see pool.go). What one run could
// leave for the next is in what they share: the built-ins (the intrinsics, such as
// Array.prototype or JSON) and the global object. So a runtime that is to be reused is
// locked down before its first run: every object reachable from the globals, the
// prototypes of iterators, generators and async functions included, is frozen, and
// each run gets a global object of its own, a copy of the prepared one. Nothing a run
// does to a built-in can then outlast it, since nothing can be done to one, and what it
// adds to the global object is dropped with it.
//
// Freezing has a cost in meaning: an assignment to a property that a frozen prototype
// holds fails, even on an object of the script's own (the "override mistake": with
// Object.prototype frozen, o.toString = f would not make an own property). The data
// properties of Object.prototype, of the error prototypes and Function.prototype's
// toString and constructor are therefore accessors that make the own property, as
// assignment does in any runtime. And a script that visibly means to change a
// built-in (see reusable) keeps the old way: a fresh, unfrozen runtime for each run.

// freezeAll freezes every object reachable from the roots through prototypes and own
// properties (values, getters and setters). It runs once per runtime, before any
// script, with the built-ins as they came.
var freezeAll = goja.MustCompile("lockdown.js", `(function (roots) {
	const ownKeys = Reflect.ownKeys, describe = Reflect.getOwnPropertyDescriptor,
		proto = Reflect.getPrototypeOf, freeze = Object.freeze;
	const seen = new Set(), list = [];
	const visit = o => {
		if ((typeof o === "object" && o !== null || typeof o === "function") && !seen.has(o)) {
			seen.add(o);
			list.push(o);
		}
	};
	roots.forEach(visit);
	for (let i = 0; i < list.length; i++) {
		const o = list[i];
		visit(proto(o));
		for (const k of ownKeys(o)) {
			const d = describe(o, k);
			visit(d.value);
			visit(d.get);
			visit(d.set);
		}
	}
	list.forEach(freeze);
	return list.length;
})`, true)

// hiddenIntrinsics makes objects whose prototypes are built-ins that no global names:
// iterators, generators and async functions, and a strict arguments object, whose
// callee is the %ThrowTypeError% function.
var hiddenIntrinsics = goja.MustCompile("hidden.js", `[
	[][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](),
	""[Symbol.iterator](), /a/[Symbol.matchAll](""), function* () {}, (function* () {})(),
	async function () {}, async () => {}, (function () { "use strict"; return arguments })(),
]`, true)

// overridable names the prototypes whose data properties scripts commonly shadow by
// assignment (see above), with the properties; nil for all of them.
var overridable = map[string][]string{
	"Object":         nil,
	"Function":       {"toString", "constructor"},
	"Error":          {"name", "message", "toString", "constructor"},
	"EvalError":      {"name", "message", "constructor"},
	"RangeError":     {"name", "message", "constructor"},
	"ReferenceError": {"name", "message", "constructor"},
	"SyntaxError":    {"name", "message", "constructor"},
	"TypeError":      {"name", "message", "constructor"},
	"URIError":       {"name", "message", "constructor"},
	"AggregateError": {"name", "message", "constructor"},
}

// global is a property of the prepared global object, copied to the global object of
// each run.
type global struct {
	name                             string
	value                            goja.Value
	writable, configurable, enumable goja.Flag
}

// lockdown freezes the built-ins and records the global object, which it leaves
// unfrozen: each run gets a copy (see newGlobal). It reports false if that could not
// be done, and the runtime must then not be reused.
func (s *sandbox) lockdown() bool {
	g := s.vm.GlobalObject()
	for ctor, names := range overridable {
		c, ok := g.Get(ctor).(*goja.Object)
		if !ok {
			continue
		}
		if proto, ok := c.Get("prototype").(*goja.Object); ok {
			s.makeOverridable(proto, names)
		}
	}
	describe, _ := goja.AssertFunction(g.Get("Reflect").(*goja.Object).Get("getOwnPropertyDescriptor"))
	err := s.protect(func() {
		roots := []any{s.must(s.vm.RunProgram(hiddenIntrinsics))}
		for _, name := range g.GetOwnPropertyNames() {
			d := s.must(describe(goja.Undefined(), g, s.vm.ToValue(name))).(*goja.Object)
			v := d.Get("value")
			if name != "globalThis" {
				roots = append(roots, v)
			}
			s.globals = append(s.globals, global{name, v,
				flag(d.Get("writable")), flag(d.Get("configurable")), flag(d.Get("enumerable"))})
		}
		fn, _ := goja.AssertFunction(s.must(s.vm.RunProgram(freezeAll)))
		s.must(fn(goja.Undefined(), s.vm.NewArray(roots...)))
	})
	s.steps, s.joining = nil, nil
	return err == nil
}

func flag(v goja.Value) goja.Flag {
	if v.ToBoolean() {
		return goja.FLAG_TRUE
	}
	return goja.FLAG_FALSE
}

// makeOverridable turns the named data properties of proto (all of them if names is
// nil) into accessors that read the original value and, assigned through an object
// that inherits from proto, define the property on that object.
func (s *sandbox) makeOverridable(proto *goja.Object, names []string) {
	if names == nil {
		names = proto.GetOwnPropertyNames()
	}
	for _, name := range names {
		v := proto.Get(name)
		if v == nil || name == "__proto__" {
			continue
		}
		get := s.vm.ToValue(func(goja.FunctionCall) goja.Value { return v })
		// Assigned through proto itself, or through an object that is not extensible,
		// it does nothing, as assigning to a frozen object does outside strict mode.
		set := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
			if this, ok := call.This.(*goja.Object); ok && this != proto {
				_ = this.DefineDataProperty(name, call.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			}
			return goja.Undefined()
		})
		_ = proto.DefineAccessorProperty(name, get, set, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

// newGlobal gives the runtime a new global object, a copy of the prepared one.
func (s *sandbox) newGlobal() {
	g := s.vm.NewObject()
	for _, p := range s.globals {
		v := p.value
		if p.name == "globalThis" {
			v = g
		}
		_ = g.DefineDataProperty(p.name, v, p.writable, p.configurable, p.enumable)
	}
	s.vm.SetGlobalObject(g)
}

// changesBuiltins matches scripts that may mean to change a built-in: they name a
// prototype, or redefine or freeze properties, or assign to a global built-in or to a
// property of one (JSON = …, Math.random = …, JSON.stringify = …). It need not be exact: a script it
// misses runs on frozen built-ins, where its change has no effect; one it matches
// needlessly runs in a fresh runtime, as every script once did.
var changesBuiltins = regexp.MustCompile(`prototype|__proto__|constructor|defineProperty|defineProperties|` +
	`setPrototypeOf|freeze|seal|preventExtensions|Object\s*\.\s*assign|` +
	`\b(Object|Function|Array|String|Number|Boolean|Symbol|BigInt|Math|JSON|Date|RegExp|Promise|Reflect|Proxy|` +
	`Map|Set|WeakMap|WeakSet|Error|\w+Error|Intl|console|Iterator|globalThis|undefined|NaN|Infinity|` +
	`isNaN|isFinite|parseInt|parseFloat|encodeURI\w*|decodeURI\w*|escape|unescape|eval)\s*(\.\s*[\w$]+|\[[^\]]*\])*\s*` +
	`(([-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=[^=]|\+\+|--)`)

// reusable reports whether runs of src may share a locked-down runtime.
func reusable(src string) bool { return !changesBuiltins.MatchString(src) }
