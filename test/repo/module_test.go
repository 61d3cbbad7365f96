package repo

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModulePath(t *testing.T) {
	tests := []struct {
		name, gomod string
		want        string // "" wants an error
	}{
		{"plain", "module example.com/a\n\ngo 1.26\n", "example.com/a"},
		{"quoted, after a comment", "// the module\nmodule \"example.com/b\"\n", "example.com/b"},
		{"none", "go 1.26\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte(tt.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ModulePath(root)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("ModulePath = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ModulePath = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
