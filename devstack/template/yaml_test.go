package template

import (
	"reflect"
	"strings"
	"testing"
)

func TestShortTags(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"Ref", `!Ref NatsUrl`, map[string]any{"Ref": "NatsUrl"}},
		{"GetAtt scalar", `!GetAtt RouteQueue.Arn`, map[string]any{"Fn::GetAtt": []any{"RouteQueue", "Arn"}}},
		{"GetAtt dotted attribute", `!GetAtt Db.Endpoint.Address`, map[string]any{"Fn::GetAtt": []any{"Db", "Endpoint.Address"}}},
		{"GetAtt list", `!GetAtt [RouteQueue, Arn]`, map[string]any{"Fn::GetAtt": []any{"RouteQueue", "Arn"}}},
		{"GetAtt block list", "!GetAtt\n  - RouteQueue\n  - Arn", map[string]any{"Fn::GetAtt": []any{"RouteQueue", "Arn"}}},
		{"Sub string", `!Sub "arn:${AWS::Partition}:x"`, map[string]any{"Fn::Sub": "arn:${AWS::Partition}:x"}},
		{"Sub with variables", "!Sub\n  - ${A}-${B}\n  - A: !Ref X\n    B: b",
			map[string]any{"Fn::Sub": []any{"${A}-${B}", map[string]any{"A": map[string]any{"Ref": "X"}, "B": "b"}}}},
		{"Join", `!Join [",", [a, !Ref B]]`, map[string]any{"Fn::Join": []any{",", []any{"a", map[string]any{"Ref": "B"}}}}},
		{"Select", `!Select [0, !GetAZs ""]`, map[string]any{"Fn::Select": []any{0, map[string]any{"Fn::GetAZs": ""}}}},
		{"Split", `!Split [",", !Ref List]`, map[string]any{"Fn::Split": []any{",", map[string]any{"Ref": "List"}}}},
		{"If", `!If [IsProd, 512, !Ref "AWS::NoValue"]`, map[string]any{"Fn::If": []any{"IsProd", 512, map[string]any{"Ref": "AWS::NoValue"}}}},
		{"Equals", `!Equals [!Ref Env, prod]`, map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "Env"}, "prod"}}},
		{"Not", `!Not [!Condition IsProd]`, map[string]any{"Fn::Not": []any{map[string]any{"Condition": "IsProd"}}}},
		{"And", `!And [!Condition A, !Condition B]`, map[string]any{"Fn::And": []any{map[string]any{"Condition": "A"}, map[string]any{"Condition": "B"}}}},
		{"Or", `!Or [!Condition A, !Equals [x, y]]`, map[string]any{"Fn::Or": []any{map[string]any{"Condition": "A"}, map[string]any{"Fn::Equals": []any{"x", "y"}}}}},
		{"FindInMap", `!FindInMap [Sizes, !Ref "AWS::Region", Memory]`, map[string]any{"Fn::FindInMap": []any{"Sizes", map[string]any{"Ref": "AWS::Region"}, "Memory"}}},
		{"GetAZs", `!GetAZs us-east-1`, map[string]any{"Fn::GetAZs": "us-east-1"}},
		{"ImportValue", `!ImportValue shared-vpc`, map[string]any{"Fn::ImportValue": "shared-vpc"}},
		{"ImportValue of Sub", `!ImportValue {"Fn::Sub": "${Net}-vpc"}`, map[string]any{"Fn::ImportValue": map[string]any{"Fn::Sub": "${Net}-vpc"}}},
		{"Base64", `!Base64 hello`, map[string]any{"Fn::Base64": "hello"}},
		{"Base64 of Sub", `!Base64 {"Fn::Sub": "${AWS::Region}"}`, map[string]any{"Fn::Base64": map[string]any{"Fn::Sub": "${AWS::Region}"}}},
		{"Condition", `!Condition IsProd`, map[string]any{"Condition": "IsProd"}},
		{"number stays a string under a tag", `!Sub 0123`, map[string]any{"Fn::Sub": "0123"}},
		{"long form untouched", `{"Fn::GetAtt": ["Q", "Arn"]}`, map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}},
		{"plain scalars", `[a, 1, 1.5, true, null, "2010-09-09", 2010-09-09]`, []any{"a", 1, 1.5, true, nil, "2010-09-09", "2010-09-09"}},
		{"anchors and merge keys", "base: &b {x: 1, y: 2}\nderived: {<<: *b, y: 3}",
			map[string]any{"base": map[string]any{"x": 1, "y": 2}, "derived": map[string]any{"x": 1, "y": 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeYAML([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode %q\n got %#v\nwant %#v", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestShortTagErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown tag", `!Reff X`, "unknown tag !Reff"},
		{"GetAtt without attribute", `!GetAtt RouteQueue`, "want LogicalId.Attribute"},
		{"Ref of a list", `!Ref [A, B]`, "!Ref takes a name"},
		{"duplicate key", "a: 1\na: 2", `key "a" defined twice`},
		{"bad YAML", "a: [1, 2", "did not find expected"},
		{"empty", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeYAML([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decode %q: error %v, want one containing %q", tt.yaml, err, tt.want)
			}
		})
	}
}

// TestAliasBombRefused checks that a template whose YAML aliases expand to millions of
// values is refused quickly instead of expanded.
func TestAliasBombRefused(t *testing.T) {
	y := "X:\n  a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g"} {
		y += "  " + name + ": &" + name + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
		prev = name
	}
	y += "Resources:\n  Q: {Type: X, Properties: {P: *g}}\n"
	_, err := Parse([]byte(y))
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Fatalf("Parse of an alias bomb = %v, want the expansion refused", err)
	}
}
