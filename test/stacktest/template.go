package stacktest

import (
	"path/filepath"
	"testing"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/template"
)

// LoadTemplate parses the repository's template.yaml.
func LoadTemplate(t testing.TB) *template.Template {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// TemplateRoutes returns every HTTP route of template.yaml.
func TemplateRoutes(t testing.TB) []template.Route {
	t.Helper()
	routes, err := LoadTemplate(t).Routes()
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("template.yaml declares no HTTP routes")
	}
	return routes
}
