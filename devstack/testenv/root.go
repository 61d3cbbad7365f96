package testenv

import "github.com/heraldhq/herald/devstack/emulator"

// RepoRoot returns the directory holding the go.mod of the working directory's module.
// go test runs a package's tests in the package's directory, so from there this is the
// repository root, where template.yaml and local/ are. It is [emulator.RepoRoot].
func RepoRoot() (string, error) { return emulator.RepoRoot() }
