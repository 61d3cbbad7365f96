package sqssource

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

const (
	// maxDelete is the most entries one DeleteMessageBatch takes.
	maxDelete = 10

	// deleteTimeout bounds the deletes after an invocation, which outlive ctx.
	deleteTimeout = 10 * time.Second
)

// delete deletes msgs from the queue in batches. It goes on when ctx has ended: the
// function has processed these messages, and deleting them now is what keeps them from
// being processed again.
func (p *poller) delete(ctx context.Context, msgs []types.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deleteTimeout)
	defer cancel()
	for start := 0; start < len(msgs); start += maxDelete {
		chunk := msgs[start:min(start+maxDelete, len(msgs))]
		entries := make([]types.DeleteMessageBatchRequestEntry, len(chunk))
		for i, m := range chunk {
			// Ids only need to be unique within the request.
			entries[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := p.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{
			QueueUrl: aws.String(p.m.QueueURL),
			Entries:  entries,
		})
		if err != nil {
			p.log.Error("sqssource: delete processed messages; they will be processed again", "messages", len(chunk), "err", err)
			continue
		}
		for _, f := range out.Failed {
			id := aws.ToString(f.Id)
			if i, err := strconv.Atoi(id); err == nil && i >= 0 && i < len(chunk) {
				id = aws.ToString(chunk[i].MessageId)
			}
			p.log.Error("sqssource: delete processed message; it will be processed again",
				"message_id", id, "code", aws.ToString(f.Code), "err", aws.ToString(f.Message))
		}
	}
}
