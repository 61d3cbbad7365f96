package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// DefaultTTL is how long a lease lives without being renewed. Holders renew it every
// third of that (RenewEvery), so a renewal or two may fail before it lapses, and a
// crashed holder's room comes back within a minute.
const DefaultTTL = time.Minute

// attempts bounds the rounds of Acquire: each reads the user's slots and tries every
// free one; only a race with other instances taking them makes another round.
const attempts = 3

// Store keeps the leases of one kind of thing in a table keyed by user_id (string) and
// slot (number).
type Store struct {
	DB    *dynamodb.Client
	Table string
	// Name is what is counted, as the quota names it in a refusal: "streams".
	Name string
	// TTL is how long a lease lives without renewal; zero means DefaultTTL.
	TTL time.Duration
	Now func() time.Time // time.Now when nil
}

// A Lease is one slot a user holds. Its methods are not safe for concurrent use.
type Lease struct {
	s       *Store
	owner   string
	slot    int
	holder  string    // tells this lease from a later one in the same slot
	expires time.Time // as last written
}

// RenewEvery is how often the holder should renew the lease.
func (l *Lease) RenewEvery() time.Duration { return l.s.RenewEvery() }

// Errors of Renew.
var (
	// ErrLost means the lease lapsed or was released: its slot may be someone else's
	// now, so the holder must stop what the lease was for.
	ErrLost = errors.New("lease: the lease was lost")
)

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

// RenewEvery is how often a holder should renew its lease.
func (s *Store) RenewEvery() time.Duration { return s.ttl() / 3 }

// Acquire takes one of owner's limit slots for what detail describes (kept on the item
// for whoever reads the table), or fails with fault.OverQuota naming the quota, its
// limit and how many leases owner holds. Other failures are fault.Unavailable.
func (s *Store) Acquire(ctx context.Context, owner string, limit int, detail string) (*Lease, error) {
	for range attempts {
		live, err := s.live(ctx, owner)
		if err != nil {
			return nil, err
		}
		if len(live) >= limit {
			e := fault.OverLimit(fault.Quota{Name: s.Name, Limit: limit, Current: len(live)})
			// Leases are closed, not deleted.
			e.Detail = fmt.Sprintf("you hold %d open %s and the limit is %d: close one to make room", len(live), s.Name, limit)
			return nil, e
		}
		for slot := range limit {
			if live[slot] {
				continue
			}
			l, err := s.take(ctx, owner, slot, detail)
			if err != nil {
				return nil, err
			}
			if l != nil {
				return l, nil
			}
			// Another instance took the slot since it was read: try the next.
		}
	}
	// Every free slot was taken by others in each round: many opening at once.
	return nil, fault.New(fault.Unavailable, "too many "+s.Name+" are opening at once; try again")
}

// Count returns how many live leases owner holds.
func (s *Store) Count(ctx context.Context, owner string) (int, error) {
	live, err := s.live(ctx, owner)
	return len(live), err
}

// live returns owner's slots whose leases have not lapsed. The read is consistent, so
// a lease released a moment ago is not counted.
func (s *Store) live(ctx context.Context, owner string) (map[int]bool, error) {
	now := s.now()
	live := map[int]bool{}
	var start map[string]types.AttributeValue
	for {
		out, err := s.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:                 aws.String(s.Table),
			KeyConditionExpression:    aws.String("user_id = :u"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: owner}},
			ProjectionExpression:      aws.String("#slot, #exp"),
			ExpressionAttributeNames:  map[string]string{"#slot": "slot", "#exp": store.TTLAttribute},
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return nil, fault.Wrap(fault.Unavailable, err, "reading the "+s.Name+" held failed; try again")
		}
		for _, item := range out.Items {
			slot, okSlot := number(item["slot"])
			exp, okExp := number(item[store.TTLAttribute])
			if okSlot && okExp && !store.Expired(int64(exp), now) {
				live[slot] = true
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return live, nil
		}
		start = out.LastEvaluatedKey
	}
}

// take writes a lease into slot if the slot is free or its lease has lapsed. It returns
// nil without an error when another lease holds the slot.
func (s *Store) take(ctx context.Context, owner string, slot int, detail string) (*Lease, error) {
	now := s.now()
	l := &Lease{s: s, owner: owner, slot: slot, holder: newHolder(), expires: now.Add(s.ttl())}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.Table),
		Item: map[string]types.AttributeValue{
			"user_id":          &types.AttributeValueMemberS{Value: owner},
			"slot":             &types.AttributeValueMemberN{Value: strconv.Itoa(slot)},
			"holder":           &types.AttributeValueMemberS{Value: l.holder},
			"detail":           &types.AttributeValueMemberS{Value: detail},
			"acquired_at":      &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
			store.TTLAttribute: store.TTL(l.expires),
		},
		ConditionExpression:       aws.String("attribute_not_exists(user_id) OR expires_at <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": store.TTL(now)},
	})
	var taken *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &taken):
		return nil, nil
	case err != nil:
		return nil, fault.Wrap(fault.Unavailable, err, "taking a lease failed; try again")
	}
	return l, nil
}

// Renew pushes the lease's expiry a TTL past now. It fails with ErrLost when the lease
// has lapsed or is no longer this one (released, or lapsed and taken over): counting it
// on would let the user hold more than the limit. Other errors are transient, and the
// lease stands until it lapses.
func (l *Lease) Renew(ctx context.Context) error {
	now := l.s.now()
	exp := now.Add(l.s.ttl())
	_, err := l.s.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.s.Table),
		Key:                       l.key(),
		UpdateExpression:          aws.String("SET expires_at = :exp"),
		ConditionExpression:       aws.String("holder = :h AND expires_at > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: l.holder}, ":now": store.TTL(now), ":exp": store.TTL(exp)},
	})
	var lost *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &lost):
		return ErrLost
	case err != nil:
		return fault.Wrap(fault.Unavailable, err, "renewing a lease failed")
	}
	l.expires = exp
	return nil
}

// Release deletes the lease, freeing its slot at once. Releasing a lease that was lost
// leaves whoever took the slot alone.
func (l *Lease) Release(ctx context.Context) error {
	_, err := l.s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(l.s.Table),
		Key:                       l.key(),
		ConditionExpression:       aws.String("holder = :h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: l.holder}},
	})
	var gone *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &gone) {
		return fault.Wrap(fault.Unavailable, err, "releasing a lease failed")
	}
	return nil
}

// Slot returns the slot the lease holds, for logs.
func (l *Lease) Slot() int { return l.slot }

func (l *Lease) key() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"user_id": &types.AttributeValueMemberS{Value: l.owner},
		"slot":    &types.AttributeValueMemberN{Value: strconv.Itoa(l.slot)},
	}
}

// number reads a number attribute as an int.
func number(v types.AttributeValue) (int, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(n.Value)
	return i, err == nil
}

// newHolder returns a random id for a lease.
func newHolder() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
