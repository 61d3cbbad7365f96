package main

import (
	"errors"
	"os"
	"path/filepath"
)

// repoRoot returns the directory holding the go.mod of the working directory's module:
// the repository, where template.yaml is and herald-local runs from. It is
// devstack/emulator's RepoRoot, kept here so that this command's unit tests need nothing
// of the emulators (make test-unit runs them).
func repoRoot() (string, error) {
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
			return "", errors.New("no go.mod in the working directory or above it: run herald-cost inside the repository")
		}
		dir = parent
	}
}
