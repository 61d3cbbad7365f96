package repo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// TestCheckBuilds proves CheckBuilds on a made-up repository: a function with a wrong
// build method and code location and no main.go, one the Makefile does not list, a
// Makefile entry without a function and a folder without a function.
func TestCheckBuilds(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"functions/alpha/main.go", "functions/beta/handler.go", "functions/orphan/main.go"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := template.Parse([]byte(`
Globals:
  Function:
    Runtime: provided.al2023
Resources:
  Alpha:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
  Beta:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: functions/beta
  Gamma:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: .
`))
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"Alpha": "alpha", "Beta": "beta", "Delta": "delta"}
	want := []string{
		`Beta: CodeUri is "functions/beta", want "." (the Makefile builds from the repository root)`,
		`Beta: Metadata.BuildMethod is "go1.x", want makefile`,
		`Beta: functions/beta/main.go does not exist`,
		`Gamma: the Makefile's FUNCTIONS has no Gamma:<dir> entry, so there is no build-Gamma target`,
		`Makefile FUNCTIONS: Delta:delta is not a function of the template`,
		`functions/orphan: no function of the template is built from it`,
	}
	if got := CheckBuilds(tmpl, root, dirs); !slices.Equal(got, want) {
		t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}
