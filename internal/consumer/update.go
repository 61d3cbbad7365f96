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

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

// Update gives the consumer r the normalized spec next (see Changes.Apply), which must
// keep r's target, deliver policy and start: first the JetStream consumer, in place
// (its position, pending messages and pause kept), then the record, on the condition
// that nobody changed it meanwhile. If the record cannot be written the JetStream
// consumer is set back to what the record says, so that the two never disagree for
// longer than the request; a record changed meanwhile is a fault Conflict. The idle
// expiry starts over, as JetStream restarts its inactivity clock on an update. The
// caller checks permissions.
func (s *Store) Update(ctx context.Context, r *Record, next Spec) (*Record, error) {
	c, err := s.JS.Consumer(ctx, event.StreamName, r.ID)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, notFound()
	case err != nil:
		return nil, fault.Wrap(fault.Unavailable, err, "the event bus failed reading the consumer; try again")
	}
	pause := c.CachedInfo().Config.PauseUntil
	if err := s.configure(ctx, r.ID, r.Owner, &next, pause); err != nil {
		return nil, err
	}

	now := s.now().UTC()
	out := *r
	out.Spec = next
	out.FilterSubjects = next.FilterSubjects()
	out.LastUsedAt = now
	out.ExpiresAt = now.Add(next.IdleExpiryDuration()).Truncate(time.Second)
	item, err := out.item()
	if err == nil {
		var old types.AttributeValue
		if old, err = r.storedSpec(); err == nil {
			_, err = s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(s.Table),
				Key:       map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: r.ID}},
				// The spec read is the spec replaced: two changes at once must not leave
				// the record with one and JetStream with the other.
				UpdateExpression:    aws.String("SET #spec = :spec, #filters = :filters, #used = :used, #exp = :exp"),
				ConditionExpression: aws.String("attribute_exists(#id) AND #spec = :old"),
				ExpressionAttributeNames: map[string]string{
					"#id": attrID, "#spec": attrSpec, "#filters": attrFilterSubjects, "#used": attrLastUsedAt, "#exp": attrExpiresAt,
				},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":spec": item[attrSpec], ":filters": item[attrFilterSubjects], ":used": item[attrLastUsedAt],
					":exp": item[attrExpiresAt], ":old": old,
				},
			})
		}
	}
	if err == nil {
		out.specJSON = item[attrSpec].(*types.AttributeValueMemberS).Value
		return &out, nil
	}
	// The request may have been cancelled: the undo must still happen.
	undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if uerr := s.resync(undo, r, pause); uerr != nil {
		slog.ErrorContext(ctx, "setting the JetStream consumer back to its record failed", "consumer", r.ID, "error", uerr.Error())
		err = errors.Join(err, uerr)
	}
	var changed *types.ConditionalCheckFailedException
	if errors.As(err, &changed) {
		return nil, fault.New(fault.Conflict, "the consumer was changed or deleted meanwhile; read it again and retry")
	}
	return nil, fmt.Errorf("consumer: writing the changes of %s: %w", r.ID, err)
}

// configure updates the JetStream consumer id of owner to the spec, with pause as its
// pause (nil for none): an update without it would resume a paused consumer.
func (s *Store) configure(ctx context.Context, id, owner string, spec *Spec, pause *time.Time) error {
	cfg := spec.ConsumerConfig(id, owner)
	cfg.PauseUntil = pause
	_, err := s.JS.UpdateConsumer(ctx, event.StreamName, cfg)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound), errors.Is(err, jetstream.ErrConsumerDoesNotExist):
		return notFound()
	case err != nil:
		return fault.Wrap(fault.Unavailable, err, "the event bus did not change the consumer; try again")
	}
	return nil
}

// resync sets the JetStream consumer of r back to the spec its record holds now (which
// another change may have written meanwhile), or to r's when the record is gone or
// cannot be read.
func (s *Store) resync(ctx context.Context, r *Record, pause *time.Time) error {
	spec := r.Spec
	if cur, err := s.Lookup(ctx, r.ID); err == nil {
		spec = cur.Spec
	} else if !fault.Is(err, fault.NotFound) {
		slog.WarnContext(ctx, "reading the consumer to set JetStream back failed; using the record read before", "consumer", r.ID, "error", err.Error())
	}
	err := s.configure(ctx, r.ID, r.Owner, &spec, pause)
	if fault.Is(err, fault.NotFound) {
		return nil // deleted meanwhile: nothing to set back
	}
	return err
}

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

// PauseForever is how far ahead a pause without an end is set: JetStream needs a time.
const PauseForever = pausedFor

// Pause pauses the consumer r until the given time (a zero until is PauseForever from
// now): JetStream delivers nothing of it, to batches or streams, until then or until
// Resume. A consumer an administrator disabled is a fault Conflict: its pause is the
// administrator's. until must be in the future.
func (s *Store) Pause(ctx context.Context, r *Record, until time.Time) (PauseState, error) {
	if r.DisabledReason != "" {
		return PauseState{}, fault.New(fault.Conflict, "the consumer is "+r.DisabledReason+"; it cannot be paused or resumed")
	}
	now := s.now()
	if until.IsZero() {
		until = now.Add(PauseForever)
	} else if !until.After(now) {
		return PauseState{}, fault.Field("until", "must be in the future")
	}
	resp, err := s.JS.PauseConsumer(ctx, event.StreamName, r.ID, until)
	if err != nil {
		return PauseState{}, pauseError(err)
	}
	t := resp.PauseUntil.UTC()
	return PauseState{Paused: resp.Paused, PausedUntil: &t}, nil
}

// Resume ends a pause of the consumer r; resuming one that is not paused changes
// nothing. A consumer an administrator disabled is a fault Conflict.
func (s *Store) Resume(ctx context.Context, r *Record) (PauseState, error) {
	if r.DisabledReason != "" {
		return PauseState{}, fault.New(fault.Conflict, "the consumer is "+r.DisabledReason+"; it cannot be paused or resumed")
	}
	if _, err := s.JS.ResumeConsumer(ctx, event.StreamName, r.ID); err != nil {
		return PauseState{}, pauseError(err)
	}
	return PauseState{}, nil
}

// pauseError is the fault for a failed pause or resume.
func pauseError(err error) error {
	if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrConsumerDoesNotExist) {
		return notFound()
	}
	return fault.Wrap(fault.Unavailable, err, "the event bus did not pause or resume the consumer; try again")
}
