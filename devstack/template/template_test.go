package template

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sample = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: sample
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Size:
    Type: Number
    Default: 3
    MinValue: 1
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Condition: IsProd
    DependsOn: Dlq
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
  Dlq:
    Type: AWS::SQS::Queue
Outputs:
  QueueUrl:
    Value: !Ref Queue
`

func TestParse(t *testing.T) {
	tmpl, err := Parse([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.FormatVersion != "2010-09-09" || tmpl.Transform != "AWS::Serverless-2016-10-31" || tmpl.Description != "sample" {
		t.Errorf("header = %q %v %q", tmpl.FormatVersion, tmpl.Transform, tmpl.Description)
	}
	wantParams := map[string]Parameter{
		"Stage": {Type: "String", Default: "dev", AllowedValues: []any{"dev", "prod"}},
		"Size":  {Type: "Number", Default: 3, MinValue: 1},
	}
	if !reflect.DeepEqual(tmpl.Parameters, wantParams) {
		t.Errorf("Parameters = %#v\nwant %#v", tmpl.Parameters, wantParams)
	}
	q := tmpl.Resources["Queue"]
	wantQ := Resource{
		Type:      "AWS::SQS::Queue",
		Condition: "IsProd",
		DependsOn: []string{"Dlq"},
		Properties: map[string]any{"RedrivePolicy": map[string]any{
			"deadLetterTargetArn": map[string]any{"Fn::GetAtt": []any{"Dlq", "Arn"}},
		}},
	}
	if !reflect.DeepEqual(q, wantQ) {
		t.Errorf("Queue = %#v\nwant %#v", q, wantQ)
	}
	if d := tmpl.Resources["Dlq"]; d.Properties == nil {
		t.Error("a resource without Properties has nil Properties, want an empty map")
	}
	if got := tmpl.LogicalIDs(); !reflect.DeepEqual(got, []string{"Dlq", "Queue"}) {
		t.Errorf("LogicalIDs = %v", got)
	}
	if got := tmpl.Outputs["QueueUrl"]; !reflect.DeepEqual(got, map[string]any{"Value": map[string]any{"Ref": "Queue"}}) {
		t.Errorf("Outputs.QueueUrl = %#v", got)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"not a mapping", "[1, 2]", []string{"top level is a list"}},
		{"no resources", "Description: x", []string{"Resources: missing"}},
		{"resource without type", "Resources:\n  A:\n    Properties: {}", []string{"Resources.A.Type: missing"}},
		{"properties not a mapping", "Resources:\n  A:\n    Type: X\n    Properties: [1]", []string{"Resources.A.Properties: is a list"}},
		{"every problem reported", "Parameters:\n  P: {Default: 1}\nResources:\n  A: 1\n  B: {Type: X, DependsOn: {}}",
			[]string{"Parameters.P.Type: missing", "Resources.A: is a number", "Resources.B.DependsOn"}},
		{"bad tag", "Resources:\n  A: {Type: X, Properties: {P: !Nope x}}", []string{"line 2: unknown tag !Nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// repoTemplate is Herald's own template.yaml, two directories up.
func repoTemplate(t *testing.T) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadHeraldTemplate checks that the real template parses, with what the local stack
// relies on.
func TestLoadHeraldTemplate(t *testing.T) {
	tmpl, err := Load(repoTemplate(t))
	if err != nil {
		t.Fatal(err)
	}
	for id, typ := range map[string]string{
		"EventsTopic":       TypeTopic,
		"RouteQueue":        TypeQueue,
		"InboxSubscription": TypeSubscription,
		"ConsumersTable":    TypeTable,
		"Bridge":            TypeFunction,
	} {
		if got := tmpl.Resources[id].Type; got != typ {
			t.Errorf("%s: Type %q, want %q", id, got, typ)
		}
	}
	if _, ok := tmpl.Parameters["NatsUrl"]; !ok {
		t.Error("no NatsUrl parameter")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file: %v", err)
	}
}
