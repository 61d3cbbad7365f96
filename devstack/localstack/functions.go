package localstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// FunctionBinary is where a folder of function binaries keeps the function with the
// given logical id: <dir>/<LogicalId>/bootstrap, as `make build` lays them out.
func FunctionBinary(dir, id string) string {
	return filepath.Join(dir, id, "bootstrap")
}

// BuildFunctions builds every function of ids with its build-<LogicalId> Makefile
// target, as SAM does, for this machine's platform, into dir (see [FunctionBinary]), and
// returns the binaries' paths by logical id. root is the repository, where the Makefile
// is.
func BuildFunctions(ctx context.Context, root, dir string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.NumCPU())
	for _, id := range ids {
		bin := FunctionBinary(dir, id)
		out[id] = bin
		g.Go(func() error {
			cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "-C", root, "build-"+id,
				"ARTIFACTS_DIR="+filepath.Dir(bin), "LAMBDA_GOOS="+runtime.GOOS, "LAMBDA_GOARCH="+runtime.GOARCH)
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

// PrebuiltFunctions returns the binaries of ids in dir, a folder [BuildFunctions] (or
// `make build` for this machine's platform) filled, by logical id, without building
// anything. It fails naming every binary that is missing, so that a stale folder is
// found before anything starts.
func PrebuiltFunctions(dir string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	var errs []error
	for _, id := range ids {
		bin := FunctionBinary(dir, id)
		if info, err := os.Stat(bin); err != nil || info.IsDir() {
			errs = append(errs, fmt.Errorf("no prebuilt %s: %s is not a file", id, bin))
			continue
		}
		out[id] = bin
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
