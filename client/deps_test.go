package client

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies keeps the client and the wire types free of the server: a program
// that imports the client must not pull in the AWS SDK, NATS or the script engine,
// nor anything else outside the standard library.
func TestDependencies(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies with")
	}
	tests := []struct {
		pkg     string // relative to this package's directory
		allowed []string
	}{
		{".", []string{"github.com/heraldhq/herald/client", "github.com/heraldhq/herald/wire"}},
		{"../wire", []string{"github.com/heraldhq/herald/wire"}},
	}
	forbidden := []string{"aws-sdk-go-v2", "nats", "goja", "/internal/"}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", tt.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", tt.pkg, err)
			}
			deps := strings.Fields(string(out))
			if len(deps) == 0 {
				t.Fatalf("go list -deps %s listed nothing, not even the package itself", tt.pkg)
			}
			for _, d := range deps {
				for _, f := range forbidden {
					if strings.Contains(d, f) {
						t.Errorf("%s depends on %s (%q)", tt.pkg, d, f)
					}
				}
				if !slices.Contains(tt.allowed, d) {
					t.Errorf("%s depends on %s, which is not the standard library; allowed: %v", tt.pkg, d, tt.allowed)
				}
			}
		})
	}
}
