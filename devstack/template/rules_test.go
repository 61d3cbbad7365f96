package template

import (
	"strings"
	"testing"
)

// TestRules checks the evaluation of Rules against parameters: what holds, what fails
// with its AssertDescription, a RuleCondition that leaves a rule out, the rule-only
// functions, and functions CloudFormation refuses in Rules.
func TestRules(t *testing.T) {
	const params = `
Parameters:
  A: {Type: String, Default: ""}
  B: {Type: String, Default: ""}
  L: {Type: CommaDelimitedList, Default: ""}
Resources:
  Q: {Type: AWS::SQS::Queue}
Rules:
`
	tests := []struct {
		name    string
		rules   string
		params  map[string]string
		wantErr string // "" for none
	}{
		{"one of two, neither", `
  R:
    Assertions:
      - Assert: !Not [!And [!Equals [!Ref A, ""], !Equals [!Ref B, ""]]]
        AssertDescription: Set A or B.`, nil, "rule R: Set A or B."},
		{"one of two, one", `
  R:
    Assertions:
      - Assert: !Not [!And [!Equals [!Ref A, ""], !Equals [!Ref B, ""]]]
        AssertDescription: Set A or B.`, map[string]string{"B": "x"}, ""},
		{"condition leaves the rule out", `
  R:
    RuleCondition: !Equals [!Ref A, "prod"]
    Assertions:
      - Assert: !Not [!Equals [!Ref B, ""]]
        AssertDescription: prod needs B.`, map[string]string{"A": "dev"}, ""},
		{"condition applies the rule", `
  R:
    RuleCondition: !Equals [!Ref A, "prod"]
    Assertions:
      - Assert: !Not [!Equals [!Ref B, ""]]
        AssertDescription: prod needs B.`, map[string]string{"A": "prod"}, "rule R: prod needs B."},
		{"an empty list parameter", `
  R:
    Assertions:
      - Assert: {"Fn::EachMemberEquals": [!Ref L, ""]}
        AssertDescription: L must be empty.`, nil, ""},
		{"a list parameter with members", `
  R:
    Assertions:
      - Assert: {"Fn::EachMemberEquals": [!Ref L, ""]}
        AssertDescription: L must be empty.`, map[string]string{"L": "a,b"}, "rule R: L must be empty."},
		{"contains", `
  R:
    Assertions:
      - Assert: {"Fn::Contains": [["x", "y"], !Ref A]}
        AssertDescription: A is x or y.`, map[string]string{"A": "z"}, "rule R: A is x or y."},
		{"Fn::If is not a rule function", `
  R:
    Assertions:
      - Assert: !If [C, true, false]`, nil, "Fn::If is not a rule function"},
		{"Fn::Join is not allowed in a rule", `
  R:
    Assertions:
      - Assert: !Equals [!Join [",", !Ref L], ""]`, nil, "Fn::Join is not allowed in a rule"},
		{"no assertions", `
  R:
    RuleCondition: !Equals [!Ref A, ""]`, nil, "rule R: Assertions: want a non-empty list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse([]byte(params + tt.rules + "\nConditions:\n  C: !Equals [!Ref A, \"\"]\n"))
			if err != nil {
				t.Fatal(err)
			}
			err = Check(tmpl, tt.params)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Check = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Check = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
