package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// Indexes of the Triggers table.
const (
	OwnerIndex   = "by-owner" // owner, id
	ChangesIndex = "changes"  // feed, version: every trigger by its last change
)

// feed is the one partition of the changes index. Trigger writes are rare next to
// events, so one partition holds them comfortably.
const feed = "triggers"

// TombstoneLife is how long a deleted trigger's tombstone stays on the changes index:
// far longer than any Router goes without refreshing.
const TombstoneLife = 24 * time.Hour

// Attribute names in the Triggers table.
const (
	attrID             = "id"
	attrOwner          = "owner"
	attrSpec           = "spec" // JSON
	attrCreatedAt      = "created_at"
	attrUpdatedAt      = "updated_at"
	attrDisabledReason = "disabled_reason"
	attrFeed           = "feed"
	attrVersion        = "version"
	attrDeleted        = "deleted"
	attrExpiresAt      = store.TTLAttribute
	attrExhausted      = "exhausted_in_row"
)

// Store keeps triggers in the Triggers table.
type Store struct {
	DB    *dynamodb.Client
	Table string
	Now   func() time.Time // time.Now when nil
	// MaxPerOwner is how many live triggers one owner may have; zero or less for no
	// limit. See Exempt.
	MaxPerOwner int
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func notFound() error { return fault.New(fault.NotFound, "no such trigger") }

// Version returns the changes-index position of a change at t: every change after t
// sorts after it.
func Version(t time.Time) string { return fmt.Sprintf("%020d", t.UnixNano()) }

// version returns the position of a change of id at t.
func version(t time.Time, id string) string { return Version(t) + "#" + id }

// Create stores a trigger of spec (normalized and authorized by the caller) for owner.
func (s *Store) Create(ctx context.Context, spec Spec, owner string) (*Trigger, error) {
	now := s.now()
	t := &Trigger{ID: ulid.Make().String(), Owner: owner, Spec: spec, CreatedAt: now, UpdatedAt: now, version: version(now, "")}
	t.version = version(now, t.ID)
	it, err := item(t)
	if err != nil {
		return nil, err
	}
	if err := s.ledger().Reserve(ctx, owner, t.ID, s.MaxPerOwner); err != nil {
		return nil, err
	}
	_, err = s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     it,
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	})
	if err != nil {
		if rerr := s.ledger().Release(context.WithoutCancel(ctx), owner, t.ID); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, fmt.Errorf("trigger: creating %s: %w", t.ID, err)
	}
	return t, nil
}

// Lookup returns the trigger id whoever owns it; deleted or missing is NotFound.
func (s *Store) Lookup(ctx context.Context, id string) (*Trigger, error) {
	if _, err := ulid.ParseStrict(id); err != nil {
		return nil, notFound()
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.Table),
		Key:            map[string]types.AttributeValue{attrID: str(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("trigger: reading %s: %w", id, err)
	}
	if out.Item == nil {
		return nil, notFound()
	}
	t, err := fromItem(out.Item)
	if err != nil {
		return nil, err
	}
	if t.deleted {
		return nil, notFound()
	}
	return t, nil
}

// Get returns owner's trigger id. Someone else's is NotFound, like a missing one.
func (s *Store) Get(ctx context.Context, id, owner string) (*Trigger, error) {
	t, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Owner != owner {
		return nil, notFound()
	}
	return t, nil
}

// List returns up to limit of owner's triggers, oldest first, after cursor.
func (s *Store) List(ctx context.Context, owner string, limit int, cursor string) ([]*Trigger, string, error) {
	start, err := store.DecodeCursor(cursor, "triggers", []string{attrID, attrOwner}, map[string]string{attrOwner: owner})
	if err != nil {
		return nil, "", err
	}
	var out []*Trigger
	for {
		res, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.Table),
			IndexName:                 aws.String(OwnerIndex),
			KeyConditionExpression:    aws.String("#owner = :owner"),
			FilterExpression:          aws.String("attribute_not_exists(#deleted)"),
			ExpressionAttributeNames:  map[string]string{"#owner": attrOwner, "#deleted": attrDeleted},
			ExpressionAttributeValues: map[string]types.AttributeValue{":owner": str(owner)},
			Limit:                     aws.Int32(int32(limit - len(out))),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, "", fmt.Errorf("trigger: listing the triggers of %s: %w", owner, err)
		}
		for _, it := range res.Items {
			t, err := fromItem(it)
			if err != nil {
				return nil, "", err
			}
			out = append(out, t)
		}
		if res.LastEvaluatedKey == nil || len(out) == limit {
			next, err := store.EncodeCursor("triggers", res.LastEvaluatedKey)
			return out, next, err
		}
		start = res.LastEvaluatedKey
	}
}

// Replace replaces the spec of owner's trigger id (normalized and authorized by the
// caller) and returns the trigger. A trigger Herald disabled stays disabled unless the
// new spec enables it.
func (s *Store) Replace(ctx context.Context, id, owner string, spec Spec) (*Trigger, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.update(ctx, id, owner, "SET #spec = :spec, #updated = :now, #feed = :feed, #version = :version REMOVE #reason",
		map[string]types.AttributeValue{":spec": str(string(b)), ":now": timeValue(now), ":feed": str(feed), ":version": str(version(now, id))},
		map[string]string{"#spec": attrSpec, "#updated": attrUpdatedAt, "#feed": attrFeed, "#version": attrVersion, "#reason": attrDisabledReason})
}

// SetEnabled enables or disables the trigger id, for owner ("" for Herald itself, which
// may disable anyone's trigger), with a reason when Herald disables it.
func (s *Store) SetEnabled(ctx context.Context, id, owner string, enabled bool, reason string) (*Trigger, error) {
	t, err := s.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if owner != "" && t.Owner != owner {
		return nil, notFound()
	}
	t.Enabled = new(enabled)
	b, err := json.Marshal(t.Spec)
	if err != nil {
		return nil, err
	}
	now := s.now()
	values := map[string]types.AttributeValue{":spec": str(string(b)), ":now": timeValue(now), ":feed": str(feed), ":version": str(version(now, id))}
	names := map[string]string{"#spec": attrSpec, "#updated": attrUpdatedAt, "#feed": attrFeed, "#version": attrVersion, "#reason": attrDisabledReason}
	expr := "SET #spec = :spec, #updated = :now, #feed = :feed, #version = :version REMOVE #reason"
	if enabled {
		// Enabled again, the count towards the next automatic disable starts over.
		expr = "SET #spec = :spec, #updated = :now, #feed = :feed, #version = :version, #n = :zero REMOVE #reason"
		values[":zero"] = &types.AttributeValueMemberN{Value: "0"}
		names["#n"] = attrExhausted
	}
	if !enabled && reason != "" {
		expr = "SET #spec = :spec, #updated = :now, #feed = :feed, #version = :version, #reason = :reason"
		values[":reason"] = str(reason)
	}
	return s.update(ctx, id, t.Owner, expr, values, names)
}

// Delete deletes owner's trigger id, leaving a tombstone for the Router, and gives its
// place in owner's quota back.
func (s *Store) Delete(ctx context.Context, id, owner string) error {
	now := s.now()
	_, err := s.update(ctx, id, owner, "SET #deleted = :true, #updated = :now, #feed = :feed, #version = :version, #exp = :exp REMOVE #spec",
		map[string]types.AttributeValue{
			":true": &types.AttributeValueMemberBOOL{Value: true}, ":now": timeValue(now), ":feed": str(feed),
			":version": str(version(now, id)), ":exp": store.TTL(now.Add(TombstoneLife)),
		},
		map[string]string{"#deleted": attrDeleted, "#updated": attrUpdatedAt, "#feed": attrFeed, "#version": attrVersion, "#exp": attrExpiresAt, "#spec": attrSpec})
	if err != nil {
		return err
	}
	// Should this fail the trigger is deleted all the same, and its place is freed
	// anyway when owner reaches the limit: a full ledger drops the ids of deleted
	// triggers.
	if err := s.ledger().Release(ctx, owner, id); err != nil {
		slog.WarnContext(ctx, "releasing a deleted trigger's quota place failed", "trigger", id, "owner", owner, "error", err.Error())
	}
	return nil
}

// update applies expr to owner's live trigger id and returns it as it is afterwards.
func (s *Store) update(ctx context.Context, id, owner, expr string, values map[string]types.AttributeValue, names map[string]string) (*Trigger, error) {
	if _, err := ulid.ParseStrict(id); err != nil {
		return nil, notFound()
	}
	values[":owner"] = str(owner)
	names["#owner"], names["#deletedFlag"] = attrOwner, attrDeleted
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: str(id)},
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("#owner = :owner AND attribute_not_exists(#deletedFlag)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
		ReturnValues:              types.ReturnValueAllNew,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return nil, notFound()
	case err != nil:
		return nil, fmt.Errorf("trigger: updating %s: %w", id, err)
	}
	return fromItem(out.Attributes)
}

// Changes returns every trigger changed after the position since ("" for all, or a
// Version), tombstones of deleted ones included, in the order they changed, and the
// position of the last one ("" when none).
func (s *Store) Changes(ctx context.Context, since string) ([]*Trigger, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		IndexName:                 aws.String(ChangesIndex),
		KeyConditionExpression:    aws.String("#feed = :feed AND #version > :since"),
		ExpressionAttributeNames:  map[string]string{"#feed": attrFeed, "#version": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":feed": str(feed), ":since": str(since)},
	}
	var out []*Trigger
	last := ""
	for {
		res, err := s.DB.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("trigger: reading changes: %w", err)
		}
		for _, it := range res.Items {
			t, err := fromItem(it)
			if err != nil {
				return nil, "", err
			}
			out = append(out, t)
			last = t.version
		}
		if res.LastEvaluatedKey == nil {
			return out, last, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// CountExhausted records one more exhausted delivery in a row for the trigger id and
// returns how many there are now. It does not change the trigger's version: the
// Router has nothing to reload.
func (s *Store) CountExhausted(ctx context.Context, id string) (int, error) {
	out, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: str(id)},
		UpdateExpression:          aws.String("ADD #n :one"),
		ConditionExpression:       aws.String("attribute_exists(#id) AND attribute_not_exists(#deleted)"),
		ExpressionAttributeNames:  map[string]string{"#n": attrExhausted, "#id": attrID, "#deleted": attrDeleted},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return 0, notFound()
	case err != nil:
		return 0, fmt.Errorf("trigger: counting an exhausted delivery of %s: %w", id, err)
	}
	n, _ := out.Attributes[attrExhausted].(*types.AttributeValueMemberN)
	if n == nil {
		return 0, nil
	}
	return strconv.Atoi(n.Value)
}

// ResetExhausted starts the count of exhausted deliveries in a row over, after a
// delivery succeeded.
func (s *Store) ResetExhausted(ctx context.Context, id string) error {
	_, err := s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.Table),
		Key:                       map[string]types.AttributeValue{attrID: str(id)},
		UpdateExpression:          aws.String("SET #n = :zero"),
		ConditionExpression:       aws.String("attribute_exists(#id)"),
		ExpressionAttributeNames:  map[string]string{"#n": attrExhausted, "#id": attrID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": &types.AttributeValueMemberN{Value: "0"}},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("trigger: resetting the exhausted count of %s: %w", id, err)
	}
	return nil
}

// item returns t as a table item.
func item(t *Trigger) (map[string]types.AttributeValue, error) {
	spec, err := json.Marshal(t.Spec)
	if err != nil {
		return nil, fmt.Errorf("trigger: encoding %s: %w", t.ID, err)
	}
	it := map[string]types.AttributeValue{
		attrID: str(t.ID), attrOwner: str(t.Owner), attrSpec: str(string(spec)),
		attrCreatedAt: timeValue(t.CreatedAt), attrUpdatedAt: timeValue(t.UpdatedAt),
		attrFeed: str(feed), attrVersion: str(t.version),
	}
	if t.DisabledReason != "" {
		it[attrDisabledReason] = str(t.DisabledReason)
	}
	return it, nil
}

// fromItem reads an item that item (or Delete) wrote.
func fromItem(it map[string]types.AttributeValue) (*Trigger, error) {
	get := func(name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	t := &Trigger{ID: get(attrID), Owner: get(attrOwner), DisabledReason: get(attrDisabledReason), version: get(attrVersion)}
	if n, ok := it[attrExhausted].(*types.AttributeValueMemberN); ok {
		t.ExhaustedInRow, _ = strconv.Atoi(n.Value)
	}
	if d, ok := it[attrDeleted].(*types.AttributeValueMemberBOOL); ok && d.Value {
		t.deleted = true
		return t, nil
	}
	if err := json.Unmarshal([]byte(get(attrSpec)), &t.Spec); err != nil {
		return nil, fmt.Errorf("trigger: item %s has an unreadable spec: %w", t.ID, err)
	}
	var err error
	if t.CreatedAt, err = time.Parse(time.RFC3339Nano, get(attrCreatedAt)); err != nil {
		return nil, fmt.Errorf("trigger: item %s: %s: %w", t.ID, attrCreatedAt, err)
	}
	if t.UpdatedAt, err = time.Parse(time.RFC3339Nano, get(attrUpdatedAt)); err != nil {
		return nil, fmt.Errorf("trigger: item %s: %s: %w", t.ID, attrUpdatedAt, err)
	}
	return t, nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func timeValue(t time.Time) types.AttributeValue { return str(t.UTC().Format(time.RFC3339Nano)) }
