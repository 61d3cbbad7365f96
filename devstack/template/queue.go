package template

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// queueAttributes are the AWS::SQS::Queue properties that are queue attributes of the
// same name and meaning locally. KMS settings are left out: the emulator has no keys.
var queueAttributes = []string{
	"DelaySeconds",
	"MaximumMessageSize",
	"MessageRetentionPeriod",
	"ReceiveMessageWaitTimeSeconds",
	"VisibilityTimeout",
	"ContentBasedDeduplication",
	"DeduplicationScope",
	"FifoThroughputLimit",
}

// provisionQueue creates an AWS::SQS::Queue, or updates the attributes of the existing
// queue of that name. The name is QueueName, else the logical id (with ".fifo" appended
// for a FIFO queue, which SQS requires).
func (s *Stack) provisionQueue(ctx context.Context, c *sqs.Client, id string, m map[string]any) (Physical, error) {
	if c == nil {
		return Physical{}, errors.New("no SQS client")
	}
	p := newProps(m)
	fifo := isTrue(m["FifoQueue"])
	name := p.str("QueueName")
	if name == "" {
		name = id
		if fifo {
			name += ".fifo"
		}
	}
	attrs := map[string]string{}
	for _, k := range queueAttributes {
		if p.has(k) {
			attrs[k] = p.str(k)
		}
	}
	for _, k := range []string{"RedrivePolicy", "RedriveAllowPolicy"} {
		if j, ok := p.jsonText(k); ok {
			attrs[k] = j
		}
	}
	if err := p.errs.err(); err != nil {
		return Physical{}, err
	}
	create := map[string]string{}
	for k, v := range attrs {
		create[k] = v
	}
	if fifo {
		// Only set when true: AWS rejects FifoQueue=false on a standard queue.
		create["FifoQueue"] = "true"
	}

	var url string
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: create})
	switch {
	case err == nil:
		url = aws.ToString(out.QueueUrl)
	case isQueueExists(err):
		// CreateQueue is idempotent only for identical attributes: the template changed.
		got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			return Physical{}, fmt.Errorf("get queue url %s: %w", name, err)
		}
		url = aws.ToString(got.QueueUrl)
		if len(attrs) > 0 {
			if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs}); err != nil {
				return Physical{}, fmt.Errorf("update queue %s: %w", name, err)
			}
		}
	default:
		return Physical{}, fmt.Errorf("create queue %s: %w", name, err)
	}
	ga, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return Physical{}, fmt.Errorf("get queue arn %s: %w", name, err)
	}
	arn := ga.Attributes[string(types.QueueAttributeNameQueueArn)]
	if arn == "" {
		return Physical{}, fmt.Errorf("queue %s: the service returned no QueueArn", name)
	}
	return Physical{Name: name, ARN: arn, URL: url}, nil
}

func isQueueExists(err error) bool {
	var exists *types.QueueNameExists
	if errors.As(err, &exists) {
		return true
	}
	code := apiErrorCode(err)
	return code == "QueueAlreadyExists" || strings.HasSuffix(code, "QueueNameExists")
}
