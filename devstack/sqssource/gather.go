package sqssource

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	// pollWait is the WaitTimeSeconds of a long poll for a batch's first messages:
	// shorter than Lambda's 20 seconds, because a poll abandoned on shutdown can still
	// take a message arriving during its wait and hide it for the visibility timeout.
	pollWait = 5 * time.Second

	// shortPollPause separates the short polls (WaitTimeSeconds 0) that fill the last
	// fraction of a second of a batching window, which long polls count in whole seconds.
	shortPollPause = 50 * time.Millisecond

	// maxReceive is the most messages one ReceiveMessage returns.
	maxReceive = 10
)

// gather receives a batch: up to m.BatchSize messages, gathered for at most m.Window
// after the first arrived. It returns the messages it got even with an error, so that a
// failing receive does not hold back messages already received.
func (p *poller) gather(ctx context.Context) ([]types.Message, error) {
	var (
		batch    []types.Message
		deadline time.Time // of the window, once the first message is in
	)
	for len(batch) < p.m.BatchSize {
		wait := pollWait
		if len(batch) > 0 {
			remaining := time.Until(deadline)
			if p.m.Window == 0 || remaining <= 0 {
				break
			}
			// Whole seconds, rounded down, so that the poll returns by itself within the
			// window: a poll cut short would lose what it takes.
			wait = min(wait, remaining.Truncate(time.Second))
		}
		out, err := p.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.m.QueueURL),
			MaxNumberOfMessages:         int32(min(maxReceive, p.m.BatchSize-len(batch))),
			WaitTimeSeconds:             int32(wait / time.Second),
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return batch, err
		}
		if len(batch) == 0 && len(out.Messages) > 0 {
			deadline = time.Now().Add(p.m.Window)
		}
		batch = append(batch, out.Messages...)
		if wait == 0 && len(out.Messages) == 0 {
			if !sleep(ctx, min(shortPollPause, time.Until(deadline))) {
				return batch, ctx.Err()
			}
		}
	}
	return batch, nil
}
