package testenv

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

var queueSeq atomic.Int64

// cleanupTimeout bounds the API calls made while a test is cleaned up, when the test's
// own context is already cancelled.
const cleanupTimeout = 10 * time.Second

// NewQueue creates an SQS queue for one test (visibility timeout 10 s) and deletes it
// when the test ends. The
// queue's name starts with name and is unique, so parallel tests never share a queue.
// It returns the queue's URL and ARN.
func (e *Env) NewQueue(t testing.TB, name string) (url, arn string) {
	t.Helper()
	unique := fmt.Sprintf("%s-%d-%d", queueName(name), os.Getpid(), queueSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	out, err := e.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(unique),
		// A receive whose answer is lost (a connection dropped while the machine is
		// loaded) leaves its messages invisible until this timeout, as SQS does: keep it
		// well inside the tests' receive deadlines so they read such messages again
		// instead of timing out. SQS's own default is 30 s.
		Attributes: map[string]string{string(types.QueueAttributeNameVisibilityTimeout): "10"},
	})
	if err != nil {
		t.Fatalf("testenv: create queue %s: %v", unique, err)
	}
	url = aws.ToString(out.QueueUrl)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := e.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
			t.Errorf("testenv: delete queue %s: %v", unique, err)
		}
	})
	attrs, err := e.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("testenv: get arn of queue %s: %v", unique, err)
	}
	return url, attrs.Attributes[string(types.QueueAttributeNameQueueArn)]
}

// queueName keeps the characters SQS allows in queue names and leaves room for the
// unique suffix within the 80-character limit.
func queueName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, name)
	if len(name) > 50 {
		name = name[:50]
	}
	if name == "" {
		name = "test"
	}
	return name
}

// Subscribe subscribes the queue to the topic for the rest of the test, with an optional
// filter policy (JSON, on message attributes) and raw message delivery if raw. It returns
// the subscription ARN.
func (e *Env) Subscribe(t testing.TB, topicArn, queueArn string, filterPolicy string, raw bool) string {
	t.Helper()
	attrs := map[string]string{"RawMessageDelivery": fmt.Sprint(raw)}
	if filterPolicy != "" {
		attrs["FilterPolicy"] = filterPolicy
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	out, err := e.SNS.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn:              aws.String(topicArn),
		Protocol:              aws.String("sqs"),
		Endpoint:              aws.String(queueArn),
		Attributes:            attrs,
		ReturnSubscriptionArn: true,
	})
	if err != nil {
		t.Fatalf("testenv: subscribe %s to %s: %v", queueArn, topicArn, err)
	}
	arn := aws.ToString(out.SubscriptionArn)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if _, err := e.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn)}); err != nil {
			t.Errorf("testenv: unsubscribe %s: %v", arn, err)
		}
	})
	return arn
}

// Receive long-polls the queue until want messages have arrived or ctx ends, deleting
// each message it reads, and returns what it got: fewer than want if ctx ended first,
// which the caller checks. Message and system attributes are included.
//
// A long poll cut short by ctx may still have taken messages in the emulator, which then
// stay invisible for the queue's visibility timeout: to assert that nothing is waiting,
// read the queue's ApproximateNumberOfMessages attributes instead of receiving.
func (e *Env) Receive(ctx context.Context, t testing.TB, queueURL string, want int) []types.Message {
	t.Helper()
	var got []types.Message
	for len(got) < want && ctx.Err() == nil {
		out, err := e.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(queueURL),
			MaxNumberOfMessages:         int32(min(10, want-len(got))),
			WaitTimeSeconds:             2,
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			t.Fatalf("testenv: receive from %s: %v", queueURL, err)
		}
		for _, m := range out.Messages {
			// Deleted with a context of its own: a message read as ctx ends is still
			// returned, and must not come back to a later Receive.
			dctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
			_, err := e.SQS.DeleteMessage(dctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle})
			cancel()
			if err != nil {
				t.Fatalf("testenv: delete message from %s: %v", queueURL, err)
			}
			got = append(got, m)
		}
	}
	return got
}
