package template

import (
	"reflect"
	"strings"
	"sync"
	"testing"
)

const resolveTemplate = `
Parameters:
  NatsUrl: {Type: String}
  LogLevel: {Type: String, Default: INFO, AllowedValues: [DEBUG, INFO]}
  Days: {Type: Number, Default: 30, MinValue: 1}
  Names: {Type: CommaDelimitedList, Default: "a,b, c"}
  Stage: {Type: String, Default: dev}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals ["30", !Ref Days]]
  Either: !Or [!Condition IsProd, !Condition Both]
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  StreamTable: {Type: AWS::DynamoDB::Table}
  Topic: {Type: AWS::SNS::Topic}
  Queue: {Type: AWS::SQS::Queue}
  Fn: {Type: AWS::Serverless::Function}
  ProdOnly: {Type: AWS::SQS::Queue, Condition: IsProd}
  Role: {Type: AWS::IAM::Role}
`

// testStack returns a stack for resolveTemplate with the physical resources Provision
// would record, without emulators.
func testStack(t *testing.T) *Stack {
	t.Helper()
	tmpl, err := Parse([]byte(resolveTemplate))
	if err != nil {
		t.Fatal(err)
	}
	s, err := newStack(tmpl, "eu-west-1", map[string]string{"NatsUrl": "nats://127.0.0.1:4222"})
	if err != nil {
		t.Fatal(err)
	}
	todo, err := s.plan()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Queue", "StreamTable", "Table", "Topic"}; !reflect.DeepEqual(todo, want) {
		t.Fatalf("plan = %v, want %v", todo, want)
	}
	for _, p := range []Physical{
		{LogicalID: "Table", Type: TypeTable, Name: "Table", ARN: "arn:aws:dynamodb:eu-west-1:000000000000:table/Table"},
		{LogicalID: "StreamTable", Type: TypeTable, Name: "StreamTable", ARN: "arn:table/StreamTable",
			Attrs: map[string]string{"StreamArn": "arn:table/StreamTable/stream/1"}},
		{LogicalID: "Topic", Type: TypeTopic, Name: "Topic", ARN: "arn:aws:sns:eu-west-1:000000000000:Topic"},
		{LogicalID: "Queue", Type: TypeQueue, Name: "Queue", ARN: "arn:aws:sqs:eu-west-1:000000000000:Queue",
			URL: "http://127.0.0.1:4566/000000000000/Queue"},
	} {
		s.Resources[p.LogicalID] = p
	}
	return s
}

func TestResolve(t *testing.T) {
	s := testStack(t)
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"Ref parameter", `!Ref NatsUrl`, "nats://127.0.0.1:4222"},
		{"Ref default", `!Ref LogLevel`, "INFO"},
		{"Ref number default", `!Ref Days`, "30"},
		{"Ref list parameter", `!Ref Names`, []any{"a", "b", "c"}},
		{"Ref table", `!Ref Table`, "Table"},
		{"Ref topic", `!Ref Topic`, "arn:aws:sns:eu-west-1:000000000000:Topic"},
		{"Ref queue", `!Ref Queue`, "http://127.0.0.1:4566/000000000000/Queue"},
		{"Ref function", `!Ref Fn`, "Fn"},
		{"Ref region", `!Ref AWS::Region`, "eu-west-1"},
		{"Ref account", `!Ref AWS::AccountId`, "000000000000"},
		{"Ref stack name", `!Ref AWS::StackName`, "herald-local"},
		{"Ref partition", `!Ref AWS::Partition`, "aws"},
		{"Ref URL suffix", `!Ref AWS::URLSuffix`, "amazonaws.com"},
		{"GetAtt queue Arn", `!GetAtt Queue.Arn`, "arn:aws:sqs:eu-west-1:000000000000:Queue"},
		{"GetAtt QueueName", `!GetAtt Queue.QueueName`, "Queue"},
		{"GetAtt QueueUrl", `!GetAtt [Queue, QueueUrl]`, "http://127.0.0.1:4566/000000000000/Queue"},
		{"GetAtt TopicName", `!GetAtt Topic.TopicName`, "Topic"},
		{"GetAtt TopicArn", `!GetAtt Topic.TopicArn`, "arn:aws:sns:eu-west-1:000000000000:Topic"},
		{"GetAtt table Arn", `!GetAtt Table.Arn`, "arn:aws:dynamodb:eu-west-1:000000000000:table/Table"},
		{"GetAtt StreamArn", `!GetAtt StreamTable.StreamArn`, "arn:table/StreamTable/stream/1"},
		{"GetAtt function Arn", `!GetAtt Fn.Arn`, "arn:aws:lambda:eu-west-1:000000000000:function:Fn"},
		{"GetAtt computed attribute", `{"Fn::GetAtt": [Queue, !Join ["", [Queue, Url]]]}`, "http://127.0.0.1:4566/000000000000/Queue"},
		{"Sub", `!Sub "${Fn}@${AWS::Region}:${Queue.QueueName}/${!Literal}"`, "Fn@eu-west-1:Queue/${Literal}"},
		{"Sub with variables", `!Sub ["${Name}-${Stage}-${Days}", {Name: !GetAtt Topic.TopicName}]`, "Topic-dev-30"},
		{"Sub variable shadows a resource", `!Sub ["${Queue}", {Queue: mine}]`, "mine"},
		{"Join", `!Join ["/", [a, !Ref Stage, 3]]`, "a/dev/3"},
		{"Join a list parameter", `!Join ["+", !Ref Names]`, "a+b+c"},
		{"Select", `!Select [1, !Ref Names]`, "b"},
		{"Select string index", `!Select ["2", [x, y, z]]`, "z"},
		{"Split", `!Split [":", !GetAtt Queue.Arn]`, []any{"arn", "aws", "sqs", "eu-west-1", "000000000000", "Queue"}},
		{"If false", `!If [IsProd, big, small]`, "small"},
		{"If true", `!If [IsDev, big, small]`, "big"},
		{"If only resolves the branch taken", `!If [IsProd, !Ref ProdOnly, none]`, "none"},
		{"NoValue drops a key", `{a: 1, b: !If [IsProd, 2, !Ref AWS::NoValue]}`, map[string]any{"a": 1}},
		{"NoValue drops a list entry", `[x, !Ref AWS::NoValue, y]`, []any{"x", "y"}},
		{"NoValue at top", `!Ref AWS::NoValue`, nil},
		{"And", `!Condition Both`, true},
		{"Or", `!Condition Either`, true},
		{"Equals number and string", `!Equals [30, "30"]`, true},
		{"FindInMap", `!FindInMap [Sizes, !Ref Stage, Memory]`, 128},
		{"GetAZs", `!GetAZs ""`, []any{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{"Base64", `!Base64 {"Fn::Sub": "${Stage}"}`, "ZGV2"},
		{"nested", `{Variables: {URL: !Ref NatsUrl, List: [!Ref Stage]}}`,
			map[string]any{"Variables": map[string]any{"URL": "nats://127.0.0.1:4222", "List": []any{"dev"}}}},
		{"a property called Condition", `{Condition: {StringEquals: {k: v}}}`, map[string]any{"Condition": map[string]any{"StringEquals": map[string]any{"k": "v"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeYAML([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Resolve(v)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve(%s)\n got %#v\nwant %#v", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	s := testStack(t)
	tests := []struct {
		name string
		yaml string
		want []string // all must appear in the error
	}{
		{"unknown Ref", `!Ref Nope`, []string{"Ref Nope", "no parameter or resource"}},
		{"Ref of a skipped type", `!Ref Role`, []string{"Ref Role", "AWS::IAM::Role", "not provisioned locally"}},
		{"Ref of a resource whose condition is false", `!Ref ProdOnly`, []string{"ProdOnly", "condition IsProd is false"}},
		{"GetAtt unknown resource", `!GetAtt Nope.Arn`, []string{"Fn::GetAtt Nope.Arn"}},
		{"GetAtt unknown attribute", `!GetAtt Queue.Bogus`, []string{"Fn::GetAtt Queue.Bogus", "not available locally"}},
		{"GetAtt StreamArn without a stream", `!GetAtt Table.StreamArn`, []string{"Table.StreamArn", "not available"}},
		{"GetAtt computed attribute unknown", `{"Fn::GetAtt": [Queue, !Sub "Queue${Kind}"]}`, []string{"Ref Kind"}},
		{"GetAtt on a function's missing attribute", `!GetAtt Fn.Version`, []string{"Fn.Version"}},
		{"Sub unknown", `!Sub "x-${Missing}"`, []string{"Fn::Sub", "Ref Missing"}},
		{"Sub unknown attribute", `!Sub "${Topic.Nope}"`, []string{"Topic.Nope"}},
		{"Sub unterminated", `!Sub "x-${Stage"`, []string{"unterminated"}},
		{"Sub list needs a string", `!Sub "${Names}"`, []string{"${Names} resolves to a list"}},
		{"Join needs a list", `!Join [",", x]`, []string{"Fn::Join", "want a list"}},
		{"Select out of range", `!Select [5, [a]]`, []string{"index 5 out of range"}},
		{"If unknown condition", `!If [Nope, a, b]`, []string{"condition Nope"}},
		{"FindInMap missing key", `!FindInMap [Sizes, test, Memory]`, []string{"has no key test"}},
		{"ImportValue", `!ImportValue other-stack-output`, []string{"Fn::ImportValue", "no local counterpart"}},
		{"unsupported function", `{"Fn::Cidr": ["10.0.0.0/16", 2, 8]}`, []string{"Fn::Cidr", "not supported"}},
		{"error path", `{Environment: {Variables: {X: !Ref Nope}}}`, []string{"Environment: Variables: X: Ref Nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeYAML([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Resolve(v)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	tests := []struct {
		name, conditions string
		want             []string
	}{
		{"circular", "Loop: !Condition Loop", []string{"condition Loop refers to itself"}},
		{"mutual", "A: !Condition B\n  B: !Not [!Condition A]", []string{"condition A", "refers to itself"}},
		{"not boolean", "NotBool: !Ref AWS::Region", []string{"condition NotBool", "want a boolean"}},
		{"unknown condition", "A: !Condition Nope", []string{"condition A: condition Nope: not in the template's Conditions"}},
		{"refers to a resource", "A: !Equals [!Ref Q, x]", []string{"condition A", "Ref Q"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse([]byte("Conditions:\n  " + tt.conditions + "\nResources: {Q: {Type: AWS::SQS::Queue}}"))
			if err != nil {
				t.Fatal(err)
			}
			// Broken conditions fail before anything is provisioned.
			_, err = newStack(tmpl, "", nil)
			if err == nil {
				t.Fatal("newStack succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRefAndGetAtt(t *testing.T) {
	s := testStack(t)
	if got, err := s.Ref("Names"); err != nil || got != "a,b,c" {
		t.Errorf(`Ref("Names") = %q, %v; want "a,b,c"`, got, err)
	}
	if got, err := s.GetAtt("Queue", "Arn"); err != nil || got != "arn:aws:sqs:eu-west-1:000000000000:Queue" {
		t.Errorf("GetAtt(Queue, Arn) = %q, %v", got, err)
	}
	if _, err := s.Ref("Nope"); err == nil || !strings.HasPrefix(err.Error(), "template: ") {
		t.Errorf(`Ref("Nope") error = %v, want one prefixed "template: "`, err)
	}
}

func TestParameters(t *testing.T) {
	tmpl, err := Parse([]byte(resolveTemplate))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params map[string]string
		want   string // "" for success
	}{
		{"defaults", map[string]string{"NatsUrl": "nats://x"}, ""},
		{"required missing", nil, "parameter NatsUrl: no value given and no default"},
		{"unknown parameter", map[string]string{"NatsUrl": "x", "Natsurl": "y"}, "parameter Natsurl: the template declares no such parameter"},
		{"not allowed", map[string]string{"NatsUrl": "x", "LogLevel": "TRACE"}, `"TRACE" is not one of the allowed values`},
		{"not a number", map[string]string{"NatsUrl": "x", "Days": "many"}, `"many" is not a number`},
		{"below minimum", map[string]string{"NatsUrl": "x", "Days": "0"}, "below MinValue 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newStack(tmpl, "", tt.params)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				want := map[string]string{"NatsUrl": "nats://x", "LogLevel": "INFO", "Days": "30", "Names": "a,b, c", "Stage": "dev"}
				if !reflect.DeepEqual(s.Params, want) {
					t.Errorf("Params = %v, want %v", s.Params, want)
				}
				if s.Region != "us-east-1" {
					t.Errorf("Region = %q, want the us-east-1 default", s.Region)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}

	pattern, err := Parse([]byte("Parameters:\n  D: {Type: String, Default: 2m, AllowedPattern: \"[0-9]+(h|m|s)\"}\nResources: {}"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newStack(pattern, "", map[string]string{"D": "2m"}); err != nil {
		t.Errorf("2m: %v", err)
	}
	// AllowedPattern must match the whole value, as in CloudFormation.
	if _, err := newStack(pattern, "", map[string]string{"D": "x2mx"}); err == nil {
		t.Error("x2mx matched [0-9]+(h|m|s)")
	}
}

func TestFunctionEnv(t *testing.T) {
	tmpl, err := Parse([]byte(`
Parameters:
  NatsUrl: {Type: String}
  Level: {Type: String, Default: INFO}
Conditions:
  Never: !Equals [a, b]
Globals:
  Function:
    Timeout: 30
    Environment:
      Variables:
        HERALD_NATS_URL: !Ref NatsUrl
        LEVEL: !Ref Level
        TIMEOUT: 30
Resources:
  Topic: {Type: AWS::SNS::Topic}
  Plain: {Type: AWS::Serverless::Function}
  Rich:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          LEVEL: DEBUG
          TOPIC: !Ref Topic
          FLAG: true
          GONE: !If [Never, x, !Ref AWS::NoValue]
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          BAD: !GetAtt Topic.Nope
  Listy:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          LIST: !Split [",", "a,b"]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := newStack(tmpl, "", map[string]string{"NatsUrl": "nats://n"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.plan(); err != nil {
		t.Fatal(err)
	}
	s.Resources["Topic"] = Physical{LogicalID: "Topic", Type: TypeTopic, Name: "Topic", ARN: "arn:topic"}

	tests := []struct {
		fn      string
		want    map[string]string
		wantErr string
	}{
		{"Plain", map[string]string{"HERALD_NATS_URL": "nats://n", "LEVEL": "INFO", "TIMEOUT": "30"}, ""},
		{"Rich", map[string]string{"HERALD_NATS_URL": "nats://n", "LEVEL": "DEBUG", "TIMEOUT": "30", "TOPIC": "arn:topic", "FLAG": "true"}, ""},
		{"Broken", nil, "Broken: Environment: Variables: BAD: Fn::GetAtt Topic.Nope"},
		{"Listy", nil, "LIST: resolves to a list"},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			fn, ok := tmpl.Function(tt.fn)
			if !ok {
				t.Fatalf("no function %s", tt.fn)
			}
			got, err := s.FunctionEnv(fn)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FunctionEnv = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestResolveConcurrently runs under -race: parallel tests resolve function environments
// from one shared Stack.
func TestResolveConcurrently(t *testing.T) {
	s := testStack(t)
	v, err := decodeYAML([]byte(`{a: !If [Either, !Ref Queue, x], b: !Condition Both, c: !Sub "${AWS::Region}"}`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Resolve(v); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
