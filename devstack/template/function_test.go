package template

import (
	"reflect"
	"testing"
)

const functionsTemplate = `
Globals:
  Function:
    Runtime: provided.al2023
    Timeout: 30
    MemorySize: 256
    Architectures: [arm64]
    Layers: [GlobalLayer]
    Environment:
      Variables:
        SHARED: global
        OVERRIDDEN: global
    Tags: !If [IsProd, {tier: prod}, {tier: dev}]
Resources:
  Zeta:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
  Alpha:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      Timeout: 5
      Layers: [OwnLayer]
      Environment:
        Variables:
          OVERRIDDEN: own
          OWN: !Ref Thing
      Tags: {tier: special}
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Q.Arn
            BatchSize: 10
        Tick:
          Type: Schedule
          Properties: {Schedule: rate(1 minute)}
  Q:
    Type: AWS::SQS::Queue
`

func TestFunctions(t *testing.T) {
	tmpl, err := Parse([]byte(functionsTemplate))
	if err != nil {
		t.Fatal(err)
	}
	fns := tmpl.Functions()
	if len(fns) != 2 || fns[0].LogicalID != "Alpha" || fns[1].LogicalID != "Zeta" {
		t.Fatalf("Functions() = %v, want Alpha and Zeta in that order", fns)
	}
	alpha, zeta := fns[0], fns[1]

	tests := []struct {
		name string
		fn   Function
		key  string
		want any
	}{
		{"function's scalar wins", alpha, "Timeout", 5},
		{"global scalar fills in", alpha, "MemorySize", 256},
		{"lists concatenate, globals first", alpha, "Layers", []any{"GlobalLayer", "OwnLayer"}},
		{"variables merge, function wins", alpha, "Environment", map[string]any{"Variables": map[string]any{
			"SHARED": "global", "OVERRIDDEN": "own", "OWN": map[string]any{"Ref": "Thing"},
		}}},
		{"an intrinsic is replaced, not merged", alpha, "Tags", map[string]any{"tier": "special"}},
		{"globals alone", zeta, "Environment", map[string]any{"Variables": map[string]any{"SHARED": "global", "OVERRIDDEN": "global"}}},
		{"global intrinsic kept", zeta, "Tags", map[string]any{"Fn::If": []any{"IsProd", map[string]any{"tier": "prod"}, map[string]any{"tier": "dev"}}}},
		{"own property", zeta, "CodeUri", "."},
		{"Events moved out", alpha, "Events", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn.Properties[tt.key]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s.%s = %#v, want %#v", tt.fn.LogicalID, tt.key, got, tt.want)
			}
		})
	}

	wantEvents := map[string]Event{
		"Queue": {Type: "SQS", Properties: map[string]any{"Queue": map[string]any{"Fn::GetAtt": []any{"Q", "Arn"}}, "BatchSize": 10}},
		"Tick":  {Type: "Schedule", Properties: map[string]any{"Schedule": "rate(1 minute)"}},
	}
	if !reflect.DeepEqual(alpha.Events, wantEvents) {
		t.Errorf("Events = %#v\nwant %#v", alpha.Events, wantEvents)
	}
	if got := alpha.EventNames(); !reflect.DeepEqual(got, []string{"Queue", "Tick"}) {
		t.Errorf("EventNames = %v", got)
	}
	if alpha.Metadata["BuildMethod"] != "makefile" {
		t.Errorf("Metadata = %v", alpha.Metadata)
	}

	// Merging copies: changing a function's properties leaves the template alone.
	alpha.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)["SHARED"] = "changed"
	again, _ := tmpl.Function("Alpha")
	if v := again.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)["SHARED"]; v != "global" {
		t.Errorf("the template changed through a Function: SHARED = %v", v)
	}
	if _, ok := tmpl.Function("Q"); ok {
		t.Error("Function(Q) found a queue")
	}
}
