package script_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/heraldhq/herald/internal/script"
)

// TestEventAsJSONParse checks that the event a script receives is what JSON.parse makes
// of the same text: key order, repeated keys, __proto__ as an own key, numbers at the
// edges, escapes and lone surrogates.
func TestEventAsJSONParse(t *testing.T) {
	events := []string{
		`{}`, `[]`, `null`, `true`, `"text"`, `-0`, `12.5e-3`,
		`{"b": 1, "a": [1, 2.5, -3e2, 1e-400, 5e-324], "2": "x", "1": null}`,
		`{"a": 1, "b": 2, "a": 3}`,
		`{"__proto__": {"polluted": true}, "x": 1}`,
		`{"s": "tab\there \"quoted\" \\ \/ \u00e9 \ud83d\ude00 \ud800 é😀"}`,
		` { "nested" : [ { "deep" : [ [ ] , { } ] } ] , "n" : 9007199254740993 } `,
		`{"toString": 1, "hasOwnProperty": 2, "constructor": 3}`,
	}
	for _, ev := range events {
		src := `
			function same(a, b) {
				if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
				if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
				const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);
				return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
			}
			function handle(event) { return same(event, JSON.parse(` + strconv.Quote(ev) + `)) }`
		for _, reuse := range []bool{false, true} {
			s, err := script.Compile(src, script.Handle)
			if err != nil {
				t.Fatal(err)
			}
			if reuse {
				script.ForceReuse(s)
			}
			got, err := s.Run(context.Background(), json.RawMessage(ev))
			if err != nil || string(got) != "true" {
				t.Errorf("%s (reused runtime %v): the event differs from JSON.parse: %s, %v", ev, reuse, got, err)
			}
		}
	}
	// What goja's JSON.parse refuses, the event is refused for.
	s := compile(t, `function handle(event) { return event }`, script.Handle)
	for _, ev := range []string{`{"a": 1e400}`, `[-1e400]`, `{"a": 1`, `{"a": 1} x`, ``} {
		if got, err := s.Run(context.Background(), json.RawMessage(ev)); err == nil {
			t.Errorf("%s: Run = %s, want an error", ev, got)
		}
	}
}
