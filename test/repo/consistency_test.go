package repo

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/template"
)

// TestTemplateConsistency runs every template check on the repository's template.yaml.
func TestTemplateConsistency(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	checks := []struct {
		name  string
		check func(*template.Template) []string
	}{
		{"functions build through the Makefile", func(tmpl *template.Template) []string { return CheckBuilds(tmpl, root, dirs) }},
		{"references name what the template defines", CheckRefs},
		{"SQS events report batch item failures", CheckSQSEvents},
		{"tables expire items", CheckTableTTL},
		{"queues redrive to a dead-letter queue", CheckRedrive},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if problems := c.check(tmpl); len(problems) > 0 {
				t.Errorf("template.yaml:\n\t%s", strings.Join(problems, "\n\t"))
			}
		})
	}
}

// TestMakeBuildTargets runs `make -n build-<LogicalId>` for every function, as SAM runs
// the target, and checks that the recipe builds ./functions/<dir> into
// $(ARTIFACTS_DIR)/bootstrap.
func TestMakeBuildTargets(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	artifacts := t.TempDir()
	for _, fn := range tmpl.Functions() {
		t.Run(fn.LogicalID, func(t *testing.T) {
			dir, ok := dirs[fn.LogicalID]
			if !ok {
				t.Fatalf("the Makefile's FUNCTIONS has no %s:<dir> entry", fn.LogicalID)
			}
			target := "build-" + fn.LogicalID
			cmd := exec.Command("make", "--no-print-directory", "-n", target, "ARTIFACTS_DIR="+artifacts)
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("make -n %s: %v\n%s", target, err, out)
			}
			fields := strings.Fields(string(out))
			if pkg := "./functions/" + dir; !slices.Contains(fields, pkg) {
				t.Errorf("make -n %s does not build %s:\n%s", target, pkg, out)
			}
			if i := slices.Index(fields, "-o"); i < 0 || i+1 == len(fields) || fields[i+1] != filepath.Join(artifacts, "bootstrap") {
				t.Errorf("make -n %s does not write $(ARTIFACTS_DIR)/bootstrap:\n%s", target, out)
			}
		})
	}
}

// TestFunctionEnvironment checks that template.yaml sets, for every function, each
// HERALD_ variable that the function's code can read: in its own package and in the
// packages of this module it depends on, as built for Lambda (see ScanEnvReads).
func TestFunctionEnvironment(t *testing.T) {
	tmpl, root := repoTemplate(t)
	dirs := repoMakefileFunctions(t, root)
	module := repoModule(t, root)
	for _, fn := range tmpl.Functions() {
		t.Run(fn.LogicalID, func(t *testing.T) {
			t.Parallel()
			dir, ok := dirs[fn.LogicalID]
			if !ok {
				t.Fatalf("the Makefile's FUNCTIONS has no %s:<dir> entry", fn.LogicalID)
			}
			pkgs, err := ModulePackages(root, module, dir)
			if err != nil {
				t.Fatal(err)
			}
			own := module + "/functions/" + dir
			if !slices.ContainsFunc(pkgs, func(p GoPackage) bool { return p.ImportPath == own }) {
				t.Fatalf("go list -deps ./functions/%s does not list %s itself", dir, own)
			}
			reads, err := ScanEnvReads(pkgs, own, EnvReaders(module))
			if err != nil {
				t.Fatal(err)
			}
			if missing := MissingEnv(fn, reads, root); len(missing) > 0 {
				t.Errorf("%s reads variables that template.yaml does not set for it:\n\t%s", fn.LogicalID, strings.Join(missing, "\n\t"))
			}
		})
	}
}

// repoRoot returns the repository root, the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// repoTemplate loads the repository's template.yaml and returns it with the repository
// root, the directory holding go.mod.
func repoTemplate(t *testing.T) (*template.Template, string) {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl, root
}

// repoMakefileFunctions returns the repository Makefile's FUNCTIONS list.
func repoMakefileFunctions(t *testing.T, root string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := MakefileFunctions(data)
	if err != nil {
		t.Fatalf("Makefile: %v", err)
	}
	return dirs
}

// repoModule returns the module path declared in the repository's go.mod.
func repoModule(t *testing.T, root string) string {
	t.Helper()
	module, err := ModulePath(root)
	if err != nil {
		t.Fatal(err)
	}
	return module
}
