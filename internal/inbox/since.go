package inbox

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Since returns user's notifications whose ids are after the id after, acknowledged or
// not, oldest first: what a live stream that was away since after missed. It returns
// at most max of them; complete is false when there are more, and then none are
// returned, since a client that missed that many is better served by listing its inbox
// than by a partial replay.
//
// Ids follow the time of the event that made a notification, so one written late about
// an early event (an event redelivered after a day, say) sorts before notifications
// written earlier, and one written while the client was away with an id before after is
// not returned. The count of unacknowledged notifications still counts it.
func (s *Store) Since(ctx context.Context, user, after string, max int) (ns []*Notification, complete bool, err error) {
	in := s.query("", attrUser, user, s.now())
	in.KeyConditionExpression = aws.String("#key = :user AND #id > :after")
	in.ExpressionAttributeNames["#id"] = attrID
	in.ExpressionAttributeValues[":after"] = str(after)
	for {
		// One more than max tells whether there are more.
		in.Limit = aws.Int32(int32(max + 1 - len(ns)))
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("inbox: reading the notifications of %s since %s: %w", user, after, err)
		}
		for _, it := range out.Items {
			n, err := fromItem(it)
			if err != nil {
				return nil, false, err
			}
			ns = append(ns, n)
		}
		if len(ns) > max {
			return nil, false, nil
		}
		if out.LastEvaluatedKey == nil {
			slices.Reverse(ns)
			return ns, true, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
