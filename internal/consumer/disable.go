package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// pausedFor is how long Disable pauses a JetStream consumer: for good, in effect. The
// consumer goes away with its idle expiry, since a disabled consumer cannot be fetched
// from and so is never used again.
const pausedFor = 100 * 365 * 24 * time.Hour

// Disable stops the consumer id, whoever owns it, from delivering anything, with reason
// recorded for its owner to read. The JetStream consumer is paused (its position and
// pending messages kept), so no fetch or stream gets a message from it, and the record
// says why, so fetches answer that it is disabled instead of staying empty. Nothing
// re-enables it: it expires when idle, as any consumer, or is deleted.
func (s *Store) Disable(ctx context.Context, id, reason string) (*Record, error) {
	r, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	_, err = s.JS.PauseConsumer(ctx, event.StreamName, id, s.now().Add(pausedFor))
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, notFound()
	case err != nil:
		return nil, fault.Wrap(fault.Unavailable, err, "the event bus did not pause the consumer; try again")
	}
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:          aws.String("SET #reason = :reason"),
		ConditionExpression:       aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames:  map[string]string{"#id": attrID, "#reason": attrDisabledReason},
		ExpressionAttributeValues: map[string]types.AttributeValue{":reason": &types.AttributeValueMemberS{Value: reason}},
	})
	var gone *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &gone):
		return nil, notFound()
	case err != nil:
		return nil, fmt.Errorf("consumer: disabling %s: %w", id, err)
	}
	r.DisabledReason = reason
	return r, nil
}
