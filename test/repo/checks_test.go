package repo

import (
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// TestChecks proves that each check finds what it is meant to, on small templates.
func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		check func(*template.Template) []string
		yaml  string
		want  []string
	}{
		{
			name:  "references: every form resolves",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Ref AWS::Region
      KmsMasterKeyId: !GetAtt Queue.Arn
      TopicName: !Sub "${AWS::StackName}-${Stage}-${Queue.QueueName}-${!Literal}"
      Tags:
        - Key: local
          Value: !Sub ["${Local}-${AWS::AccountId}", {Local: !Ref Stage}]
        - Key: joined
          Value: !Join ["-", [!Ref Queue, !GetAtt [Queue, QueueName]]]
Conditions:
  IsDev: !Equals [!Ref Stage, dev]
Globals:
  Function:
    Environment:
      Variables:
        QUEUE_URL: !Ref Queue
Outputs:
  QueueArn:
    Value: !GetAtt Queue.Arn
`,
		},
		{
			name:  "references: Ref to an unknown name",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Nope
`,
			want: []string{"Resources.Topic.Properties.TopicName: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: Ref inside Fn::Join",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Join ["-", [!Ref Queue, !Ref Nope]]
`,
			want: []string{"Resources.Topic.Properties.TopicName.Fn::Join[1][1]: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: GetAtt of an unknown resource",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: !GetAtt Nope.Arn
`,
			want: []string{"Resources.Topic.Properties.KmsMasterKeyId: Fn::GetAtt Nope.Arn: Nope is not a resource"},
		},
		{
			name:  "references: GetAtt of the Url SAM generates for a Function URL",
			check: CheckRefs,
			yaml: refsBase + `
  Live:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig: {AuthType: NONE}
Outputs:
  LiveUrl:
    Value: !GetAtt LiveUrl.FunctionUrl
`,
		},
		{
			name:  "references: GetAtt of a Url without a Function URL",
			check: CheckRefs,
			yaml: refsBase + `
  Live:
    Type: AWS::Serverless::Function
    Properties:
      Timeout: 5
Outputs:
  LiveUrl:
    Value: !GetAtt LiveUrl.FunctionUrl
`,
			want: []string{"Outputs.LiveUrl.Value: Fn::GetAtt LiveUrl.FunctionUrl: LiveUrl is not a resource"},
		},
		{
			name:  "references: GetAtt of a parameter",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      KmsMasterKeyId: {"Fn::GetAtt": [Stage, Arn]}
`,
			want: []string{"Resources.Topic.Properties.KmsMasterKeyId: Fn::GetAtt Stage.Arn: Stage is not a resource"},
		},
		{
			name:  "references: unknown ${x} in Fn::Sub",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "herald-${x}"
`,
			want: []string{"Resources.Topic.Properties.TopicName: Fn::Sub ${x} names no resource, parameter, pseudo parameter or Sub variable"},
		},
		{
			name:  "references: unknown ${X.Attr} in Fn::Sub",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Nope.QueueName}-${Queue.QueueName}"
`,
			want: []string{"Resources.Topic.Properties.TopicName: Fn::Sub ${Nope.QueueName}: Nope is not a resource"},
		},
		{
			name:  "references: Ref in an Fn::Sub variable",
			check: CheckRefs,
			yaml: refsBase + `
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub ["${Local}", {Local: !Ref Nope}]
`,
			want: []string{"Resources.Topic.Properties.TopicName.Fn::Sub.Local: Ref Nope names no resource, parameter or pseudo parameter"},
		},
		{
			name:  "references: in Globals, Conditions and Outputs",
			check: CheckRefs,
			yaml: refsBase + `
Globals:
  Function:
    Environment:
      Variables:
        TABLE: !Ref NoTable
Conditions:
  IsProd: !Equals [!Ref NoParameter, prod]
Outputs:
  Url:
    Value: !Sub "https://${NoApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
`,
			want: []string{
				"Conditions.IsProd.Fn::Equals[0]: Ref NoParameter names no resource, parameter or pseudo parameter",
				"Globals.Function.Environment.Variables.TABLE: Ref NoTable names no resource, parameter or pseudo parameter",
				"Outputs.Url.Value: Fn::Sub ${NoApi} names no resource, parameter, pseudo parameter or Sub variable",
			},
		},
		{
			name:  "SQS events: one with ReportBatchItemFailures, one without",
			check: CheckSQSEvents,
			yaml: `
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Router:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Partial:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
        Whole:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
`,
			want: []string{"Router: event Whole (SQS): FunctionResponseTypes lacks ReportBatchItemFailures"},
		},
		{
			name:  "tables: missing, disabled and nameless TTL",
			check: CheckTableTTL,
			yaml: `
Resources:
  Good:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
  NoTTL:
    Type: AWS::DynamoDB::Table
  Disabled:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: false}
  Nameless:
    Type: AWS::DynamoDB::Table
    Properties:
      TimeToLiveSpecification: {Enabled: "true"}
`,
			want: []string{
				"Disabled: TimeToLiveSpecification.Enabled is false, want true",
				"Nameless: TimeToLiveSpecification has no AttributeName",
				"NoTTL: no TimeToLiveSpecification",
			},
		},
		{
			name:  "queues: without a redrive policy, or redriving elsewhere",
			check: CheckRedrive,
			yaml: `
Resources:
  WorkQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt WorkDeadLetterQueue.Arn, maxReceiveCount: 5}
  WorkDeadLetterQueue:
    Type: AWS::SQS::Queue
  BareQueue:
    Type: AWS::SQS::Queue
  TopicQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !Ref Topic, maxReceiveCount: 5}
  ElsewhereQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Topic.Arn, maxReceiveCount: 5}
  Topic:
    Type: AWS::SNS::Topic
`,
			want: []string{
				"BareQueue: no RedrivePolicy",
				"ElsewhereQueue: RedrivePolicy.deadLetterTargetArn: Topic is not a queue of the template (AWS::SNS::Topic)",
				"TopicQueue: RedrivePolicy.deadLetterTargetArn: want Fn::GetAtt <Queue>.Arn",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := template.Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(tmpl); !slices.Equal(got, tt.want) {
				t.Errorf("problems:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

// refsBase starts the templates of the reference tests: a parameter and a queue to refer
// to. The tests append resources and further sections.
const refsBase = `
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Queue:
    Type: AWS::SQS::Queue`
