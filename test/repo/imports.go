package repo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// ListedPackage is a package as go list describes it: its import path and the packages
// its non-test files import.
type ListedPackage struct {
	ImportPath string
	Imports    []string
}

// ListDeps returns the packages that patterns match and every package they import,
// transitively, as go list -deps lists them for a build in root with the environment
// env added (GOOS=…, GOARCH=…) and the build tags tags. Test files count for none of
// them.
func ListDeps(root string, env, tags []string, patterns ...string) ([]ListedPackage, error) {
	args := []string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	cmd.Dir = root
	// The build settings are given explicitly: ones from the environment (make test
	// exports GOFLAGS) must not change what is listed.
	cmd.Env = append(os.Environ(), append([]string{"GOFLAGS="}, env...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps %s: %v\n%s", strings.Join(patterns, " "), err, stderr.Bytes())
	}
	var pkgs []ListedPackage
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			pkgs = append(pkgs, ListedPackage{ImportPath: f[0], Imports: f[1:]})
		}
	}
	return pkgs, nil
}

// under reports whether the import path p is one of dirs or inside one of them.
func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// ImportViolations returns, for every package of pkgs under one of the folders shipping
// (import paths, such as module/internal), each package under one of the folders
// forbidden that it imports, directly or through packages that are not forbidden, as
// "A imports F (A → B → F)" by the shortest chain, sorted. pkgs must hold what the
// shipping packages import, as [ListDeps] gives it.
func ImportViolations(pkgs []ListedPackage, shipping, forbidden []string) []string {
	imports := map[string][]string{}
	for _, p := range pkgs {
		imports[p.ImportPath] = p.Imports
	}
	var out []string
	for _, p := range pkgs {
		if !under(p.ImportPath, shipping) || under(p.ImportPath, forbidden) {
			continue
		}
		// Breadth first, so that each forbidden package is reported by its shortest
		// chain; a forbidden package is not followed further: it is the fault to fix.
		from := map[string]string{p.ImportPath: ""}
		queue := []string{p.ImportPath}
		for len(queue) > 0 {
			cur := queue[0]
			queue = queue[1:]
			for _, next := range imports[cur] {
				if _, seen := from[next]; seen {
					continue
				}
				from[next] = cur
				if !under(next, forbidden) {
					queue = append(queue, next)
					continue
				}
				chain := []string{next}
				for at := cur; at != ""; at = from[at] {
					chain = append([]string{at}, chain...)
				}
				out = append(out, fmt.Sprintf("%s imports %s (%s)", p.ImportPath, next, strings.Join(chain, " → ")))
			}
		}
	}
	sort.Strings(out)
	return out
}
