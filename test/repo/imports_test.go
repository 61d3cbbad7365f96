package repo

import (
	"slices"
	"strings"
	"testing"
)

// TestShippingCodeImportsNoTestCode checks that no package under internal/ or
// functions/ imports, in its non-test files, directly or through other packages,
// anything under devstack/ (the local stack) or test/ (the suites): neither may end up in
// what is deployed. It checks the build for this machine and the build for Lambda, with
// the Makefile's platform and tags.
func TestShippingCodeImportsNoTestCode(t *testing.T) {
	root := repoRoot(t)
	module := repoModule(t, root)
	shipping := []string{module + "/internal", module + "/functions"}
	forbidden := []string{module + "/devstack", module + "/test"}
	builds := []struct {
		name      string
		env, tags []string
	}{
		{"this machine", nil, nil},
		{"Lambda", []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}, []string{"lambda.norpc"}},
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			pkgs, err := ListDeps(root, b.env, b.tags, "./internal/...", "./functions/...")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(pkgs, func(p ListedPackage) bool { return under(p.ImportPath, []string{module + "/functions"}) }) {
				t.Fatalf("go list found no package under %s/functions", module)
			}
			if v := ImportViolations(pkgs, shipping, forbidden); len(v) > 0 {
				t.Errorf("shipping code imports the local stack or the suites:\n\t%s", strings.Join(v, "\n\t"))
			}
		})
	}
}

// TestImportViolations checks ImportViolations on made-up packages: direct and
// transitive imports are found by their shortest chain, a forbidden package is not
// followed further, and packages outside the shipping folders are not checked.
func TestImportViolations(t *testing.T) {
	shipping := []string{"m/internal", "m/functions"}
	forbidden := []string{"m/devstack", "m/test"}
	tests := []struct {
		name string
		pkgs []ListedPackage
		want []string
	}{
		{
			name: "clean",
			pkgs: []ListedPackage{
				{"m/functions/a", []string{"m/internal/x", "fmt"}},
				{"m/internal/x", []string{"strings"}},
				{"m/cmd/tool", []string{"m/devstack/stack"}}, // not shipping
				{"m/devstack/stack", nil},
				{"m/internalx/y", []string{"m/test/t"}}, // beside internal, not in it
				{"m/test/t", nil},
			},
		},
		{
			name: "direct",
			pkgs: []ListedPackage{
				{"m/internal/x", []string{"m/test/stacktest"}},
				{"m/test/stacktest", nil},
			},
			want: []string{"m/internal/x imports m/test/stacktest (m/internal/x → m/test/stacktest)"},
		},
		{
			name: "transitive, by the shortest chain",
			pkgs: []ListedPackage{
				{"m/functions/a", []string{"m/internal/long", "m/internal/short"}},
				{"m/internal/long", []string{"m/internal/longer"}},
				{"m/internal/longer", []string{"m/devstack/testenv"}},
				{"m/internal/short", []string{"m/devstack/testenv"}},
				{"m/devstack/testenv", []string{"m/devstack/emulator"}},
				{"m/devstack/emulator", nil},
			},
			want: []string{
				"m/functions/a imports m/devstack/testenv (m/functions/a → m/internal/short → m/devstack/testenv)",
				"m/internal/long imports m/devstack/testenv (m/internal/long → m/internal/longer → m/devstack/testenv)",
				"m/internal/longer imports m/devstack/testenv (m/internal/longer → m/devstack/testenv)",
				"m/internal/short imports m/devstack/testenv (m/internal/short → m/devstack/testenv)",
			},
		},
		{
			name: "the folder itself",
			pkgs: []ListedPackage{
				{"m/functions", []string{"m/test"}},
				{"m/test", nil},
			},
			want: []string{"m/functions imports m/test (m/functions → m/test)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ImportViolations(tt.pkgs, shipping, forbidden); !slices.Equal(got, tt.want) {
				t.Errorf("violations:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// TestJSONSchemaOnlyInEventsApi checks that EventsApi alone carries the JSON Schema
// library, whose init compiles the meta-schemas of every draft at each cold start: no
// other function may import it, not even through a shared package (which is why the
// contract check is a package of its own). That EventsApi does import it shows the
// check looks where it should.
func TestJSONSchemaOnlyInEventsApi(t *testing.T) {
	root := repoRoot(t)
	module := repoModule(t, root)
	const library = "github.com/santhosh-tekuri/jsonschema"
	pkgs, err := ListDeps(root, nil, nil, "./functions/...")
	if err != nil {
		t.Fatal(err)
	}
	events := module + "/functions/events"
	var others []string
	for _, p := range pkgs {
		if rest, ok := strings.CutPrefix(p.ImportPath, module+"/functions/"); ok && !strings.Contains(rest, "/") && p.ImportPath != events {
			others = append(others, p.ImportPath)
		}
	}
	if len(others) == 0 {
		t.Fatalf("go list found no function but EventsApi under %s/functions", module)
	}
	if v := ImportViolations(pkgs, others, []string{library}); len(v) > 0 {
		t.Errorf("functions other than EventsApi import the JSON Schema library:\n\t%s", strings.Join(v, "\n\t"))
	}
	if v := ImportViolations(pkgs, []string{events}, []string{library}); len(v) == 0 {
		t.Errorf("EventsApi does not import %s: the contract check is gone, or this test looks in the wrong place", library)
	}
}
