package repo

import (
	"maps"
	"strings"
	"testing"
)

// TestMakefileFunctions checks the parsing of the Makefile's FUNCTIONS list.
func TestMakefileFunctions(t *testing.T) {
	tests := []struct {
		name     string
		makefile string
		want     map[string]string
		wantErr  string
	}{
		{"one line", "GO ?= go\nFUNCTIONS := A:a B:bee\nIDS := $(FUNCTIONS)\n", map[string]string{"A": "a", "B": "bee"}, ""},
		{"continued, with a comment", "FUNCTIONS = A:a \\\n\tB:b # the rest later\n", map[string]string{"A": "a", "B": "b"}, ""},
		{"missing", "GO ?= go\n", nil, "no FUNCTIONS"},
		{"empty", "FUNCTIONS :=\n", nil, "FUNCTIONS is empty"},
		{"entry without a directory", "FUNCTIONS := A:a B\n", nil, `"B"`},
		{"listed twice", "FUNCTIONS := A:a A:b\n", nil, "A twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MakefileFunctions([]byte(tt.makefile))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
