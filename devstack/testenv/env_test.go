package testenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localstack"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"go.mod", "template.yaml", "local/emulators.mjs"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("repository root %s: %v", root, err)
		}
	}
}

// TestAWSVariables checks that code which knows nothing of the tests, and loads its
// configuration the standard way, reaches the emulators.
func TestAWSVariables(t *testing.T) {
	for k, want := range map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": env.Endpoints.DynamoDB,
		"AWS_ENDPOINT_URL_SQS":      env.Endpoints.SQS,
		"AWS_ENDPOINT_URL_SNS":      env.Endpoints.SNS,
		"AWS_REGION":                "us-east-1",
		"AWS_ACCESS_KEY_ID":         "local",
		"AWS_SECRET_ACCESS_KEY":     "local",
	} {
		if got := os.Getenv(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"} {
		if v, ok := os.LookupEnv(k); ok {
			t.Errorf("%s is set (%q), want unset", k, v)
		}
	}
	if !strings.HasPrefix(env.Endpoints.DynamoDB, "http://127.0.0.1:") {
		t.Errorf("DynamoDB endpoint %q is not on loopback", env.Endpoints.DynamoDB)
	}

	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(tables.TableNames, "ConsumersTable") {
		t.Errorf("tables %v lack ConsumersTable", tables.TableNames)
	}
	queues, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if !contains(queues.QueueUrls, env.Stack.Resources["RouteQueue"].URL) {
		t.Errorf("queues %v lack RouteQueue", queues.QueueUrls)
	}
	topics, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(topics.Topics) == 0 || aws.ToString(topics.Topics[0].TopicArn) != env.Stack.Resources["EventsTopic"].ARN {
		t.Errorf("topics %v, want the EventsTopic", topics.Topics)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestFunctionEnv(t *testing.T) {
	topic := env.Stack.Resources["EventsTopic"].ARN
	tests := []struct {
		fn   string
		want map[string]string
	}{
		{"Bridge", map[string]string{
			"HERALD_TOPIC_ARN":         topic,
			"HERALD_NATS_URL":          env.NATSURL,
			"HERALD_NATS_CREDS_SECRET": "",
			"HERALD_SHELF_LIFE":        "168h",
			"HERALD_DEDUPE_WINDOW":     "2m",
			"HERALD_STREAM_MAX_BYTES":  "4294967296",
		}},
		// The template's rules want a way to verify tokens: the development secret.
		{"Authorizer", map[string]string{
			"HERALD_NATS_URL":   env.NATSURL,
			"HERALD_JWT_SECRET": localstack.DevSecret,
			"HERALD_JWKS_URL":   "",
		}},
		{"Deliver", map[string]string{
			"HERALD_NATS_URL":         env.NATSURL,
			"HERALD_ACTIONS_NATS_URL": env.ActionsNATSURL,
			"HERALD_ACTION_SUBJECTS":  "herald.actions.>",
			"HERALD_ACTION_TARGETS":   "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			got := env.FunctionEnv(t, tt.fn)
			for k, want := range tt.want {
				if v, ok := got[k]; !ok || v != want {
					t.Errorf("%s = %q (set: %v), want %q", k, v, ok, want)
				}
			}
		})
	}
	// Only the functions whose template declares it get the actions user's credentials.
	if v, ok := env.FunctionEnv(t, "Router")["HERALD_ACTIONS_NATS_URL"]; ok {
		t.Errorf("Router gets HERALD_ACTIONS_NATS_URL %q", v)
	}
}

// TestActionsNATS checks that the shared server takes a connection without credentials
// as Herald's (JetStream included) and confines the actions user to the action
// namespace.
func TestActionsNATS(t *testing.T) {
	herald, err := nats.Connect(env.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer herald.Close()
	js, err := jetstream.New(herald)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(t.Context()); err != nil {
		t.Fatalf("JetStream without credentials: %v", err)
	}
	refused := make(chan error, 1)
	actions, err := nats.Connect(env.ActionsNATSURL, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { refused <- err }))
	if err != nil {
		t.Fatalf("the actions user: %v", err)
	}
	defer actions.Close()
	if err := actions.Publish("herald.events.x", nil); err != nil {
		t.Fatal(err)
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-refused:
		if !errors.Is(err, nats.ErrPermissionViolation) {
			t.Errorf("publish outside the namespace: %v, want a permissions violation", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the server did not refuse a publish outside the namespace")
	}
}

func TestSetenv(t *testing.T) {
	env.Setenv(t, "Bridge")
	if got, want := os.Getenv("HERALD_TOPIC_ARN"), env.Stack.Resources["EventsTopic"].ARN; got != want {
		t.Errorf("HERALD_TOPIC_ARN = %q, want %q", got, want)
	}
	if got := os.Getenv("HERALD_NATS_URL"); got != env.NATSURL {
		t.Errorf("HERALD_NATS_URL = %q, want %q", got, env.NATSURL)
	}
}

// TestQueueHelpers goes through the SNS to SQS path with a filter policy, as a downstream
// system subscribed to Herald's topic would.
func TestQueueHelpers(t *testing.T) {
	topic := env.Stack.Resources["EventsTopic"].ARN
	allURL, allARN := env.NewQueue(t, t.Name()+"/all")
	onlyURL, onlyARN := env.NewQueue(t, t.Name()+"/only")
	if allURL == onlyURL || !strings.HasSuffix(allARN, strings.TrimPrefix(allURL[strings.LastIndex(allURL, "/"):], "/")) {
		t.Fatalf("queues %s (%s) and %s not distinct or ARN not the queue's", allURL, allARN, onlyURL)
	}
	env.Subscribe(t, topic, allARN, "", true)
	env.Subscribe(t, topic, onlyARN, `{"kind":["wanted"]}`, false)

	publish := func(body, kind string) {
		t.Helper()
		_, err := env.SNS.Publish(t.Context(), &sns.PublishInput{
			TopicArn: aws.String(topic),
			Message:  aws.String(body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				"kind": {DataType: aws.String("String"), StringValue: aws.String(kind)},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	publish("first", "unwanted")
	publish("second", "wanted")

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	all := env.Receive(ctx, t, allURL, 2)
	if len(all) != 2 {
		t.Fatalf("raw queue got %d messages, want 2", len(all))
	}
	bodies := []string{aws.ToString(all[0].Body), aws.ToString(all[1].Body)}
	if !contains(bodies, "first") || !contains(bodies, "second") {
		t.Errorf("raw delivery bodies = %q, want first and second verbatim", bodies)
	}

	// Both messages are in the filtered queue by now if the filter let them through:
	// fan-out happens within Publish. Ask for two and expect one.
	ctx, cancel = context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	only := env.Receive(ctx, t, onlyURL, 2)
	if len(only) != 1 {
		t.Fatalf("filtered queue got %d messages, want 1", len(only))
	}
	// Without raw delivery the body is the SNS envelope, holding the message.
	if body := aws.ToString(only[0].Body); !strings.Contains(body, `"Message":"second"`) {
		t.Errorf("filtered queue body = %s, want the SNS envelope of second", body)
	}

	// Receive deleted what it read.
	ctx, cancel = context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	if again := env.Receive(ctx, t, allURL, 1); len(again) != 0 {
		t.Errorf("messages came back after Receive: %v", again)
	}
}

func TestNATS(t *testing.T) {
	own, ownURL := env.NewNATS(t)
	if ownURL == env.NATSURL || own == env.NATS {
		t.Fatalf("NewNATS returned the shared server %s", ownURL)
	}
	for _, url := range []string{env.NATSURL, ownURL} {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		js, err := jetstream.New(nc)
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		name := "T" + strings.NewReplacer(".", "_", ":", "_", "/", "_").Replace(url[len("nats://"):])
		s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}})
		if err != nil {
			t.Fatalf("%s: create stream: %v", url, err)
		}
		if _, err := js.Publish(ctx, name+".x", []byte("hello")); err != nil {
			t.Fatalf("%s: publish: %v", url, err)
		}
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != 1 {
			t.Errorf("%s: stream holds %d messages, want 1", url, info.State.Msgs)
		}
	}
}
