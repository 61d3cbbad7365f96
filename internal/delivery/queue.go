package delivery

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/internal/trace"
)

// Queue is the deliveries queue, which Deliver consumes.
type Queue struct {
	SQS *sqs.Client
	URL string
}

// Send puts t on the queue.
func (q *Queue) Send(ctx context.Context, t *Task) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(string(body))}
	if trace.Valid(t.Trace) {
		in.MessageSystemAttributes = map[string]types.MessageSystemAttributeValue{
			trace.SQSSystemAttribute: {DataType: aws.String("String"), StringValue: aws.String(t.Trace)},
		}
	}
	if _, err := q.SQS.SendMessage(ctx, in); err != nil {
		return fmt.Errorf("delivery: sending the task of %s: %w", t.DeliveryID, err)
	}
	return nil
}

// Enqueue records the delivery of t and sends its task, unless that was done before:
// what makes routing an event twice queue nothing twice. It reports whether it sent.
func (s *Store) Enqueue(ctx context.Context, q *Queue, t *Task) (bool, error) {
	send, err := s.Claim(ctx, t)
	if err != nil || !send {
		return false, err
	}
	if err := q.Send(ctx, t); err != nil {
		return false, err
	}
	return true, s.MarkQueued(ctx, t)
}

// Redeliver queues t for another round of attempts whatever became of it before,
// except that a delivery that succeeded is left alone unless force is set (a manual
// retry of it): what retry, replay and fire use. It reports whether it sent.
func (s *Store) Redeliver(ctx context.Context, q *Queue, t *Task, force bool) (bool, error) {
	created, _, err := s.claim(ctx, t)
	if err != nil {
		return false, err
	}
	if !created {
		r, err := s.Get(ctx, t.TriggerID, t.DeliveryID)
		if err != nil {
			return false, err
		}
		if ok, err := s.Requeue(ctx, r, force); err != nil || !ok {
			return false, err
		}
		t = r.Task()
	}
	if err := q.Send(ctx, t); err != nil {
		return false, err
	}
	return true, s.MarkQueued(ctx, t)
}
