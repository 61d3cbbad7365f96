package emulator

import "github.com/heraldhq/herald/devstack/checkout"

// RepoRoot returns the directory holding the go.mod of the working directory's module:
// the repository root, where template.yaml and local/ are (checkout.Root).
func RepoRoot() (string, error) { return checkout.Root() }
