package emulator

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root := repoRoot(t)
	for _, f := range []string{"go.mod", "template.yaml", "local/emulators.mjs"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("repository root %s: %v", root, err)
		}
	}
}
