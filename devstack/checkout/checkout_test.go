package checkout

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRoot finds the repository from a package folder, and fails outside any module.
func TestRoot(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "template.yaml")); err != nil {
		t.Errorf("Root() = %s, which holds no template.yaml", root)
	}
	t.Chdir(t.TempDir())
	if got, err := Root(); err == nil {
		t.Errorf("outside a module, Root() = %s, want an error", got)
	}
}
