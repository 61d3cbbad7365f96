package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// buildFunctions builds every function with its build-<LogicalId> Makefile target, as SAM
// does, for this machine's platform, into <state>/build/<LogicalId>/bootstrap. It returns
// the binaries' paths by logical id.
func buildFunctions(ctx context.Context, root, state string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for _, id := range ids {
		dir := filepath.Join(state, "build", id)
		out[id] = filepath.Join(dir, "bootstrap")
		g.Go(func() error {
			cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", root, "build-"+id,
				"ARTIFACTS_DIR="+dir, "LAMBDA_GOOS="+runtime.GOOS, "LAMBDA_GOARCH="+runtime.GOARCH)
			var stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stderr, &stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("building %s (make build-%s): %w\n%s", id, id, err, stderr.String())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
