package stacktest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
)

// BuildEnv names the variable holding the folder of prebuilt binaries (see the package
// documentation for its layout). A relative folder is taken from the repository root.
const BuildEnv = "HERALD_TEST_BUILD"

// The binaries' places in a build folder, as make build-local lays them out.
const (
	heraldLocalName = "herald-local"
	heraldctlName   = "heraldctl"
	functionsName   = "functions"
)

// builds is the process's build folder and what has been built into it. Each binary is
// built at most once per process, whichever test asks first.
var builds struct {
	dirOnce  sync.Once
	dir      string
	prebuilt bool // dir is BuildEnv's: nothing is built, nothing removed
	dirErr   error

	stackOnce sync.Once
	stackErr  error

	ctlOnce sync.Once
	ctlErr  error
}

// buildDir returns the folder binaries are taken from: BuildEnv's, or a temporary folder
// of this process's, made at the first call.
func buildDir() (dir string, prebuilt bool, err error) {
	builds.dirOnce.Do(func() {
		if d := os.Getenv(BuildEnv); d != "" {
			if !filepath.IsAbs(d) {
				root, err := emulator.RepoRoot()
				if err != nil {
					builds.dirErr = err
					return
				}
				d = filepath.Join(root, d)
			}
			builds.dir, builds.prebuilt = d, true
			return
		}
		builds.dir, builds.dirErr = os.MkdirTemp("", "herald-test-build-")
	})
	return builds.dir, builds.prebuilt, builds.dirErr
}

// HeraldLocal returns herald-local's binary and the folder of the functions' binaries
// (<folder>/<LogicalId>/bootstrap), building both the first time this process asks
// unless BuildEnv names a folder holding them.
func HeraldLocal(t testing.TB) (bin, functions string) {
	t.Helper()
	dir, prebuilt, err := buildDir()
	if err != nil {
		t.Fatalf("stacktest: the build folder: %v", err)
	}
	bin, functions = filepath.Join(dir, heraldLocalName), filepath.Join(dir, functionsName)
	if prebuilt {
		mustExist(t, bin)
		return bin, functions
	}
	builds.stackOnce.Do(func() { builds.stackErr = buildStack(bin, functions) })
	if builds.stackErr != nil {
		t.Fatalf("stacktest: %v", builds.stackErr)
	}
	return bin, functions
}

// Heraldctl returns heraldctl's binary, building it the first time this process asks
// unless BuildEnv names a folder holding it.
func Heraldctl(t testing.TB) string {
	t.Helper()
	dir, prebuilt, err := buildDir()
	if err != nil {
		t.Fatalf("stacktest: the build folder: %v", err)
	}
	bin := filepath.Join(dir, heraldctlName)
	if prebuilt {
		mustExist(t, bin)
		return bin
	}
	builds.ctlOnce.Do(func() { builds.ctlErr = goBuild(bin, "./cmd/heraldctl") })
	if builds.ctlErr != nil {
		t.Fatalf("stacktest: %v", builds.ctlErr)
	}
	return bin
}

// LambdaBinary builds the command pkg of the repository (such as
// ./test/actions/testdata/partner) for this machine as a Lambda custom runtime's
// bootstrap, into a folder of t's, and returns its path: a function of others' for
// herald-local's -lambda-targets. Call it before Start, so that the folder outlives the
// stack.
func LambdaBinary(t testing.TB, pkg string) string {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("stacktest: building %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// mustExist fails t unless the prebuilt binary bin is there.
func mustExist(t testing.TB, bin string) {
	t.Helper()
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("stacktest: %s=%s lacks %s (make build-local builds it; or unset %s to build here): %v",
			BuildEnv, os.Getenv(BuildEnv), filepath.Base(bin), BuildEnv, err)
	}
}

// buildStack builds herald-local into bin and every function of template.yaml into
// functions, at once: herald-local as make run builds it, the functions with their
// build-<LogicalId> Makefile targets for this machine, as herald-local builds them.
func buildStack(bin, functions string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	var ids []string
	for _, fn := range tmpl.Functions() {
		ids = append(ids, fn.LogicalID)
	}
	var g errgroup.Group
	g.Go(func() error { return goBuild(bin, "./cmd/herald-local") })
	g.Go(func() error {
		_, err := localstack.BuildFunctions(context.Background(), root, functions, ids)
		return err
	})
	return g.Wait()
}

// goBuild builds the command pkg (./cmd/…) of the repository into bin.
func goBuild(bin, pkg string) error {
	root, err := emulator.RepoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s: %v\n%s", pkg, err, out)
	}
	return nil
}

// Main runs a suite package's tests and then removes the binaries this process built, if
// it built any: a suite package's TestMain is os.Exit(stacktest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	// The tests are over: nothing reads builds any more.
	if builds.dir != "" && !builds.prebuilt {
		if err := os.RemoveAll(builds.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "stacktest: removing %s: %v\n", builds.dir, err)
		}
	}
	return code
}
