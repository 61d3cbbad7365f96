package script_test

import (
	"testing"

	"github.com/dop251/goja"
)

// TestStringifyMatchesGoja checks the sandbox's JSON.stringify, which is bounded,
// against goja's own on the cases its semantics turn on.
func TestStringifyMatchesGoja(t *testing.T) {
	tests := []string{
		`JSON.stringify({a: 1, b: "x", c: [1, 2, {d: null}], e: true, f: false})`,
		`JSON.stringify([undefined, function () {}, Symbol("s"), null])`,
		`JSON.stringify({a: undefined, b: function () {}, c: Symbol("s"), [Symbol("k")]: 1, d: 0})`,
		`JSON.stringify("\u0000\b\f\n\r\t\"\\\u001f\u007f\u2028é😀/")`,
		`JSON.stringify(["\ud800", "x\udc00y", "\ud83d\ude00", "\udc00\ud800"])`,
		`JSON.stringify([NaN, Infinity, -Infinity, -0, 1e21, 1.5e-7, 0.1, 2 ** 53, -1])`,
		`JSON.stringify({d: new Date(0), t: {toJSON(key) { return "key:" + key }}})`,
		`JSON.stringify([new Number(3), new String("s"), new Boolean(false), Object(1n) instanceof Object])`,
		`JSON.stringify({2: "b", 1: "a", x: "c", [-1]: "d"})`,
		`JSON.stringify(Object.create({inherited: 1}, {own: {value: 2, enumerable: true}, hidden: {value: 3}}))`,
		`JSON.stringify([new Map([[1, 2]]), new Set([1]), /re/g, new Error("e")])`,
		`JSON.stringify([1, , 3])`,
		`JSON.stringify({a: 1, b: [1, 2], c: {d: 3}}, (k, v) => typeof v === "number" ? v * 10 : v)`,
		`JSON.stringify({a: 1, b: 2}, function (k, v) { return k === "" ? [this[""] === v, v] : v })`,
		`JSON.stringify({a: 1, b: 2, c: {a: 3, d: 4}, 1: 5}, ["a", "c", 1, new String("b"), "a", {}])`,
		`JSON.stringify({a: [1, {b: 2}], c: {}, d: []}, null, 2)`,
		`JSON.stringify({a: [1, {b: 2}]}, null, "--")`,
		`JSON.stringify({a: [1]}, null, 20)`,
		`JSON.stringify({a: [1]}, null, "0123456789abc")`,
		`JSON.stringify({a: [1]}, null, new Number(3))`,
		`JSON.stringify({a: [1]}, null, 0)`,
		`JSON.stringify(undefined) === undefined`,
		`JSON.stringify(function () {}) === undefined`,
		`JSON.stringify("top")`,
		`JSON.stringify(new Proxy({a: 1}, {}))`,
		`JSON.stringify({a: new Proxy([1, [2]], {})}, null, 1)`,
		`JSON.stringify({get g() { return "got" }})`,
		`JSON.stringify({toJSON() { return undefined }}) === undefined`,
		`(() => { try { const a = {}; a.a = a; return JSON.stringify(a) } catch (e) { return e.name } })()`,
		`(() => { try { return JSON.stringify({n: 1n}) } catch (e) { return e.name } })()`,
		`(() => { try { return JSON.stringify({toJSON() { throw new SyntaxError("mine") }}) } catch (e) { return e.message } })()`,
		`(() => { const shared = [1]; return JSON.stringify([shared, shared]) })()`,
	}
	for _, expr := range tests {
		t.Run(expr, func(t *testing.T) {
			// The result of the sandbox is the string as JSON: compare it with what
			// goja's JSON.stringify makes of goja's.
			want, err := goja.New().RunString("JSON.stringify(" + expr + ")")
			if err != nil {
				t.Fatalf("goja: %v", err)
			}
			r, err := handle(t, "return "+expr)
			if err != nil {
				t.Fatalf("sandbox: %v", err)
			}
			if string(r.Value) != want.String() {
				t.Errorf("sandbox %s\n   goja %s", r.Value, want)
			}
		})
	}
}
