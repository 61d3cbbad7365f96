package inbox

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// MaxBulkAcknowledge is how many notifications one AcknowledgeUpTo goes through at most:
// an inbox may hold many thousands, and one request must answer within the HTTP API's
// time limit. The answer says when there may be more.
const MaxBulkAcknowledge = 1000

// bulkPage is how many unacknowledged notifications one query of AcknowledgeUpTo reads.
const bulkPage = 100

// BulkAck is what AcknowledgeUpTo did.
type BulkAck struct {
	// Count is how many notifications this call acknowledged; those acknowledged before
	// are not counted again.
	Count int
	// Through is the newest id the call went through: every notification of the user up
	// to it is acknowledged, except any written since with an older id. "" when there
	// was nothing to acknowledge.
	Through string
	// More is true when the call stopped at its limit: unacknowledged notifications up
	// to the requested id may remain, and calling again goes on with them.
	More bool
}

// AcknowledgeUpTo acknowledges user's unacknowledged notifications whose ids are up to
// and including before ("" for all of them), oldest first, going through at most limit
// of them (MaxBulkAcknowledge when not positive). It reads only the unacknowledged
// index of user's own partition, so nobody else's notification is read or changed, and
// it is idempotent: what is acknowledged already is left as it is. What it acknowledged
// is announced on the Feed as one acknowledgement of everything up to Through (All when
// before is "" and nothing remains).
func (s *Store) AcknowledgeUpTo(ctx context.Context, user, before string, limit int) (BulkAck, error) {
	if limit <= 0 {
		limit = MaxBulkAcknowledge
	}
	now := s.now()
	in := s.query(UnacknowledgedIndex, attrUnacked, user, now)
	// Oldest first: stopping at the limit then leaves a prefix acknowledged, which one
	// "through" id describes exactly.
	in.ScanIndexForward = aws.Bool(true)
	in.ProjectionExpression = aws.String("#uid, #id")
	in.ExpressionAttributeNames["#uid"] = attrUser
	in.ExpressionAttributeNames["#id"] = attrID
	if before != "" {
		in.KeyConditionExpression = aws.String("#key = :user AND #id <= :before")
		in.ExpressionAttributeValues[":before"] = str(before)
	}
	var res BulkAck
	seen := 0
	for {
		in.Limit = aws.Int32(int32(min(bulkPage, limit-seen)))
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return res, fmt.Errorf("inbox: reading the unacknowledged notifications of %s: %w", user, err)
		}
		n, err := s.acknowledgeItems(ctx, out.Items, now)
		res.Count += n
		if err != nil {
			// Some of this page may be left: what it did is not announced as a prefix
			// (streams learn the count when they next hear of a change or reconnect).
			s.announceBulk(ctx, user, before, BulkAck{Count: res.Count - n, Through: res.Through, More: true})
			return res, err
		}
		if len(out.Items) > 0 {
			res.Through = out.Items[len(out.Items)-1][attrID].(*types.AttributeValueMemberS).Value
		}
		seen += int(out.ScannedCount)
		if out.LastEvaluatedKey == nil {
			break
		}
		if seen >= limit {
			res.More = true
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if before != "" && !res.More && res.Count > 0 {
		// Everything up to before is acknowledged, not only up to the last one found.
		res.Through = before
	}
	s.announceBulk(ctx, user, before, res)
	return res, nil
}

// acknowledgeItems acknowledges the notifications whose keys are items, several at a
// time, and returns how many it acknowledged.
func (s *Store) acknowledgeItems(ctx context.Context, items []map[string]types.AttributeValue, now time.Time) (int, error) {
	var mu sync.Mutex
	var firstErr error
	n := 0
	sem := make(chan struct{}, writeConcurrency)
	var wg sync.WaitGroup
	for _, it := range items {
		key := map[string]types.AttributeValue{attrUser: it[attrUser], attrID: it[attrID]}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			changed, err := s.setAcknowledged(ctx, key, now)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("inbox: acknowledging %v: %w", key[attrID], err)
			}
			if changed {
				n++
			}
		})
	}
	wg.Wait()
	return n, firstErr
}

// announceBulk announces what AcknowledgeUpTo acknowledged, if anything.
func (s *Store) announceBulk(ctx context.Context, user, before string, res BulkAck) {
	if res.Count == 0 {
		return
	}
	a := &Acknowledgement{Before: res.Through, All: before == "" && !res.More}
	if s.announce(ctx, user, Change{Acknowledged: a}) {
		s.flush(ctx)
	}
}
