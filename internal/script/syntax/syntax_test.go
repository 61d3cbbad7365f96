package syntax

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string // want: "" accepts, else part of the error
	}{
		{"a declaration", "function handle(e) { return e }", ""},
		{"a var", "var handle = function (e) { return e }", ""},
		{"a const arrow", "const handle = (e) => e", ""},
		{"a let from a call", "function make() { return function (e) {} }\nlet handle = make()", ""},
		{"another function", "function transform(e) { return e }", "must define function handle(event)"},
		{"nested only", "function outer() { function handle(e) {} }", "must define function handle(event)"},
		{"a syntax error", "function handle(e) {\n  return {", "line 2"},
		{"too long", "function handle(e) {}\n//" + strings.Repeat("x", MaxSourceBytes), "at most 65536 bytes"},
		{"not UTF-8", "function handle(e) {}\n//\xff", "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.src, "handle")
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
