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
// every addition rewrites the content from the new count, in place. Beside the count it
// keeps the marks of the happenings it counted (see Tally.Marks), so that an addition
// made again counts nothing twice.
const (
	attrTallyCount = "tally_count"
	attrTallyLast  = "tally_last"
	attrTallyMarks = "tally_marks"
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
	// Marks, when given, name the happenings one each (as many as Add) by a position
	// unique to each, such as the stream sequence of the message that told of it. The
	// notification remembers the marks it counted and an addition counts only the marks
	// it has not, so that an addition made again (its source not acknowledged before a
	// crash, or a write whose answer was lost) counts nothing twice.
	Marks []uint64
	// Floor is a position at or below which every mark was settled before (its source
	// acknowledged it): such marks count as counted, and the notification forgets those
	// it remembers, which keeps its memory to the marks not yet settled.
	Floor uint64
}

// AddTally adds t to its notification, making it when there is none (or only an expired
// one), and returns it as written and how many happenings it added: Add, less the marks
// it had counted before. It is unacknowledged afterwards even if it was acknowledged
// before: what it says is news again. An addition whose every mark was counted before
// writes nothing, and returns the notification as it is. Additions racing on one
// notification are ordered by a condition on the count each one read, the loser reading
// again.
func (s *Store) AddTally(ctx context.Context, t Tally) (*Notification, int64, error) {
	if t.Add < 1 || t.Content == nil {
		return nil, 0, errors.New("inbox: a tally adds at least one happening and says what with Content")
	}
	if t.Marks != nil && int64(len(t.Marks)) != t.Add {
		return nil, 0, fmt.Errorf("inbox: a tally of %d happenings with %d marks", t.Add, len(t.Marks))
	}
	key := map[string]types.AttributeValue{attrUser: str(t.UserID), attrID: str(t.ID)}
	for range tallyAttempts {
		out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, 0, fmt.Errorf("inbox: reading %s of %s: %w", t.ID, t.UserID, err)
		}
		n, added, in, err := s.tallied(t, out.Item)
		if err != nil || in == nil {
			return n, added, err
		}
		_, err = s.DB.PutItem(ctx, in)
		var raced *types.ConditionalCheckFailedException
		switch {
		case err == nil:
			// Announced like any other write: the notice is unacknowledged news again.
			if s.announce(ctx, n.UserID, Change{Notification: n}) {
				s.flush(ctx)
			}
			return n, added, nil
		case !errors.As(err, &raced):
			return nil, 0, fmt.Errorf("inbox: writing %s for %s: %w", t.ID, t.UserID, err)
		}
	}
	return nil, 0, fmt.Errorf("inbox: %s of %s changed under %d additions in a row", t.ID, t.UserID, tallyAttempts)
}

// tallied returns the notification t makes of old (the item as read; nil when there is
// none), how many happenings t adds to it, and the write that stores it if old is still
// what the table holds. When t adds nothing (every mark counted before), it returns old
// as it is and no write.
func (s *Store) tallied(t Tally, old map[string]types.AttributeValue) (*Notification, int64, *dynamodb.PutItemInput, error) {
	now := s.now()
	n := &Notification{ID: t.ID, UserID: t.UserID, EventUUID: t.EventUUID, CreatedAt: now}
	count, last := int64(0), uint64(0)
	var counted marks
	var live *Notification // old, unless it has expired
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: map[string]string{"#id": attrID},
	}
	if old != nil {
		prev, err := fromItem(old)
		if err != nil {
			return nil, 0, nil, err
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
				if v, ok := old[attrTallyMarks].(*types.AttributeValueMemberS); ok {
					counted = parseMarks(v.Value)
				}
				live = prev
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
	add := t.Add
	if t.Marks != nil {
		add = 0
		for _, m := range t.Marks {
			if m > t.Floor && !counted.has(m) {
				counted.add(m)
				add++
			}
		}
		if add == 0 {
			return live, 0, nil, nil
		}
	}
	count += add
	last = max(last, t.Last)
	n.Content = t.Content(count, last)
	if n.Refs == nil {
		n.Refs = []Ref{}
	}
	if err := n.Content.Validate(""); err != nil {
		return nil, 0, nil, fmt.Errorf("inbox: the content of tally %s: %w", t.ID, err)
	}
	if s.UnackedRetention > 0 {
		// Whole seconds, as the table keeps them (see New).
		n.ExpiresAt = time.Unix(now.Add(s.UnackedRetention).Unix(), 0).UTC()
	}
	it, err := item(n)
	if err != nil {
		return nil, 0, nil, err
	}
	it[attrTallyCount] = &types.AttributeValueMemberN{Value: strconv.FormatInt(count, 10)}
	it[attrTallyLast] = &types.AttributeValueMemberN{Value: strconv.FormatUint(last, 10)}
	if kept := counted.above(t.Floor); len(kept) > 0 {
		it[attrTallyMarks] = str(kept.String())
	}
	in.Item = it
	return n, add, in, nil
}
