package repo

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/heraldhq/herald/devstack/template"
)

// CheckBuilds reports functions SAM cannot build through the Makefile: without a
// FUNCTIONS entry (so without a build-<LogicalId> target), without functions/<dir>/main.go,
// with a Metadata.BuildMethod other than makefile, or with a CodeUri other than "." (the
// Makefile builds from the repository root). It also reports FUNCTIONS entries and folders
// under functions/ that belong to no function of the template.
func CheckBuilds(tmpl *template.Template, root string, dirs map[string]string) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	isFunction := map[string]bool{}
	built := map[string]bool{}
	for _, fn := range tmpl.Functions() {
		id := fn.LogicalID
		isFunction[id] = true
		if m, _ := fn.Metadata["BuildMethod"].(string); m != "makefile" {
			add("%s: Metadata.BuildMethod is %q, want makefile", id, m)
		}
		if uri, _ := fn.Properties["CodeUri"].(string); uri != "." {
			add("%s: CodeUri is %q, want \".\" (the Makefile builds from the repository root)", id, uri)
		}
		dir, ok := dirs[id]
		if !ok {
			add("%s: the Makefile's FUNCTIONS has no %s:<dir> entry, so there is no build-%s target", id, id, id)
			continue
		}
		built[dir] = true
		if _, err := os.Stat(filepath.Join(root, "functions", dir, "main.go")); err != nil {
			add("%s: functions/%s/main.go does not exist", id, dir)
		}
	}
	for id, dir := range dirs {
		if !isFunction[id] {
			add("Makefile FUNCTIONS: %s:%s is not a function of the template", id, dir)
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		add("functions/: %v", err)
	}
	for _, e := range entries {
		if e.IsDir() && !built[e.Name()] {
			add("functions/%s: no function of the template is built from it", e.Name())
		}
	}
	sort.Strings(problems)
	return problems
}
