package localstack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFunctionBinary(t *testing.T) {
	if got, want := FunctionBinary("/b", "Router"), filepath.Join("/b", "Router", "bootstrap"); got != want {
		t.Errorf("FunctionBinary = %q, want %q", got, want)
	}
}

// TestPrebuiltFunctions checks that a folder of prebuilt binaries gives each function's
// path, and that a missing binary, or a folder in its place, is an error naming it.
func TestPrebuiltFunctions(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"Router", "Deliver"} {
		bin := FunctionBinary(dir, id)
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(FunctionBinary(dir, "Janitor"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ids     []string
		wantErr []string // what the error names; nil: no error
	}{
		{"all present", []string{"Router", "Deliver"}, nil},
		{"none asked", nil, nil},
		{"one missing", []string{"Router", "Bridge"}, []string{"Bridge"}},
		{"a folder in its place", []string{"Janitor", "Inbox"}, []string{"Janitor", "Inbox"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrebuiltFunctions(dir, tt.ids)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("PrebuiltFunctions(%v) = %v, want an error", tt.ids, got)
				}
				for _, id := range tt.wantErr {
					if !strings.Contains(err.Error(), "no prebuilt "+id) {
						t.Errorf("error %q does not name %s", err, id)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.ids) {
				t.Errorf("got %d binaries, want %d: %v", len(got), len(tt.ids), got)
			}
			for _, id := range tt.ids {
				if got[id] != FunctionBinary(dir, id) {
					t.Errorf("%s: %q, want %q", id, got[id], FunctionBinary(dir, id))
				}
			}
		})
	}
}

func TestActionsPasswordFile(t *testing.T) {
	if got, want := ActionsPasswordFile("/s"), filepath.Join("/s", "nats-actions-password"); got != want {
		t.Errorf("ActionsPasswordFile = %q, want %q", got, want)
	}
}
