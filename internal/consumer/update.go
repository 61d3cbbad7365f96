package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
)

// Update gives the consumer r the normalized spec next (see Changes.Apply), which must
// keep r's target, deliver policy and start: first the record, on the condition that
// nobody changed its spec or pause since r was read (else a fault Conflict), then the
// JetStream consumer, in place (its position and pending messages kept, and the pause
// the record holds). If JetStream refuses, the record's spec is set back.
//
// The record goes first because Screens judge by it: while the two disagree, JetStream
// may deliver by the old subjects what the new rules judge (and, when they narrow,
// hide, as asked), but it never delivers by new subjects what old rules would hide.
// The idle expiry starts over, as JetStream restarts its inactivity clock on an update
// (after the pause, for a paused consumer). The caller checks permissions.
func (s *Store) Update(ctx context.Context, r *Record, next Spec) (*Record, error) {
	now := s.now().UTC()
	out := *r
	out.Spec = next
	out.FilterSubjects = next.FilterSubjects()
	out.LastUsedAt = now
	out.ExpiresAt = out.expiry(now)
	item, err := out.item()
	if err != nil {
		return nil, err
	}
	old, err := r.storedSpec()
	if err != nil {
		return nil, err
	}
	names := map[string]string{
		"#id": attrID, "#spec": attrSpec, "#filters": attrFilterSubjects, "#used": attrLastUsedAt, "#exp": attrExpiresAt,
	}
	values := map[string]types.AttributeValue{
		":spec": item[attrSpec], ":filters": item[attrFilterSubjects], ":used": item[attrLastUsedAt],
		":exp": item[attrExpiresAt], ":old": old,
	}
	// The spec and pause read are those replaced: two changes at once must not leave
	// the record with one and JetStream with the other, and the expiry depends on the
	// pause.
	cond := "attribute_exists(#id) AND #spec = :old AND " + r.pauseCondition(names, values)
	_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: r.ID}},
		UpdateExpression:          aws.String("SET #spec = :spec, #filters = :filters, #used = :used, #exp = :exp"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var changed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &changed):
		return nil, fault.New(fault.Conflict, "the consumer was changed or deleted meanwhile; read it again and retry")
	case err != nil:
		return nil, fmt.Errorf("consumer: writing the changes of %s: %w", r.ID, err)
	}
	out.specJSON = item[attrSpec].(*types.AttributeValueMemberS).Value

	if err := s.sync(ctx, r.ID); err != nil {
		// The request may have been cancelled: the undo must still happen.
		undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		s.undoUpdate(undo, r, item, old)
		return nil, err
	}
	return &out, nil
}

// undoUpdate sets the spec of the record r back to old after JetStream refused the
// spec of item, unless another change replaced it meanwhile, and brings JetStream into
// line with the record again, as far as it will.
func (s *Store) undoUpdate(ctx context.Context, r *Record, item map[string]types.AttributeValue, old types.AttributeValue) {
	prev, err := r.item()
	if err == nil {
		_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.Table),
			Key:                      map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: r.ID}},
			UpdateExpression:         aws.String("SET #spec = :old, #filters = :filters"),
			ConditionExpression:      aws.String("#spec = :new"),
			ExpressionAttributeNames: map[string]string{"#spec": attrSpec, "#filters": attrFilterSubjects},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":old": old, ":new": item[attrSpec], ":filters": prev[attrFilterSubjects],
			},
		})
	}
	var replaced *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &replaced) {
		slog.ErrorContext(ctx, "setting the consumer's record back after JetStream refused the change failed", "consumer", r.ID, "error", err.Error())
	}
	if err := s.sync(ctx, r.ID); err != nil && !fault.Is(err, fault.NotFound) {
		slog.WarnContext(ctx, "bringing the JetStream consumer into line with its record failed", "consumer", r.ID, "error", err.Error())
	}
}

// pauseCondition returns a condition that the record's pause and disable are still
// those of r, adding the names and values it uses.
func (r *Record) pauseCondition(names map[string]string, values map[string]types.AttributeValue) string {
	names["#paused"], names["#reason"] = attrPausedUntil, attrDisabledReason
	cond := "attribute_not_exists(#paused)"
	if r.PausedUntil != nil {
		cond, values[":paused"] = "#paused = :paused", timeValue(*r.PausedUntil)
	}
	if r.DisabledReason == "" {
		return cond + " AND attribute_not_exists(#reason)"
	}
	values[":reason"] = &types.AttributeValueMemberS{Value: r.DisabledReason}
	return cond + " AND #reason = :reason"
}
