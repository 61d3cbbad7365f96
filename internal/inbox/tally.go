package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/store"
)

// A tally is one notification that stands for a run of like happenings (MESSAGE_DROPPED:
// the messages one consumer dropped in one hour), so that a flood of them makes one
// notice and not thousands. Its count is kept in the item beside what the API shows, and
// every addition rewrites the content from the new count, in place.
const (
	attrTallyCount = "tally_count"
	attrTallyLast  = "tally_last"
)

// tallyAttempts bounds the retries of an addition that lost a race with another.
const tallyAttempts = 8

// Tally is an addition to a counted notification.
type Tally struct {
	UserID string // whose inbox it is in
	ID     string // its id, derived from what it counts (see ID)
	Add    int64  // happenings to add, at least 1
	// Last is where the latest of them happened (a stream sequence); the notification
	// keeps the greatest it was given.
	Last uint64
	// EventUUID is what it was made from, as Notification.EventUUID: the happening at
	// Last, kept only when Last is the greatest.
	EventUUID string
	// Content is what it says with count happenings, the latest at last.
	Content func(count int64, last uint64) Content
}

// AddTally adds t to its notification, making it when there is none (or only an expired
// one), and returns it as written. It is unacknowledged afterwards even if it was
// acknowledged before: what it says is news again. Additions racing on one notification
// are ordered by a condition on the count each one read, the loser reading again.
func (s *Store) AddTally(ctx context.Context, t Tally) (*Notification, error) {
	if t.Add < 1 || t.Content == nil {
		return nil, errors.New("inbox: a tally adds at least one happening and says what with Content")
	}
	key := map[string]types.AttributeValue{attrUser: str(t.UserID), attrID: str(t.ID)}
	for range tallyAttempts {
		out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("inbox: reading %s of %s: %w", t.ID, t.UserID, err)
		}
		n, in, err := s.tallied(t, out.Item)
		if err != nil {
			return nil, err
		}
		_, err = s.DB.PutItem(ctx, in)
		var raced *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			// Announced like any other write: the notice is unacknowledged news again.
			if s.announce(ctx, n.UserID, Change{Notification: n}) {
				s.flush(ctx)
			}
			return n, nil
		case !errors.As(err, &raced):
			return nil, fmt.Errorf("inbox: writing %s for %s: %w", t.ID, t.UserID, err)
		}
	}
	return nil, fmt.Errorf("inbox: %s of %s changed under %d additions in a row", t.ID, t.UserID, tallyAttempts)
}

// tallied returns the notification t makes of old (the item as read; nil when there is
// none) and the write that stores it if old is still what the table holds.
func (s *Store) tallied(t Tally, old map[string]types.AttributeValue) (*Notification, *dynamodb.PutItemInput, error) {
	now := s.now()
	n := &Notification{ID: t.ID, UserID: t.UserID, EventUUID: t.EventUUID, CreatedAt: now}
	count, last := int64(0), uint64(0)
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	}
	if old != nil {
		prev, err := fromItem(old)
		if err != nil {
			return nil, nil, err
		}
		if oldCount, ok := old[attrTallyCount].(*types.AttributeValueMemberN); ok {
			in.ConditionExpression = aws.String("#count = :count")
			in.ExpressionAttributeNames = map[string]string{"#count": attrTallyCount}
			in.ExpressionAttributeValues = map[string]types.AttributeValue{":count": oldCount}
			if !store.Expired(prev.ExpiresAt.Unix(), now) {
				count, _ = strconv.ParseInt(oldCount.Value, 10, 64)
				if v, ok := old[attrTallyLast].(*types.AttributeValueMemberN); ok {
					last, _ = strconv.ParseUint(v.Value, 10, 64)
				}
				n.CreatedAt = prev.CreatedAt
				if t.Last < last {
					// EventUUID goes with Last: an older addition leaves both.
					n.EventUUID = prev.EventUUID
				}
			}
		} else {
			// Not a tally: written some other way under the same id. It is replaced,
			// unless it changes meanwhile.
			in.ConditionExpression = aws.String("attribute_exists(#id) AND attribute_not_exists(#count)")
			in.ExpressionAttributeNames["#count"] = attrTallyCount
		}
	}
	count += t.Add
	last = max(last, t.Last)
	n.Content = t.Content(count, last)
	if n.Refs == nil {
		n.Refs = []Ref{}
	}
	if err := n.Content.Validate(""); err != nil {
		return nil, nil, fmt.Errorf("inbox: the content of tally %s: %w", t.ID, err)
	}
	if s.UnackedRetention > 0 {
		// Whole seconds, as the table keeps them (see New).
		n.ExpiresAt = time.Unix(now.Add(s.UnackedRetention).Unix(), 0).UTC()
	}
	it, err := item(n)
	if err != nil {
		return nil, nil, err
	}
	it[attrTallyCount] = &types.AttributeValueMemberN{Value: strconv.FormatInt(count, 10)}
	it[attrTallyLast] = &types.AttributeValueMemberN{Value: strconv.FormatUint(last, 10)}
	in.Item = it
	return n, in, nil
}
