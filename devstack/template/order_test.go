package template

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestReferences(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"Ref", `!Ref A`, []string{"A"}},
		{"GetAtt forms", `[!GetAtt B.Arn, !GetAtt [C, Arn], {"Fn::GetAtt": "D.Arn"}]`, []string{"B", "C", "D"}},
		{"Sub", `!Sub "${E}/${F.Arn}/${AWS::Region}/${!G}"`, []string{"AWS::Region", "E", "F"}},
		{"Sub variables are not references", `!Sub ["${H}-${I}", {H: !Ref J}]`, []string{"I", "J"}},
		{"nested", `{a: [{b: !Join ["", [!Ref K]]}]}`, []string{"K"}},
		{"none", `{a: plain}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeYAML([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for r := range references(v) {
				got = append(got, r)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("references = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	tmpl, err := Parse([]byte(`
Resources:
  ASub:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Topic, Endpoint: !GetAtt BQueue.Arn}
  BQueue:
    Type: AWS::SQS::Queue
    Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt ZDlq.Arn}}
  Topic: {Type: AWS::SNS::Topic}
  ZDlq: {Type: AWS::SQS::Queue}
  Explicit: {Type: AWS::SQS::Queue, DependsOn: [Topic]}
  Outside:
    Type: AWS::SQS::Queue
    Properties: {Policy: !GetAtt Role.Arn}
  Role: {Type: AWS::IAM::Role}
`))
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"ASub", "BQueue", "Explicit", "Outside", "Topic", "ZDlq"}
	got, err := tmpl.order(ids)
	if err != nil {
		t.Fatal(err)
	}
	// ZDlq before BQueue before ASub; Topic before ASub and Explicit; Role is outside
	// the set and does not hold Outside back; ties go by logical id.
	want := []string{"Outside", "Topic", "Explicit", "ZDlq", "BQueue", "ASub"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}

	cyclic, err := Parse([]byte(`
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {X: !Ref B}}
  B: {Type: AWS::SQS::Queue, Properties: {X: !GetAtt A.Arn}}
  C: {Type: AWS::SQS::Queue}
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cyclic.order([]string{"A", "B", "C"})
	if err == nil || !strings.Contains(err.Error(), "circular references between A, B") {
		t.Errorf("order of a cycle: %v", err)
	}
}
