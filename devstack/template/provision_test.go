package template_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/devstack/testenv"
)

// env holds template.yaml provisioned by testenv, which calls template.Provision: the
// tests below check what that first run created, then run it again.
var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

func clients() template.Clients {
	return template.Clients{DynamoDB: env.DynamoDB, SQS: env.SQS, SNS: env.SNS}
}

func params() map[string]string {
	p := localstack.RequiredParameters(localstack.DevSecret)
	p["NatsUrl"] = env.NATSURL
	return p
}

// resourcesOf returns the logical ids of the template's resources of one type.
func resourcesOf(tmpl *template.Template, typ string) []string {
	var ids []string
	for _, id := range tmpl.LogicalIDs() {
		if tmpl.Resources[id].Type == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestProvisionTables(t *testing.T) {
	ctx := t.Context()
	tables := resourcesOf(env.Template, template.TypeTable)
	if len(tables) == 0 {
		t.Fatal("template.yaml declares no tables")
	}
	for _, id := range tables {
		t.Run(id, func(t *testing.T) {
			props := env.Template.Resources[id].Properties
			out, err := env.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(id)})
			if err != nil {
				t.Fatalf("table %s (named after its logical id): %v", id, err)
			}
			table := out.Table
			if got := env.Stack.Resources[id]; got.Name != id || got.ARN != aws.ToString(table.TableArn) {
				t.Errorf("Stack.Resources[%s] = %+v, want name %s and ARN %s", id, got, id, aws.ToString(table.TableArn))
			}
			if got, want := keys(table.KeySchema), templateKeys(props["KeySchema"]); !reflect.DeepEqual(got, want) {
				t.Errorf("KeySchema = %v, want %v", got, want)
			}
			want := map[string][]string{}
			wantProj := map[string]string{}
			gsis, _ := props["GlobalSecondaryIndexes"].([]any)
			for _, g := range gsis {
				g := g.(map[string]any)
				name := g["IndexName"].(string)
				want[name] = templateKeys(g["KeySchema"])
				wantProj[name] = g["Projection"].(map[string]any)["ProjectionType"].(string)
			}
			got := map[string][]string{}
			gotProj := map[string]string{}
			for _, g := range table.GlobalSecondaryIndexes {
				got[aws.ToString(g.IndexName)] = keys(g.KeySchema)
				gotProj[aws.ToString(g.IndexName)] = string(g.Projection.ProjectionType)
			}
			if len(want) > 0 || len(got) > 0 {
				if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotProj, wantProj) {
					t.Errorf("GSIs = %v %v, want %v %v", got, gotProj, want, wantProj)
				}
			}
			if props["BillingMode"] == "PAY_PER_REQUEST" {
				if table.BillingModeSummary == nil || table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
					t.Errorf("BillingModeSummary = %+v, want PAY_PER_REQUEST", table.BillingModeSummary)
				}
			}
		})
	}

	// A fixed expectation too, so that the test does not only compare the template with
	// itself: consumers are listed by owner.
	out, err := env.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ConsumersTable")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Table.GlobalSecondaryIndexes) != 1 || aws.ToString(out.Table.GlobalSecondaryIndexes[0].IndexName) != "by-owner" ||
		!reflect.DeepEqual(keys(out.Table.GlobalSecondaryIndexes[0].KeySchema), []string{"owner HASH", "id RANGE"}) {
		t.Errorf("ConsumersTable GSIs = %+v, want by-owner (owner, id)", out.Table.GlobalSecondaryIndexes)
	}
}

func keys(ks []ddbtypes.KeySchemaElement) []string {
	var out []string
	for _, k := range ks {
		out = append(out, aws.ToString(k.AttributeName)+" "+string(k.KeyType))
	}
	return out
}

func templateKeys(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, k := range l {
		k := k.(map[string]any)
		out = append(out, k["AttributeName"].(string)+" "+k["KeyType"].(string))
	}
	return out
}

func queueAttributes(t *testing.T, url string) map[string]string {
	t.Helper()
	out, err := env.SQS.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatalf("attributes of %s: %v", url, err)
	}
	return out.Attributes
}

func TestProvisionQueues(t *testing.T) {
	queues := resourcesOf(env.Template, template.TypeQueue)
	if len(queues) == 0 {
		t.Fatal("template.yaml declares no queues")
	}
	for _, id := range queues {
		t.Run(id, func(t *testing.T) {
			props := env.Template.Resources[id].Properties
			phys := env.Stack.Resources[id]
			got, err := env.SQS.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(id)})
			if err != nil {
				t.Fatalf("queue %s (named after its logical id): %v", id, err)
			}
			if aws.ToString(got.QueueUrl) != phys.URL {
				t.Errorf("URL %s, Stack says %s", aws.ToString(got.QueueUrl), phys.URL)
			}
			attrs := queueAttributes(t, phys.URL)
			if attrs["QueueArn"] != phys.ARN {
				t.Errorf("QueueArn %s, Stack says %s", attrs["QueueArn"], phys.ARN)
			}
			for _, k := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"} {
				if v, ok := props[k]; ok {
					if want := toString(v); attrs[k] != want {
						t.Errorf("%s = %q, want %q", k, attrs[k], want)
					}
				}
			}
			rp, ok := props["RedrivePolicy"].(map[string]any)
			if !ok {
				if attrs["RedrivePolicy"] != "" {
					t.Errorf("RedrivePolicy = %s, want none", attrs["RedrivePolicy"])
				}
				return
			}
			dlq := rp["deadLetterTargetArn"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			var policy struct {
				DeadLetterTargetArn string `json:"deadLetterTargetArn"`
				MaxReceiveCount     any    `json:"maxReceiveCount"`
			}
			if err := json.Unmarshal([]byte(attrs["RedrivePolicy"]), &policy); err != nil {
				t.Fatalf("RedrivePolicy %q: %v", attrs["RedrivePolicy"], err)
			}
			dlqAttrs := queueAttributes(t, env.Stack.Resources[dlq].URL)
			if policy.DeadLetterTargetArn != dlqAttrs["QueueArn"] || !strings.HasSuffix(policy.DeadLetterTargetArn, ":"+dlq) {
				t.Errorf("deadLetterTargetArn = %s, want the ARN of %s, %s", policy.DeadLetterTargetArn, dlq, dlqAttrs["QueueArn"])
			}
			if toString(policy.MaxReceiveCount) != toString(rp["maxReceiveCount"]) {
				t.Errorf("maxReceiveCount = %v, want %v", policy.MaxReceiveCount, rp["maxReceiveCount"])
			}
		})
	}
}

// toString renders a template or JSON value as SQS renders attributes: 5 and 5.0 as "5".
func toString(v any) string { return fmt.Sprint(v) }

// subscriptions returns the topic's subscriptions with their attributes, by endpoint.
func subscriptions(t *testing.T, topicArn string) map[string]map[string]string {
	t.Helper()
	ctx := t.Context()
	out, err := env.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicArn)})
	if err != nil {
		t.Fatal(err)
	}
	subs := map[string]map[string]string{}
	for _, s := range out.Subscriptions {
		ep := aws.ToString(s.Endpoint)
		if _, dup := subs[ep]; dup {
			t.Errorf("%s is subscribed twice", ep)
		}
		attrs, err := env.SNS.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn})
		if err != nil {
			t.Fatal(err)
		}
		subs[ep] = attrs.Attributes
		subs[ep]["Protocol"] = aws.ToString(s.Protocol)
	}
	return subs
}

func TestProvisionSubscriptions(t *testing.T) {
	topic := env.Stack.Resources["EventsTopic"].ARN
	if !strings.HasSuffix(topic, ":EventsTopic") {
		t.Fatalf("EventsTopic ARN %q is not named after the logical id", topic)
	}
	subs := subscriptions(t, topic)
	route, inbox := env.Stack.Resources["RouteQueue"].ARN, env.Stack.Resources["InboxQueue"].ARN
	if len(subs) != 2 || subs[route] == nil || subs[inbox] == nil {
		t.Fatalf("subscriptions of EventsTopic = %v, want RouteQueue and InboxQueue", subs)
	}
	for ep, attrs := range subs {
		if attrs["Protocol"] != "sqs" || attrs["RawMessageDelivery"] != "true" {
			t.Errorf("%s: protocol %s, RawMessageDelivery %q; want sqs, raw", ep, attrs["Protocol"], attrs["RawMessageDelivery"])
		}
	}
	var policy map[string]any
	if err := json.Unmarshal([]byte(subs[inbox]["FilterPolicy"]), &policy); err != nil {
		t.Fatalf("InboxSubscription FilterPolicy %q: %v", subs[inbox]["FilterPolicy"], err)
	}
	if want := map[string]any{"has_recipients": []any{"true"}}; !reflect.DeepEqual(policy, want) {
		t.Errorf("InboxSubscription FilterPolicy = %v, want %v", policy, want)
	}
	if got := subs[inbox]["FilterPolicyScope"]; got != "MessageAttributes" {
		t.Errorf("InboxSubscription FilterPolicyScope = %q", got)
	}
	if got := subs[route]["FilterPolicy"]; got != "" {
		t.Errorf("RouteSubscription has filter policy %s, want none", got)
	}
	if arn := env.Stack.Resources["InboxSubscription"].ARN; !strings.HasPrefix(arn, topic+":") {
		t.Errorf("InboxSubscription ARN %q", arn)
	}
}

func TestProvisionSkipped(t *testing.T) {
	skipped := map[string]string{}
	for _, s := range env.Stack.Skipped {
		skipped[s.LogicalID] = s.Type
	}
	for _, id := range []string{"HttpApi", "AuthorizerInvokeRole", "TopicToQueuesPolicy", "RouteDeadLetterAlarm", "Bridge"} {
		if _, ok := skipped[id]; !ok {
			t.Errorf("%s not listed as skipped (skipped: %v)", id, skipped)
		}
	}
	for _, id := range []string{"EventsTopic", "RouteQueue", "ConsumersTable", "RouteSubscription"} {
		if _, ok := skipped[id]; ok {
			t.Errorf("%s listed as skipped", id)
		}
	}
	if fn := env.Stack.Resources["Bridge"]; fn.Name != "Bridge" || !strings.HasSuffix(fn.ARN, ":function:Bridge") {
		t.Errorf("Bridge = %+v, want a function named after its logical id", fn)
	}
}

// TestProvisionAgain runs Provision a second time against the same emulators: it must
// find everything in place and create nothing.
func TestProvisionAgain(t *testing.T) {
	topic := env.Stack.Resources["EventsTopic"].ARN
	before := subscriptions(t, topic)
	again, err := template.Provision(t.Context(), env.Template, clients(), params())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Resources, env.Stack.Resources) {
		t.Errorf("second Provision resources differ:\n got %+v\nwant %+v", again.Resources, env.Stack.Resources)
	}
	if after := subscriptions(t, topic); !reflect.DeepEqual(after, before) {
		t.Errorf("subscriptions changed:\n got %v\nwant %v", after, before)
	}
	if !reflect.DeepEqual(again.Skipped, env.Stack.Skipped) {
		t.Errorf("Skipped differs: %v vs %v", again.Skipped, env.Stack.Skipped)
	}
}

// TestFilterPolicy publishes as the Bridge does and checks the fan-out: every event
// reaches the RouteQueue, only those with recipients the InboxQueue.
func TestFilterPolicy(t *testing.T) {
	topic := env.Stack.Resources["EventsTopic"].ARN
	route, inbox := env.Stack.Resources["RouteQueue"].URL, env.Stack.Resources["InboxQueue"].URL
	publish := func(body, hasRecipients string) {
		t.Helper()
		_, err := env.SNS.Publish(t.Context(), &sns.PublishInput{
			TopicArn: aws.String(topic),
			Message:  aws.String(body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"has_recipients": {DataType: aws.String("String"), StringValue: aws.String(hasRecipients)},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	publish(`{"n":"without"}`, "false")
	publish(`{"n":"with"}`, "true")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if got := bodies(env.Receive(ctx, t, route, 2)); !reflect.DeepEqual(got, []string{`{"n":"with"}`, `{"n":"without"}`}) {
		t.Errorf("RouteQueue got %q, want both events, raw", got)
	}
	// SNS fans out within Publish, so both are decided by now; asking for two and
	// getting one shows the filter held the other back.
	ctx, cancel = context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if got := bodies(env.Receive(ctx, t, inbox, 2)); !reflect.DeepEqual(got, []string{`{"n":"with"}`}) {
		t.Errorf("InboxQueue got %q, want only the event with recipients", got)
	}
}

func bodies(msgs []sqstypes.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, aws.ToString(m.Body))
	}
	sort.Strings(out)
	return out
}

// TestProvisionChanges checks that re-provisioning applies edits to queue and
// subscription attributes, on resources of its own.
func TestProvisionChanges(t *testing.T) {
	version := func(visibility int, filter string) *template.Template {
		tmpl, err := template.Parse([]byte(`
Resources:
  ChangeTopic: {Type: AWS::SNS::Topic, Properties: {DisplayName: change}}
  ChangeDlq: {Type: AWS::SQS::Queue}
  ChangeQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ` + fmt.Sprint(visibility) + `
      RedrivePolicy: {deadLetterTargetArn: !GetAtt ChangeDlq.Arn, maxReceiveCount: 3}
  ChangeSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref ChangeTopic
      Protocol: sqs
      Endpoint: !GetAtt ChangeQueue.Arn
      FilterPolicy: {kind: [` + filter + `]}
  ChangeTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: "1"}
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: N}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      LocalSecondaryIndexes:
        - IndexName: by-pk
          KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [note]}
      StreamSpecification: {StreamViewType: NEW_IMAGE}
`))
		if err != nil {
			t.Fatal(err)
		}
		return tmpl
	}
	first, err := template.Provision(t.Context(), version(30, "a"), clients(), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := template.Provision(t.Context(), version(45, "b"), clients(), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := second.Resources["ChangeQueue"]
	if !reflect.DeepEqual(q, first.Resources["ChangeQueue"]) {
		t.Errorf("ChangeQueue changed identity: %+v vs %+v", q, first.Resources["ChangeQueue"])
	}
	attrs := queueAttributes(t, q.URL)
	if attrs["VisibilityTimeout"] != "45" || !strings.Contains(attrs["RedrivePolicy"], second.Resources["ChangeDlq"].ARN) {
		t.Errorf("ChangeQueue attributes after the edit: %v", attrs)
	}
	subs := subscriptions(t, second.Resources["ChangeTopic"].ARN)
	if len(subs) != 1 || subs[q.ARN]["FilterPolicy"] != `{"kind":["b"]}` || subs[q.ARN]["RawMessageDelivery"] != "false" {
		t.Errorf("subscriptions after the edit: %v, want one with the new filter", subs)
	}
	// dynalite accepts a StreamSpecification but has no streams: no StreamArn to give.
	if _, err := second.GetAtt("ChangeTable", "StreamArn"); err == nil || !strings.Contains(err.Error(), "not available locally") {
		t.Errorf("GetAtt ChangeTable.StreamArn: %v, want not available locally", err)
	}
	out, err := env.DynamoDB.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: aws.String("ChangeTable")})
	if err != nil {
		t.Fatal(err)
	}
	if lsi := out.Table.LocalSecondaryIndexes; len(lsi) != 1 || lsi[0].Projection.ProjectionType != ddbtypes.ProjectionTypeInclude ||
		!reflect.DeepEqual(lsi[0].Projection.NonKeyAttributes, []string{"note"}) {
		t.Errorf("ChangeTable LSIs = %+v", lsi)
	}
	if pt := out.Table.ProvisionedThroughput; pt == nil || aws.ToInt64(pt.WriteCapacityUnits) != 1 {
		t.Errorf("ChangeTable throughput = %+v", pt)
	}
}

func TestProvisionErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		params     map[string]string
		want       []string
	}{
		{"missing parameter", "Parameters: {P: {Type: String}}\nResources: {Q: {Type: AWS::SQS::Queue}}", nil,
			[]string{"parameter P: no value given and no default"}},
		{"unresolvable reference", "Resources: {Q: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Nope.Arn}}}}", nil,
			[]string{"Q: Properties: RedrivePolicy: deadLetterTargetArn: Fn::GetAtt Nope.Arn"}},
		{"bad table", "Resources: {BadTable: {Type: AWS::DynamoDB::Table, Properties: {KeySchema: [{AttributeName: id, KeyType: HASH}]}}}", nil,
			[]string{"BadTable (AWS::DynamoDB::Table)", "create table BadTable"}},
		{"bad property shape", "Resources: {T: {Type: AWS::DynamoDB::Table, Properties: {KeySchema: notalist}}}", nil,
			[]string{"T (AWS::DynamoDB::Table): KeySchema: is a string, want a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := template.Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			_, err = template.Provision(t.Context(), tmpl, clients(), tt.params)
			if err == nil {
				t.Fatal("Provision succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
