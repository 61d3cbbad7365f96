package repo

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/template"
)

// TestScanEnvReads runs the scanner on testdata/envscan, whose files read variables in
// each way the scanner recognises (literal and constant names, os and config readers,
// in functions, methods and package-level declarations), read others in code that never
// runs or in tests, and mention names they do not read at all.
func TestScanEnvReads(t *testing.T) {
	reads := scanTestdata(t)
	var got []string
	for _, r := range reads {
		got = append(got, fmt.Sprintf("%s %s:%d", r.Name, filepath.ToSlash(r.Pos.Filename), r.Pos.Line))
	}
	want := []string{
		"HERALD_APP_REGION app/config.go:7",
		"HERALD_APP_TOKEN app/main.go:24",
		"HERALD_APP_URL app/main.go:29",
		"HERALD_APP_MODE app/main.go:31",
		"HERALD_APP_TIMEOUT app/main.go:32",
		"HERALD_APP_LEVEL names/names.go:14",
	}
	if !slices.Equal(got, want) {
		t.Errorf("reads:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestMissingEnv checks MissingEnv against the testdata reads and a function whose
// variables come partly from Globals.
func TestMissingEnv(t *testing.T) {
	reads := scanTestdata(t)
	tmpl, err := template.Parse([]byte(`
Globals:
  Function:
    Environment:
      Variables:
        HERALD_APP_URL: https://example.com
Resources:
  App:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          HERALD_APP_MODE: lambda
          HERALD_APP_TOKEN: ""
`))
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := tmpl.Function("App")
	if !ok {
		t.Fatal("no function App")
	}
	want := []string{
		"HERALD_APP_REGION, read at app/config.go:7",
		"HERALD_APP_TIMEOUT, read at app/main.go:32",
		"HERALD_APP_LEVEL, read at names/names.go:14",
	}
	if got := MissingEnv(fn, reads, "."); !slices.Equal(got, want) {
		t.Errorf("missing:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// scanTestdata scans the packages under testdata/envscan, with every .go file, test
// files included, so that the scanner has to leave those out itself. Positions are
// relative to testdata/envscan.
func scanTestdata(t *testing.T) []EnvRead {
	t.Helper()
	base := filepath.Join("testdata", "envscan")
	var pkgs []GoPackage
	for _, name := range []string{"app", "names"} {
		matches, err := filepath.Glob(filepath.Join(base, name, "*.go"))
		if err != nil || len(matches) == 0 {
			t.Fatalf("testdata package %s: no Go files (%v)", name, err)
		}
		p := GoPackage{ImportPath: "example.com/envscan/" + name, Dir: filepath.Join(base, name)}
		for _, m := range matches {
			p.GoFiles = append(p.GoFiles, filepath.Base(m))
		}
		pkgs = append(pkgs, p)
	}
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	reads, err := ScanEnvReads(pkgs, "example.com/envscan/app", EnvReaders(repoModule(t, root)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range reads {
		rel, err := filepath.Rel(base, reads[i].Pos.Filename)
		if err != nil {
			t.Fatal(err)
		}
		reads[i].Pos.Filename = rel
	}
	return reads
}
