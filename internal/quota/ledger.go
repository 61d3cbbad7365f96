package quota

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/fault"
)

// Grace is how long an id may be in a ledger without its thing existing: the time
// between reserving a place and writing the thing. Younger ids always count, so that a
// create under way is not mistaken for a lost one.
const Grace = 2 * time.Minute

// Attribute names of a ledger item. Its key attribute is the table's ("id"); it has
// none of the attributes the table's indexes are keyed on, so it appears in none.
const (
	attrKey = "id"
	attrIDs = "quota_ids" // string set of the owner's ids
)

// Ledger counts one kind of thing per owner in Table, whose key is the string "id".
type Ledger struct {
	DB    *dynamodb.Client
	Table string
	// Name is what is counted ("triggers", "consumers"): the quota's name in answers and
	// part of every ledger item's key.
	Name string
	// Live reports which of ids (ULIDs of this kind) still exist, with consistent reads.
	// Ids it leaves out, older than Grace, are dropped from the ledger.
	Live func(ctx context.Context, ids []string) (map[string]bool, error)
	Now  func() time.Time // time.Now when nil
}

func (l *Ledger) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// ItemPrefix starts the key of every ledger item. Thing ids are ULIDs, which never hold
// "#", so a ledger item is never mistaken for a thing.
const ItemPrefix = "quota#"

// IsLedgerKey reports whether a table key is a ledger item's, for scans of the table.
func IsLedgerKey(id string) bool {
	return len(id) > len(ItemPrefix) && id[:len(ItemPrefix)] == ItemPrefix
}

func (l *Ledger) key(owner string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: ItemPrefix + l.Name + "#" + owner}}
}

// Reserve takes a place for id among owner's things, of at most limit. At the limit it
// first drops the ids of things that no longer exist; if none can be dropped the answer
// is fault.OverLimit naming the limit and how many owner holds. A limit of zero or less
// reserves nothing: the owner is not limited (and id is not counted).
func (l *Ledger) Reserve(ctx context.Context, owner, id string, limit int) error {
	if limit <= 0 {
		return nil
	}
	err := l.add(ctx, owner, id, limit)
	if !isConditionFailed(err) {
		return err
	}
	ids, err := l.IDs(ctx, owner)
	if err != nil {
		return err
	}
	gone, err := l.gone(ctx, ids)
	if err != nil {
		return err
	}
	if len(gone) == 0 {
		return fault.OverLimit(fault.Quota{Name: l.Name, Limit: limit, Current: len(ids)})
	}
	if err := l.remove(ctx, owner, gone...); err != nil {
		return err
	}
	err = l.add(ctx, owner, id, limit)
	if !isConditionFailed(err) {
		return err
	}
	// Someone else took the places freed meanwhile.
	ids, err = l.IDs(ctx, owner)
	if err != nil {
		return err
	}
	return fault.OverLimit(fault.Quota{Name: l.Name, Limit: limit, Current: len(ids)})
}

// Release gives id's place back: the thing was deleted, or its create failed. Releasing
// an id that holds no place does nothing.
func (l *Ledger) Release(ctx context.Context, owner, id string) error {
	return l.remove(ctx, owner, id)
}

// IDs returns the ids owner's ledger holds, with a consistent read.
func (l *Ledger) IDs(ctx context.Context, owner string) ([]string, error) {
	out, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(l.Table),
		Key:            l.key(owner),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("quota: reading the %s of %s: %w", l.Name, owner, err)
	}
	set, _ := out.Item[attrIDs].(*types.AttributeValueMemberSS)
	if set == nil {
		return nil, nil
	}
	return set.Value, nil
}

// add puts id in owner's set if the set holds fewer than limit ids. Adding an id already
// there changes nothing and succeeds below the limit.
func (l *Ledger) add(ctx context.Context, owner, id string, limit int) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       l.key(owner),
		UpdateExpression:          aws.String("ADD #ids :id"),
		ConditionExpression:       aws.String("attribute_not_exists(#ids) OR size(#ids) < :limit"),
		ExpressionAttributeNames:  map[string]string{"#ids": attrIDs},
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberSS{Value: []string{id}}, ":limit": &types.AttributeValueMemberN{Value: fmt.Sprint(limit)}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("quota: reserving a place among the %s of %s: %w", l.Name, owner, err)
	}
	return err
}

// remove takes ids out of owner's set. A ledger that does not exist is left so.
func (l *Ledger) remove(ctx context.Context, owner string, ids ...string) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       l.key(owner),
		UpdateExpression:          aws.String("DELETE #ids :ids"),
		ConditionExpression:       aws.String("attribute_exists(#key)"),
		ExpressionAttributeNames:  map[string]string{"#ids": attrIDs, "#key": attrKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{":ids": &types.AttributeValueMemberSS{Value: ids}},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("quota: releasing places among the %s of %s: %w", l.Name, owner, err)
	}
	return nil
}

// gone returns the ids among ids that are older than Grace and whose things no longer
// exist.
func (l *Ledger) gone(ctx context.Context, ids []string) ([]string, error) {
	live, err := l.Live(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := l.now()
	var gone []string
	for _, id := range ids {
		if live[id] {
			continue
		}
		u, err := ulid.ParseStrict(id)
		if err == nil && now.Sub(ulid.Time(u.Time())) < Grace {
			continue
		}
		gone = append(gone, id)
	}
	return gone, nil
}

// Items returns the items of table with the given ids, with consistent reads, projected
// to attrs (which must include "id"), for Live functions.
func Items(ctx context.Context, db *dynamodb.Client, table string, ids []string, attrs ...string) ([]map[string]types.AttributeValue, error) {
	names := map[string]string{}
	proj := ""
	for i, a := range attrs {
		n := fmt.Sprintf("#a%d", i)
		names[n] = a
		if i > 0 {
			proj += ", "
		}
		proj += n
	}
	var items []map[string]types.AttributeValue
	// BatchGetItem takes up to 100 keys a request.
	for len(ids) > 0 {
		n := min(len(ids), 100)
		keys := make([]map[string]types.AttributeValue, n)
		for i, id := range ids[:n] {
			keys[i] = map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: id}}
		}
		ids = ids[n:]
		req := map[string]types.KeysAndAttributes{table: {Keys: keys, ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String(proj), ExpressionAttributeNames: names}}
		for wait := 50 * time.Millisecond; ; wait *= 2 {
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("quota: reading %s: %w", table, err)
			}
			items = append(items, out.Responses[table]...)
			if req = out.UnprocessedKeys; len(req) == 0 {
				break
			}
			// Keys come back unprocessed when the table is throttled: ask again later.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(min(wait, time.Second)):
			}
		}
	}
	return items, nil
}

func isConditionFailed(err error) bool {
	var failed *types.ConditionalCheckFailedException
	return errors.As(err, &failed)
}
