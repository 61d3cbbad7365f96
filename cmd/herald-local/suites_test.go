package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/auth"
)

// This file holds what the stress suites (security, bad input, queue consumers, chaos)
// share: tokens for any identity, and the template's routes and queue consumers that a
// suite must cover.

// mintToken returns a token for c, signed with the secret startStack's stacks use.
func mintToken(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint([]byte(DevSecret), c, TokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// loadTemplate parses the repository's template.yaml.
func loadTemplate(t testing.TB) *template.Template {
	t.Helper()
	root, err := emulator.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// templateRoutes returns every HTTP route of template.yaml.
func templateRoutes(t testing.TB) []template.Route {
	t.Helper()
	routes, err := loadTemplate(t).Routes()
	if err != nil {
		t.Fatal(err)
	}
	if len(routes) == 0 {
		t.Fatal("template.yaml declares no HTTP routes")
	}
	return routes
}

// checkCovers fails t unless covered holds exactly want's keys: a suite that misses one
// of the template's routes (or queue consumers), or names one the template lacks, is
// out of date.
func checkCovers(t testing.TB, suite string, want []string, covered map[string]bool) {
	t.Helper()
	var missing, extra []string
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
		if !covered[w] {
			missing = append(missing, w)
		}
	}
	for c := range covered {
		if !wanted[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("the %s suite does not cover template.yaml:\n  not covered: %v\n  not in the template: %v", suite, missing, extra)
	}
}

// connectJetStream connects to the stack's NATS (the banner's URL) for the test's life.
func connectJetStream(t testing.TB, url string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// awsClients returns SQS and SNS clients for the stack's emulator (the banner's SNS/SQS).
func (p *stackProcess) awsClients() (*sqs.Client, *sns.Client) {
	endpoint := aws.String(p.banner["SNS/SQS"])
	cfg := aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = endpoint }),
		sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = endpoint })
}

// subscribeQueue makes the queue name and subscribes it to the events topic with raw
// message delivery and any other subscription attributes, as a downstream system would,
// and returns its URL.
func (p *stackProcess) subscribeQueue(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	ctx := context.Background()
	sqsc, snsc := p.awsClients()
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	sub := map[string]string{"RawMessageDelivery": "true"}
	for k, v := range attrs {
		sub[k] = v
	}
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(p.banner["Events topic"]), Protocol: aws.String("sqs"),
		Endpoint: aws.String(got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]), Attributes: sub,
	}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}

// eventUUID returns the uuid of an event's JSON, or "" when it has none.
func eventUUID(data []byte) string {
	var ev struct {
		UUID string `json:"uuid"`
	}
	json.Unmarshal(data, &ev)
	return ev.UUID
}
