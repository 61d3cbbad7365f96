package repo

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// TestCorsNamesSurviveSAM checks that SAM's renaming of an intrinsic CorsConfiguration's
// members leaves template.yaml's names alone, and that the check sees a name it would
// break.
func TestCorsNamesSurviveSAM(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	if problems := CheckCorsNames(tmpl); len(problems) > 0 {
		t.Errorf("template.yaml:\n\t%s", strings.Join(problems, "\n\t"))
	}
	bad, err := template.Parse([]byte(`
Parameters:
  CorsAllowOrigins: {Type: String, Default: ""}
Conditions:
  HasCors: !Not [!Equals [!Ref CorsAllowOrigins, ""]]
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: !If
        - HasCors
        - AllowOrigins: !Split [",", !Ref CorsAllowOrigins]
          MaxAge: 600
        - !Ref AWS::NoValue
`))
	if err != nil {
		t.Fatal(err)
	}
	if problems := CheckCorsNames(bad); len(problems) != 1 || !strings.Contains(problems[0], `"CorsAllowOrigins" holds AllowOrigins`) {
		t.Errorf("CheckCorsNames = %q, want CorsAllowOrigins reported once", problems)
	}
}
