package lambdalocal

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestParseFunctionError(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		headerType string
		want       FunctionError
	}{
		{"go frames", `{"errorMessage":"boom","errorType":"string","stackTrace":[{"path":"fn/main.go","line":42,"label":"handle"}]}`, "",
			FunctionError{Type: "string", Message: "boom", StackTrace: []string{"handle (fn/main.go:42)"}}},
		{"string frames", `{"errorMessage":"x","errorType":"TypeError","stackTrace":["at a (a.js:1)","at b (b.js:2)"]}`, "",
			FunctionError{Type: "TypeError", Message: "x", StackTrace: []string{"at a (a.js:1)", "at b (b.js:2)"}}},
		{"type from header", `{"errorMessage":"x"}`, "Runtime.Custom", FunctionError{Type: "Runtime.Custom", Message: "x"}},
		{"not json", `it broke`, "Runtime.Custom", FunctionError{Type: "Runtime.Custom", Message: "it broke"}},
		{"nothing", ``, "", FunctionError{Type: "Runtime.Unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseFunctionError([]byte(tt.body), tt.headerType)
			if got.Type != tt.want.Type || got.Message != tt.want.Message || !slices.Equal(got.StackTrace, tt.want.StackTrace) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestFunctionErrorJSON(t *testing.T) {
	e := timeoutError(1500 * time.Millisecond)
	if e.Error() != "Sandbox.Timedout: Task timed out after 1.50 seconds" {
		t.Errorf("Error() = %q", e.Error())
	}
	var back FunctionError
	if err := json.Unmarshal(e.marshal(), &back); err != nil || back.Type != e.Type || back.Message != e.Message {
		t.Errorf("round trip: %#v, %v", back, err)
	}
	if got := string((&FunctionError{Type: "T", Message: "m"}).marshal()); got != `{"errorType":"T","errorMessage":"m"}` {
		t.Errorf("marshal = %s", got)
	}
}
