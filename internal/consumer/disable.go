package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/store"
)

// pausedFor is how long Disable pauses a JetStream consumer: for good, in effect. The
// consumer goes away with its idle expiry, since a disabled consumer cannot be fetched
// from and so is never used again.
const pausedFor = 100 * 365 * 24 * time.Hour

// Disable stops the consumer id, whoever owns it, from delivering anything, with reason
// recorded for its owner to read. The record says so first, so fetches answer that it
// is disabled instead of staying empty, and then the JetStream consumer is paused (its
// position and pending messages kept; see sync), so no fetch or stream gets a message
// from it. Nothing re-enables it: it expires when idle, counted from now, as any
// consumer, or is deleted. Should JetStream refuse, the record stays disabled, which
// batches and streams honour, and disabling again completes it.
func (s *Store) Disable(ctx context.Context, id, reason string) (*Record, error) {
	r, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.now()
	until := now.Add(pausedFor).UTC()
	disabled := *r
	disabled.DisabledReason, disabled.PausedUntil = reason, &until
	disabled.ExpiresAt = disabled.expiry(now)
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(s.Table),
		Key:                 map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		UpdateExpression:    aws.String("SET #reason = :reason, #paused = :until, #exp = :exp"),
		ConditionExpression: aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID, "#reason": attrDisabledReason, "#paused": attrPausedUntil, "#exp": attrExpiresAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":reason": &types.AttributeValueMemberS{Value: reason}, ":until": timeValue(until), ":exp": store.TTL(disabled.ExpiresAt),
		},
	})
	var gone *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &gone):
		return nil, notFound()
	case err != nil:
		return nil, fmt.Errorf("consumer: disabling %s: %w", id, err)
	}
	if err := s.sync(ctx, id); err != nil {
		return nil, err
	}
	return &disabled, nil
}
