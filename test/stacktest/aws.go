package stacktest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/devstack/emulator"
)

// AWSClients returns SQS and SNS clients for the stack's emulator (the banner's SNS/SQS).
func (p *Stack) AWSClients() (*sqs.Client, *sns.Client) {
	endpoint := aws.String(p.Banner["SNS/SQS"])
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = endpoint }),
		sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = endpoint })
}

// DynamoDB returns a client for the stack's DynamoDB emulator (the banner's DynamoDB),
// whose tables are named by their logical ids.
func (p *Stack) DynamoDB() *dynamodb.Client {
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(p.Banner["DynamoDB"]) })
}

// SubscribeQueue makes the queue name and subscribes it to the events topic with raw
// message delivery and any other subscription attributes, as a downstream system would,
// and returns its URL.
func (p *Stack) SubscribeQueue(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	ctx := context.Background()
	sqsc, snsc := p.AWSClients()
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
		TopicArn: aws.String(p.Banner["Events topic"]), Protocol: aws.String("sqs"),
		Endpoint: aws.String(got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]), Attributes: sub,
	}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(q.QueueUrl)
}
