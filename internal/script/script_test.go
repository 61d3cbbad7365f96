package script_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/script"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name  string
		entry string
		src   string
		want  string
	}{
		{"derived event", script.Handle, `
			function handle(event) {
				return {event: "job.JobReported", resource: event.resource, data: {count: event.data.items.length}};
			}`,
			`{"event":"job.JobReported","resource":{"type":"jobsvc.Job","id":"VX-1"},"data":{"count":2}}`},
		{"list of events", script.Handle, `
			function handle(event) {
				return event.data.items.map(id => ({event: "item.ItemReported", resource: {type: "itemsvc.Item", id}}));
			}`,
			`[{"event":"item.ItemReported","resource":{"type":"itemsvc.Item","id":"a"}},{"event":"item.ItemReported","resource":{"type":"itemsvc.Item","id":"b"}}]`},
		{"null", script.Handle, `function handle(event) { return null }`, `null`},
		{"undefined is null", script.Handle, `function handle(event) {}`, `null`},
		{"a function is null", script.Handle, `function handle(event) { return handle }`, `null`},
		{"transform reshapes", script.Transform, `
			function transform(event) {
				const {resource, data} = event;
				return {id: resource.id, n: data.n * 10, tags: [...data.items].reverse()};
			}`,
			`{"id":"VX-1","n":20,"tags":["b","a"]}`},
		{"transform to a scalar", script.Transform, `function transform(event) { return event.resource.id }`, `"VX-1"`},
		{"arrow function in a const", script.Transform, `const transform = e => e.data.n`, `2`},
		{"async function", script.Handle, `
			async function handle(event) {
				const n = await Promise.resolve(event.data.n);
				return {n};
			}`,
			`{"n":2}`},
		{"top-level state", script.Handle, `
			const prefix = "job.";
			let calls = 0;
			function handle(event) { calls++; return {event: prefix + "X", calls} }`,
			`{"event":"job.X","calls":1}`},
		{"sync decision", script.Handle, `
			function handle(event) {
				if (event.data.n > 1) return {approve: false, reason: "n is " + event.data.n};
				return {approve: true};
			}`,
			`{"approve":false,"reason":"n is 2"}`},
		{"toJSON and dates", script.Handle, `function handle(event) { return {at: new Date(0)} }`, `{"at":"1970-01-01T00:00:00.000Z"}`},
		{"unicode", script.Handle, `function handle(event) { return "é😀\u2028\u0001" }`, `"é😀` + "\u2028" + `\u0001"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := compile(t, tt.src, tt.entry).Run(context.Background(), event)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Run = %s\nwant  %s", got, tt.want)
			}
		})
	}
}

// TestRunIsolated checks that a run sees nothing an earlier run left behind.
func TestRunIsolated(t *testing.T) {
	s := compile(t, `
		var count = 0;
		function handle(event) {
			count++;
			globalThis.seen = (globalThis.seen || 0) + 1;
			Array.prototype.polluted = true;
			return [count, seen, typeof [].polluted];
		}`, script.Handle)
	for range 3 {
		got, err := s.Run(context.Background(), event)
		if err != nil || string(got) != `[1,1,"boolean"]` {
			t.Fatalf("Run = %s, %v; want [1,1,\"boolean\"] every time", got, err)
		}
	}
}

func TestLogs(t *testing.T) {
	s := compile(t, `
		function handle(event) {
			console.log("event", event.resource.id, event.data, [1, "two"], function f() {}, 3n, undefined);
			console.warn({nested: {deep: true}});
			for (let i = 0; i < 30; i++) console.info("line " + i);
			console.error("x".repeat(5000));
			throw new Error("after logging");
		}`, script.Handle)
	r, err := exec(t, context.Background(), s, event)
	var ex *script.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("Exec = %v, want an *Exception", err)
	}
	want := []string{
		`event VX-1 {"n":2,"items":["a","b"]} [1,"two"] [Function f] 3n undefined`,
		`{"nested":{"deep":true}}`,
	}
	if len(r.Logs) != script.DefaultMaxLogLines {
		t.Fatalf("%d log lines, want %d", len(r.Logs), script.DefaultMaxLogLines)
	}
	for i, w := range want {
		if r.Logs[i] != w {
			t.Errorf("Logs[%d] = %q, want %q", i, r.Logs[i], w)
		}
	}
	if want := 30 + 2 + 1 - script.DefaultMaxLogLines; r.DroppedLogs != want {
		t.Errorf("DroppedLogs = %d, want %d", r.DroppedLogs, want)
	}

	// A long line is cut.
	r, err = handle(t, `console.log("y".repeat(5000))`)
	if err != nil || len(r.Logs) != 1 || len(r.Logs[0]) > 1024 || !strings.HasSuffix(r.Logs[0], "…") {
		t.Errorf("Exec = %v, logs %q; want one line of at most 1024 bytes ending in …", err, r.Logs)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // a part of the message
	}{
		{"syntax error", "function handle(event) {\n  return {a: 1,,};\n}", "syntax error at line 2"},
		{"unterminated", "function handle(event) {", "syntax error at line 1"},
		{"early error", "function handle(event) {\n  let a; let a;\n}", "syntax error at line 2"},
		{"missing handle", "function handler(event) {}", "must define function handle(event)"},
		{"handle not a function", "var handle = 42", "must define function handle(event)"},
		{"empty", "", "must define function handle(event)"},
		{"throws while loading", "function handle(e) {}\nundefinedThing.x;", "throws when loaded: ReferenceError: undefinedThing is not defined at script.js:2"},
		{"endless while loading", "while (true) {}\nfunction handle(e) {}", "takes longer than 100ms to load"},
		{"too long", "function handle(e) {}\n//" + strings.Repeat("x", script.MaxSourceBytes), "must be at most 65536 bytes"},
		{"not UTF-8", "function handle(e) { return '\xff' }", "must be UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := script.Compile(tt.src, script.Handle)
			if d := time.Since(start); d > guard {
				t.Fatalf("Compile returned after %v", d)
			}
			if msg := reason(t, err); !strings.Contains(msg, tt.want) {
				t.Errorf("Compile error %q, want it to contain %q", msg, tt.want)
			}
		})
	}

	// The caller names the field; an HTTP API answers 400 with it.
	_, err := script.Compile("function transform(", script.Transform)
	var fe *fault.Error
	if !errors.As(fault.Prefix(err, "action.transform"), &fe) || fe.Kind != fault.Invalid || fe.Fields[0].Field != "action.transform" {
		t.Errorf("prefixed error = %v, want a fault Invalid on action.transform", fe)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		// check inspects the error.
		check func(t *testing.T, err error)
	}{
		{"exception", `throw new TypeError("no items in " + event.resource.id)`, exception("TypeError: no items in VX-1", "handle (script.js:2:")},
		{"runtime error", `return event.missing.field`, exception("TypeError: Cannot read property 'field' of undefined", "handle (script.js:2:")},
		{"thrown object", `throw {code: 42}`, exception(`{"code":42}`, "handle")},
		{"thrown string", `throw "plain"`, exception("plain", "handle")},
		{"rejected promise", `return Promise.reject(new RangeError("later"))`, exception("RangeError: later", "")},
		{"deep recursion", `function down(n) { return down(n + 1) + 1 } return down(0)`, exception("RangeError: Maximum call stack size exceeded", "down (script.js:2:")},
		{"endless loop", `while (true) {}`, timeout("handle (script.js:")},
		{"endless loop in a callback", `return [1].map(() => { for (;;) {} })`, timeout("script.js:2:")},
		{"catastrophic backtracking", `return /^(?=a)(a+)+b$/.test("a".repeat(40))`, timeout("")},
		{"huge result", `return "x".repeat(300 * 1024)`, result("larger than 245760 bytes")},
		{"sparse result", `return new Array(1e6)`, result("larger than 245760 bytes")},
		{"BigInt result", `return {n: 1n}`, result("BigInt")},
		{"cyclic result", `const a = {}; a.self = a; return a`, result("circular")},
		{"never settles", `return new Promise(() => {})`, result("never settles")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := handle(t, tt.body)
			tt.check(t, err)
		})
	}
}

// exception checks for an *Exception with the message and a location that begins so.
func exception(msg, at string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var ex *script.Exception
		if !errors.As(err, &ex) {
			t.Fatalf("error = %v (%T), want an *Exception", err, err)
		}
		if ex.Message != msg || !strings.HasPrefix(ex.At, at) {
			t.Errorf("exception %q at %q, want %q at %q…", ex.Message, ex.At, msg, at)
		}
	}
}

// timeout checks for a *TimeoutError that matches ErrTimeout, at a place that begins so.
func timeout(at string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var te *script.TimeoutError
		if !errors.Is(err, script.ErrTimeout) || !errors.As(err, &te) || !te.Timeout() {
			t.Fatalf("error = %v (%T), want a *TimeoutError", err, err)
		}
		if te.Limit != script.DefaultTimeout || !strings.HasPrefix(te.At, at) {
			t.Errorf("timeout after %v at %q, want %v at %q…", te.Limit, te.At, script.DefaultTimeout, at)
		}
	}
}

// result checks for a *ResultError whose message holds msg.
func result(msg string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var re *script.ResultError
		if !errors.As(err, &re) || !strings.Contains(re.Message, msg) {
			t.Fatalf("error = %v (%T), want a *ResultError about %q", err, err, msg)
		}
	}
}

func TestContextCancel(t *testing.T) {
	s, err := script.Options{Timeout: script.MaxTimeout}.Compile(`function handle(event) { for (;;) {} }`, script.Handle)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = exec(t, ctx, s, event)
	if !errors.Is(err, context.Canceled) || errors.Is(err, script.ErrTimeout) {
		t.Errorf("Exec after cancel = %v, want context.Canceled and not a timeout", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err = exec(t, ctx, s, event); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec past the context's deadline = %v, want context.DeadlineExceeded", err)
	}

	// A context done already runs nothing.
	if _, err = exec(t, ctx, s, event); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec with a done context = %v, want context.DeadlineExceeded", err)
	}
}

// TestConcurrent runs one Script on many goroutines: each run must see its own event.
// Run with -race. The time limit is wall time, and a loaded machine (-race, other tests'
// runs still finishing a built-in) may delay a run, so it is long here.
func TestConcurrent(t *testing.T) {
	s, err := script.Options{Timeout: script.MaxTimeout}.Compile(`
		let runs = 0;
		function handle(event) {
			runs++;
			let sum = 0;
			for (let i = 0; i < 1000; i++) sum += event.n;
			console.log("n", event.n);
			return {n: event.n, sum, runs};
		}`, script.Handle)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				n := g*1000 + i
				r, err := s.Exec(context.Background(), json.RawMessage(fmt.Sprintf(`{"n": %d}`, n)))
				want := fmt.Sprintf(`{"n":%d,"sum":%d,"runs":1}`, n, n*1000)
				if err != nil || string(r.Value) != want || len(r.Logs) != 1 || r.Logs[0] != fmt.Sprintf("n %d", n) {
					t.Errorf("Exec(n=%d) = %s, %q, %v; want %s", n, r.Value, r.Logs, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBadEvent(t *testing.T) {
	s := compile(t, `function handle(event) { return event }`, script.Handle)
	for _, ev := range []string{``, `{`, `{"a": 1} x`, strings.Repeat("[", 2000) + strings.Repeat("]", 2000)} {
		if _, err := exec(t, context.Background(), s, json.RawMessage(ev)); err == nil || !strings.Contains(err.Error(), "event") {
			t.Errorf("Exec(%.20q…) = %v, want an error about the event", ev, err)
		}
	}
}

func TestOptions(t *testing.T) {
	s, err := script.Options{Timeout: 20 * time.Millisecond, MaxResultBytes: 10, MaxCallDepth: 10, MaxLogLines: -1}.Compile(`
		function handle(event) {
			console.log("dropped");
			if (event.mode === "loop") for (;;) {}
			if (event.mode === "deep") return (function f(n) { return n && f(n - 1) })(20);
			return "0123456789";
		}`, script.Handle)
	if err != nil {
		t.Fatal(err)
	}
	r, err := exec(t, context.Background(), s, json.RawMessage(`{}`))
	result("larger than 10 bytes")(t, err)
	if len(r.Logs) != 0 || r.DroppedLogs != 1 {
		t.Errorf("logs %q, %d dropped; want none kept, one dropped", r.Logs, r.DroppedLogs)
	}
	var te *script.TimeoutError
	if _, err := exec(t, context.Background(), s, json.RawMessage(`{"mode": "loop"}`)); !errors.As(err, &te) || te.Limit != 20*time.Millisecond {
		t.Errorf("Exec = %v, want a timeout after 20ms", err)
	}
	_, err = exec(t, context.Background(), s, json.RawMessage(`{"mode": "deep"}`))
	exception("RangeError: Maximum call stack size exceeded", "f (script.js:")(t, err)
}

// TestAbandoned checks that a run stuck inside a built-in (here a backtracking regular
// expression, which goja cannot interrupt) is abandoned at the limit, counted while it
// goes on, and uncounted when it ends.
func TestAbandoned(t *testing.T) {
	_, err := handle(t, `return /^(?=a)(a+)+b$/.test("a".repeat(40))`)
	timeout("")(t, err)
	if n := script.Abandoned(); n < 1 {
		t.Errorf("Abandoned() = %d just after, want at least 1", n)
	}
	deadline := time.Now().Add(guard)
	for script.Abandoned() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("Abandoned() = %d after %v, want 0", script.Abandoned(), guard)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
