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
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// PauseState is whether a JetStream consumer is paused, and until when.
type PauseState struct {
	Paused      bool       `json:"paused"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
}

// PauseStateOf returns the pause state of a JetStream consumer from its info.
func PauseStateOf(info *jetstream.ConsumerInfo) PauseState {
	if info == nil || !info.Paused || info.Config.PauseUntil == nil {
		return PauseState{}
	}
	t := info.Config.PauseUntil.UTC()
	return PauseState{Paused: true, PausedUntil: &t}
}

// PauseForever is how far ahead a pause without an end is set, JetStream needing a
// time; it is also the furthest a pause may end.
const PauseForever = pausedFor

// Pause pauses the consumer r until the given time (a zero until is PauseForever from
// now): JetStream delivers nothing of it, to batches or streams, until then or until
// Resume. The record says so first, then JetStream follows (see sync); if JetStream
// refuses, the record's pause is set back.
//
// A paused consumer does not expire: its idle clock starts when the pause ends, so the
// record's expiry moves to the end plus the idle expiry, and the JetStream consumer's
// inactivity threshold grows by the time until the end (JetStream counts a paused
// consumer as idle). A consumer an administrator disabled is a fault Conflict: its
// pause is the administrator's. until must be in the future and at most PauseForever
// ahead.
func (s *Store) Pause(ctx context.Context, r *Record, until time.Time) (PauseState, error) {
	if r.DisabledReason != "" {
		return PauseState{}, disabledConflict(r)
	}
	now := s.now()
	switch {
	case until.IsZero():
		until = now.Add(PauseForever)
	case !until.After(now):
		return PauseState{}, fault.Field("until", "must be in the future")
	case until.After(now.Add(PauseForever)):
		return PauseState{}, fault.Field("until", "must be at most 100 years ahead")
	}
	until = until.UTC()
	paused := *r
	paused.PausedUntil = &until
	exp := paused.expiry(now)
	if err := s.setPause(ctx, r, &until, exp, nil); err != nil {
		return PauseState{}, err
	}
	if err := s.sync(ctx, r.ID); err != nil {
		s.undoPause(ctx, r, &until)
		return PauseState{}, err
	}
	return PauseState{Paused: true, PausedUntil: &until}, nil
}

// Resume ends a pause of the consumer r, the record first and then JetStream; resuming
// one that is not paused changes nothing but its expiry. The idle clock starts again
// now. A consumer an administrator disabled is a fault Conflict.
func (s *Store) Resume(ctx context.Context, r *Record) (PauseState, error) {
	if r.DisabledReason != "" {
		return PauseState{}, disabledConflict(r)
	}
	resumed := *r
	resumed.PausedUntil = nil
	if err := s.setPause(ctx, r, nil, resumed.expiry(s.now()), nil); err != nil {
		return PauseState{}, err
	}
	if err := s.sync(ctx, r.ID); err != nil {
		s.undoPause(ctx, r, nil)
		return PauseState{}, err
	}
	return PauseState{}, nil
}

// disabledConflict is the answer to pausing or resuming the disabled consumer r.
func disabledConflict(r *Record) error {
	return fault.New(fault.Conflict, "the consumer is "+r.DisabledReason+"; it cannot be paused or resumed")
}

// setPause writes the pause until (nil for none) and the expiry exp to the record of
// r, on the condition that it exists and is not disabled, and, when was is not nil,
// that its pause is still was's.
func (s *Store) setPause(ctx context.Context, r *Record, until *time.Time, exp time.Time, was *Record) error {
	names := map[string]string{"#id": attrID, "#paused": attrPausedUntil, "#exp": attrExpiresAt, "#reason": attrDisabledReason}
	values := map[string]types.AttributeValue{":exp": store.TTL(exp)}
	update := "SET #exp = :exp REMOVE #paused"
	if until != nil {
		update, values[":until"] = "SET #exp = :exp, #paused = :until", timeValue(*until)
	}
	cond := "attribute_exists(#id) AND attribute_not_exists(#reason)"
	if was != nil {
		cond = "attribute_exists(#id) AND " + was.pauseCondition(names, values)
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: r.ID}},
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		// Gone, or disabled meanwhile: a fresh read tells which.
		cur, lerr := s.Lookup(ctx, r.ID)
		if lerr != nil {
			return lerr
		}
		if cur.DisabledReason != "" {
			return disabledConflict(cur)
		}
		return fault.New(fault.Conflict, "the consumer was paused or resumed meanwhile; read it again and retry")
	case err != nil:
		return fmt.Errorf("consumer: writing the pause of %s: %w", r.ID, err)
	}
	return nil
}

// undoPause sets the pause and expiry of the record r back to r's after JetStream
// refused the pause until (nil for a resume), unless another change replaced it
// meanwhile, and brings JetStream into line with the record again, as far as it will.
func (s *Store) undoPause(ctx context.Context, r *Record, until *time.Time) {
	// The request may have been cancelled: the undo must still happen.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	written := *r
	written.PausedUntil, written.DisabledReason = until, ""
	err := s.setPause(ctx, r, r.PausedUntil, r.ExpiresAt, &written)
	if err != nil && !fault.Is(err, fault.Conflict) && !fault.Is(err, fault.NotFound) {
		slog.ErrorContext(ctx, "setting the consumer's pause back after JetStream refused it failed", "consumer", r.ID, "error", err.Error())
	}
	if err := s.sync(ctx, r.ID); err != nil && !fault.Is(err, fault.NotFound) {
		slog.WarnContext(ctx, "bringing the JetStream consumer into line with its record failed", "consumer", r.ID, "error", err.Error())
	}
}
