package workload

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/devstack/template"
)

// Queues returns the names of the queues t's functions are fed from (their SQS events),
// sorted: locally a queue is named by its logical id.
func Queues(t *template.Template) []string {
	var out []string
	for _, fn := range t.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "SQS" {
				continue
			}
			if id := template.ArnOf(ev.Properties["Queue"]); id != "" {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// drain waits until every queue of the workload is empty: no message waiting, in
// flight or delayed. Then each function invocation the workload caused has ended and
// its messages are deleted. It asks the emulator directly, so that it is not counted.
func (r *Run) drain(ctx context.Context) error {
	c := sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(r.cfg.SQS),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
	urls := make([]string, 0, len(r.cfg.Queues))
	for _, q := range r.cfg.Queues {
		out, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q)})
		if err != nil {
			return fmt.Errorf("workload: queue %s: %w", q, err)
		}
		urls = append(urls, aws.ToString(out.QueueUrl))
	}
	return waitFor(ctx, "the queues to drain", func() (bool, error) {
		for _, u := range urls {
			out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u), AttributeNames: []types.QueueAttributeName{
				types.QueueAttributeNameApproximateNumberOfMessages,
				types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
				types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
			}})
			if err != nil {
				return false, err
			}
			for _, v := range out.Attributes {
				if n, _ := strconv.Atoi(v); n > 0 {
					return false, nil
				}
			}
		}
		return true, nil
	})
}
