// Package checkout finds the repository a local tool runs in. It depends on nothing
// else of the project, so that a command's unit tests can use it without the emulators.
package checkout

import (
	"errors"
	"os"
	"path/filepath"
)

// Root returns the directory holding the go.mod of the working directory's module: the
// repository root, where template.yaml and local/ are, when run from anywhere inside the
// repository (go test runs a package's tests in the package's directory).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it: run this inside the repository")
		}
		dir = parent
	}
}
