package main

import (
	"context"
	"path/filepath"

	"github.com/heraldhq/herald/devstack/localstack"
)

// functionBinaries returns the binaries of the functions ids by logical id: those in
// opts.functions when it is set (prebuilt for this machine, so that many stacks, as the
// test suites start, build nothing), else each built with its build-<LogicalId> Makefile
// target, as SAM does, for this machine's platform, into <state>/build/<LogicalId>/bootstrap.
func functionBinaries(ctx context.Context, opts options, ids []string) (map[string]string, error) {
	if opts.functions != "" {
		return localstack.PrebuiltFunctions(opts.functions, ids)
	}
	return localstack.BuildFunctions(ctx, opts.root, filepath.Join(opts.state, "build"), ids)
}
