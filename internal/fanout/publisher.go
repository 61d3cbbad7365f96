package fanout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// SNS limits on one PublishBatch call.
const (
	MaxBatchEntries = 10
	MaxBatchBytes   = 256 * 1024 // the whole batch, bodies and attributes together
)

// Entry is one message of a batch.
type Entry struct {
	Body       string
	Attributes map[string]types.MessageAttributeValue
}

// Size is the entry's share of a batch's size limit.
func (e Entry) Size() int { return len(e.Body) + attributesSize(e.Attributes) }

// Publisher sends batches to one topic.
type Publisher struct {
	client   *sns.Client
	topicARN string
}

// NewPublisher returns a Publisher for the topic.
func NewPublisher(client *sns.Client, topicARN string) *Publisher {
	return &Publisher{client: client, topicARN: topicARN}
}

// TopicARN is the topic published to.
func (p *Publisher) TopicARN() string { return p.topicARN }

// PublishBatch publishes up to MaxBatchEntries entries in one call. It returns one error
// slot per entry: nil where SNS accepted the entry. A non-nil second result means the call
// itself failed and no entry is known to be accepted.
func (p *Publisher) PublishBatch(ctx context.Context, entries []Entry) ([]error, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	if len(entries) > MaxBatchEntries {
		return nil, fmt.Errorf("fanout: %d entries in one batch, at most %d", len(entries), MaxBatchEntries)
	}
	in := &sns.PublishBatchInput{
		TopicArn:                   aws.String(p.topicARN),
		PublishBatchRequestEntries: make([]types.PublishBatchRequestEntry, len(entries)),
	}
	for i, e := range entries {
		in.PublishBatchRequestEntries[i] = types.PublishBatchRequestEntry{
			Id:                aws.String(strconv.Itoa(i)),
			Message:           aws.String(e.Body),
			MessageAttributes: e.Attributes,
		}
	}
	out, err := p.client.PublishBatch(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("fanout: PublishBatch: %w", err)
	}
	errs := make([]error, len(entries))
	seen := make([]bool, len(entries))
	for _, ok := range out.Successful {
		if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i >= 0 && i < len(entries) {
			seen[i] = true
		}
	}
	for _, f := range out.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(entries) {
			continue
		}
		seen[i] = false
		errs[i] = fmt.Errorf("fanout: entry refused: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
	}
	// An entry SNS answered neither way is not known to be published: treat it as failed
	// so that it is retried rather than acknowledged.
	for i := range entries {
		if !seen[i] && errs[i] == nil {
			errs[i] = fmt.Errorf("fanout: entry %d missing from the PublishBatch answer", i)
		}
	}
	return errs, nil
}
