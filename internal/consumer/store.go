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
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// OwnerIndex is the Consumers table's index of consumers by owner, sorted by id (and so
// by creation time, ids being ULIDs).
const OwnerIndex = "by-owner"

// TouchEvery is how stale LastUsedAt may get before Touch writes it again. Using a
// consumer is frequent (every fetch), and one write a minute keeps that cheap; the
// JetStream consumer's own inactivity clock is reset by every fetch regardless.
const TouchEvery = time.Minute

// Store keeps consumers: each one is a durable pull consumer on HERALD_EVENTS and a
// record in the Consumers table, created and deleted together.
type Store struct {
	JS    jetstream.JetStream
	DB    *dynamodb.Client
	Table string
	Now   func() time.Time // time.Now when nil
	// MaxPerOwner is how many live consumers one owner may have; zero or less for no
	// limit. See Exempt.
	MaxPerOwner int

	// beforeConfigure, when set, is called by sync with the record it is about to
	// apply to JetStream: tests make a change happen there.
	beforeConfigure func(*Record)
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// notFound is the one answer for a consumer that does not exist, has expired or is not
// the caller's: telling them apart would let anyone probe for other people's ids.
func notFound() error { return fault.New(fault.NotFound, "no such consumer") }

// Create normalizes spec and creates a consumer of it for owner: first the JetStream
// consumer, then the record. If the record cannot be written the JetStream consumer is
// deleted again, so that no consumer exists that nobody can see or delete; if the
// JetStream consumer cannot be made, nothing is written. The caller checks permissions
// (Spec.Authorize) first.
func (s *Store) Create(ctx context.Context, spec Spec, owner string) (*Record, error) {
	if err := spec.Normalize(); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	r := &Record{
		ID:             ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String(),
		Owner:          owner,
		Spec:           spec,
		FilterSubjects: spec.FilterSubjects(),
		CreatedAt:      now,
		LastUsedAt:     now,
		// Whole seconds, as the table keeps it (epoch seconds for TTL).
		ExpiresAt: now.Add(spec.IdleExpiryDuration()).Truncate(time.Second),
	}
	item, err := r.item()
	if err != nil {
		return nil, err
	}
	r.specJSON = item[attrSpec].(*types.AttributeValueMemberS).Value
	// The place in owner's quota is taken before anything is made, and given back if
	// the consumer is not.
	if err := s.ledger().Reserve(ctx, owner, r.ID, s.MaxPerOwner); err != nil {
		return nil, err
	}
	if _, err := s.JS.CreateConsumer(ctx, event.StreamName, spec.ConsumerConfig(r.ID, owner)); err != nil {
		if rerr := s.ledger().Release(context.WithoutCancel(ctx), owner, r.ID); rerr != nil {
			slog.WarnContext(ctx, "releasing the quota place of a consumer not made failed", "consumer", r.ID, "owner", owner, "error", rerr.Error())
		}
		return nil, fault.Wrap(fault.Unavailable, err, "the event bus did not create the consumer; try again")
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.Table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{
			"#id": attrID,
		},
	})
	if err != nil {
		// The request may have been cancelled: the undo must still happen.
		undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if derr := s.JS.DeleteConsumer(undo, event.StreamName, r.ID); derr != nil && !errors.Is(derr, jetstream.ErrConsumerNotFound) {
			err = errors.Join(err, fmt.Errorf("undoing the JetStream consumer %s: %w", r.ID, derr))
		} else if rerr := s.ledger().Release(undo, owner, r.ID); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, fmt.Errorf("consumer: writing the record of %s: %w", r.ID, err)
	}
	return r, nil
}

// Lookup returns the consumer id whoever owns it, or a fault NotFound when there is
// none or it has expired (DynamoDB deletes expired items lazily, so reads filter them).
// Handlers that answer only owners use Get.
func (s *Store) Lookup(ctx context.Context, id string) (*Record, error) {
	if !ValidID(id) {
		return nil, notFound()
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("consumer: reading %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, notFound()
	}
	r, err := recordFrom(out.Item)
	if err != nil {
		return nil, err
	}
	if store.Expired(r.ExpiresAt.Unix(), s.now()) {
		return nil, notFound()
	}
	return r, nil
}

// Get returns owner's consumer id, or a fault NotFound when it does not exist, has
// expired or belongs to someone else, never saying which.
func (s *Store) Get(ctx context.Context, id, owner string) (*Record, error) {
	r, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Owner != owner {
		return nil, notFound()
	}
	return r, nil
}

// List returns up to limit of owner's consumers in id order (creation order), starting
// after cursor, and the cursor of the next page ("" on the last). The cursor is pinned
// to owner: one edited to name another owner is refused. Expired consumers are left
// out, so a page may hold fewer than limit even when more follow.
func (s *Store) List(ctx context.Context, owner string, limit int, cursor string) ([]*Record, string, error) {
	start, err := store.DecodeCursor(cursor, "consumers", []string{attrID, attrOwner}, map[string]string{attrOwner: owner})
	if err != nil {
		return nil, "", err
	}
	out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(s.Table),
		IndexName:              aws.String(OwnerIndex),
		KeyConditionExpression: aws.String("#owner = :owner"),
		// "owner" is a DynamoDB reserved word.
		ExpressionAttributeNames:  map[string]string{"#owner": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
		Limit:                     aws.Int32(int32(limit)),
		ExclusiveStartKey:         start,
	})
	if err != nil {
		return nil, "", fmt.Errorf("consumer: listing the consumers of %s: %w", owner, err)
	}
	now := s.now()
	records := make([]*Record, 0, len(out.Items))
	for _, it := range out.Items {
		r, err := recordFrom(it)
		if err != nil {
			return nil, "", err
		}
		if !store.Expired(r.ExpiresAt.Unix(), now) {
			records = append(records, r)
		}
	}
	next, err := store.EncodeCursor("consumers", out.LastEvaluatedKey)
	if err != nil {
		return nil, "", err
	}
	return records, next, nil
}

// Delete removes the consumer id: the JetStream consumer first, so that nothing is
// delivered once the answer is given, then the record, and gives its place in its
// owner's quota back. Either may already be gone. The caller checks who may delete
// (owner, or WRITE on every scope path).
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := s.JS.DeleteConsumer(ctx, event.StreamName, id); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fault.Wrap(fault.Unavailable, err, "the event bus did not delete the consumer; try again")
	}
	out, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:    aws.String(s.Table),
		Key:          map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: id}},
		ReturnValues: types.ReturnValueAllOld,
	})
	if err != nil {
		return fmt.Errorf("consumer: deleting the record of %s: %w", id, err)
	}
	if owner, ok := out.Attributes[attrOwner].(*types.AttributeValueMemberS); ok {
		// Should this fail the place is freed anyway when the owner reaches the limit:
		// a full ledger drops the ids of consumers without a record.
		if err := s.ledger().Release(ctx, owner.Value, id); err != nil {
			slog.WarnContext(ctx, "releasing a deleted consumer's quota place failed", "consumer", id, "owner", owner.Value, "error", err.Error())
		}
	}
	return nil
}

// Touch records that r was used now, pushing LastUsedAt and ExpiresAt forward, unless
// that was done less than TouchEvery ago. It updates r too. A record deleted meanwhile
// is not brought back, and its expiry never moves back: a pause may have pushed it
// past the last use plus the idle expiry (see Pause).
func (s *Store) Touch(ctx context.Context, r *Record) error {
	now := s.now().UTC()
	if now.Sub(r.LastUsedAt) < TouchEvery {
		return nil
	}
	expires := now.Add(r.IdleExpiryDuration())
	key := map[string]types.AttributeValue{attrID: &types.AttributeValueMemberS{Value: r.ID}}
	var gone *types.ConditionalCheckFailedException
	if _, paused := r.pauseEnd(now); !paused {
		_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:           aws.String(s.Table),
			Key:                 key,
			UpdateExpression:    aws.String("SET #used = :used, #exp = :exp"),
			ConditionExpression: aws.String("attribute_exists(#id) AND #exp < :exp"),
			ExpressionAttributeNames: map[string]string{
				"#id": attrID, "#used": attrLastUsedAt, "#exp": attrExpiresAt,
			},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":used": timeValue(now), ":exp": store.TTL(expires),
			},
		})
		switch {
		case err == nil:
			r.LastUsedAt, r.ExpiresAt = now, time.Unix(expires.Unix(), 0).UTC()
			return nil
		case !errors.As(err, &gone):
			return fmt.Errorf("consumer: touching %s: %w", r.ID, err)
		}
		// Gone, or expiring later already (paused meanwhile): the use alone is written.
	}
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       key,
		UpdateExpression:          aws.String("SET #used = :used"),
		ConditionExpression:       aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames:  map[string]string{"#id": attrID, "#used": attrLastUsedAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":used": timeValue(now)},
	})
	switch {
	case errors.As(err, &gone):
		return notFound()
	case err != nil:
		return fmt.Errorf("consumer: touching %s: %w", r.ID, err)
	}
	r.LastUsedAt = now
	return nil
}
