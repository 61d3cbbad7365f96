package script_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/heraldhq/herald/internal/script"
)

// TestReuseIsolated checks that a run on a reused runtime sees nothing of what the run
// before it did to globals, built-ins and its own top level. Each script reports what
// it finds, then changes it; every run must find the same.
func TestReuseIsolated(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"global written", `
			function handle(event) {
				const seen = [typeof leak, typeof globalThis.leak2, typeof leak3];
				globalThis.leak = 1;
				leak2 = 2;
				var leak3 = 3;
				return seen;
			}`, `["undefined","undefined","undefined"]`},
		{"global built-in replaced", `
			function handle(event) {
				const seen = [typeof JSON.parse, typeof Math.max];
				JSON = null;
				globalThis.Math = {};
				return seen;
			}`, `["function","function"]`},
		{"top level kept", `
			var count = 0;
			const list = [];
			let last;
			function handle(event) {
				count++;
				list.push(event.data.n);
				const seen = [count, list.length, last];
				last = "set";
				return seen;
			}`, `[1,1,null]`},
		{"built-in prototypes", `
			function handle(event) {
				const seen = [typeof [].x, typeof "".y, typeof (1).z, [1, 2].map(n => n * 2)];
				Array.prototype.x = 1;
				String.prototype.y = 2;
				Number.prototype.z = 3;
				Array.prototype.map = function () { return "replaced" };
				try { Object.defineProperty(Array.prototype, "w", {value: 1}) } catch (e) {}
				try { Object.setPrototypeOf(Array.prototype, null) } catch (e) {}
				return seen;
			}`, `["undefined","undefined","undefined",[2,4]]`},
		{"Object.prototype", `
			function handle(event) {
				const seen = [typeof ({}).polluted, ({}).toString(), "valueOf" in {}, typeof ({}).__proto__];
				Object.prototype.polluted = true;
				Object.prototype.toString = () => "replaced";
				delete Object.prototype.valueOf;
				try { ({}).__proto__.__proto__ = {} } catch (e) {}
				try { Object.freeze(Object.prototype) } catch (e) {}
				return seen;
			}`, `["undefined","[object Object]",true,"object"]`},
		{"built-in functions replaced", `
			function handle(event) {
				const seen = [JSON.stringify({a: 1}), typeof Math.random(), typeof console.log, typeof Object.keys];
				JSON.stringify = () => "replaced";
				Math.random = () => "replaced";
				console.log = null;
				Object.keys = null;
				delete Math.max;
				return seen;
			}`, `["{\"a\":1}","number","function","function"]`},
		{"hidden built-ins", `
			function handle(event) {
				const arrayIterator = Object.getPrototypeOf([][Symbol.iterator]());
				const generator = Object.getPrototypeOf(function* () {});
				const seen = [[...[1, 2]], typeof arrayIterator.leak, typeof generator.leak];
				arrayIterator.next = () => ({done: true});
				arrayIterator.leak = 1;
				generator.leak = 1;
				Object.getPrototypeOf(async function () {}).leak = 1;
				return seen;
			}`, `[[1,2],"undefined","undefined"]`},
		{"closures and pending work", `
			function handle(event) {
				const seen = [typeof globalThis.kept, typeof globalThis.late, typeof globalThis.pending];
				globalThis.kept = () => seen;
				Promise.resolve().then(() => { globalThis.late = 1 });
				globalThis.pending = new Promise(() => {});
				const it = (function* () { while (true) yield globalThis.kept })();
				it.next();
				Array.isArray.kept = it;
				return seen;
			}`, `["undefined","undefined","undefined"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compile(t, tt.src, script.Handle)
			script.ForceReuse(s)
			const runs = 3
			for i := range runs {
				got, err := s.Run(context.Background(), event)
				if err != nil || string(got) != tt.want {
					t.Fatalf("run %d: Run = %s, %v; want %s", i+1, got, err, tt.want)
				}
			}
			if n := script.Reused(s); n != runs-1 {
				t.Errorf("%d runs used a kept runtime, want %d", n, runs-1)
			}
		})
	}
}

// TestReuseKeepsMeaning checks that on a reused runtime, whose built-ins are frozen,
// assignments that shadow a built-in's property still make an own property.
func TestReuseKeepsMeaning(t *testing.T) {
	s := compile(t, `
		function F() {}
		F.prototype = {greet() { return "hi" }};
		F.prototype.constructor = F;
		function handle(event) {
			const o = {};
			o.toString = () => "own";
			o.hasOwnProperty = 1;
			const e = new Error("m");
			e.name = "Custom";
			const f = function () {};
			f.toString = () => "fn";
			return [String(o), o.hasOwnProperty, e.toString(), String(f), new F().constructor === F,
				Object.keys(o), ({}).hasOwnProperty("x")];
		}`, script.Handle)
	script.ForceReuse(s)
	for i := range 2 {
		got, err := s.Run(context.Background(), event)
		if want := `["own",1,"Custom: m","fn",true,["toString","hasOwnProperty"],false]`; err != nil || string(got) != want {
			t.Fatalf("run %d: Run = %s, %v; want %s", i+1, got, err, want)
		}
	}
}

// TestReuseAfterInterrupt checks that a runtime whose run was stopped at the time limit
// is not kept, and that the next run sees nothing of it.
func TestReuseAfterInterrupt(t *testing.T) {
	s := compile(t, `
		function handle(event) {
			const seen = [typeof globalThis.leak, typeof [].leak];
			globalThis.leak = 1;
			Array.prototype.leak = 1;
			if (event.loop) while (true) {}
			return seen;
		}`, script.Handle)
	script.ForceReuse(s)
	const want = `["undefined","undefined"]`
	run := func(ev string) (json.RawMessage, error) {
		t.Helper()
		r, err := exec(t, context.Background(), s, json.RawMessage(ev))
		return r.Value, err
	}
	if got, err := run(`{}`); err != nil || string(got) != want {
		t.Fatalf("first run = %s, %v; want %s", got, err, want)
	}
	if _, err := run(`{"loop": true}`); !errors.Is(err, script.ErrTimeout) {
		t.Fatalf("looping run = %v, want a timeout", err)
	}
	if got, err := run(`{}`); err != nil || string(got) != want {
		t.Fatalf("run after the timeout = %s, %v; want %s", got, err, want)
	}
	// The looping run took the first run's runtime; the last one needed a new one.
	if n := script.Reused(s); n != 1 {
		t.Errorf("%d runs used a kept runtime, want 1", n)
	}
}

// TestReuseByDefault checks which scripts share runtimes without being told: those that
// do not visibly change built-ins.
func TestReuseByDefault(t *testing.T) {
	tests := []struct {
		src   string
		reuse bool
	}{
		{`function handle(event) { return {id: event.resource.id} }`, true},
		{`const seen = {}; function handle(event) { seen[event.uuid] = 1; event.data.x = 1; return null }`, true},
		{`function handle(event) { Array.prototype.last = function () { return this[this.length - 1] }; return null }`, false},
		{`function handle(event) { Math.random = () => 4; return null }`, false},
		{`function handle(event) { JSON["stringify"] = null; return null }`, false},
		{`function handle(event) { Object.defineProperty(event, "x", {value: 1}); return null }`, false},
		{`function handle(event) { JSON = {parse: () => 1}; return null }`, false},
		{`function handle(event) { let x = 1; x += 1; const y = x === 2; return y }`, true},
	}
	for _, tt := range tests {
		s := compile(t, tt.src, script.Handle)
		for range 3 {
			if _, err := s.Run(context.Background(), event); err != nil {
				t.Fatalf("%s: Run = %v", tt.src, err)
			}
		}
		if got := script.Reused(s) > 0; got != tt.reuse {
			t.Errorf("%s: reused = %v, want %v", tt.src, got, tt.reuse)
		}
	}
}
