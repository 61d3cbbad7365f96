package repo

import (
	"fmt"
	"path/filepath"

	"github.com/heraldhq/herald/devstack/template"
)

// MissingEnv returns the reads of variables that fn's environment, Globals included,
// does not set, as "NAME, read at file:line" with file relative to root.
func MissingEnv(fn template.Function, reads []EnvRead, root string) []string {
	env, _ := fn.Properties["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	var missing []string
	for _, r := range reads {
		if _, ok := vars[r.Name]; ok {
			continue
		}
		file := r.Pos.Filename
		if rel, err := filepath.Rel(root, file); err == nil {
			file = rel
		}
		missing = append(missing, fmt.Sprintf("%s, read at %s:%d", r.Name, filepath.ToSlash(file), r.Pos.Line))
	}
	return missing
}
