package consumer

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/quota"
)

// All yields every record in the Consumers table, expired ones included, page by page
// (one Scan request per page, pageSize items at most; zero lets DynamoDB choose). It is
// for housekeeping, which must see what the API hides: expired records are exactly what
// it cleans up. The reads are consistent, so that a record written before the scan
// began is seen. Iteration stops at the first error, which is yielded last.
func (s *Store) All(ctx context.Context, pageSize int32) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		var start map[string]types.AttributeValue
		for {
			in := &dynamodb.ScanInput{
				TableName:         aws.String(s.Table),
				ConsistentRead:    aws.Bool(true),
				ExclusiveStartKey: start,
			}
			if pageSize > 0 {
				in.Limit = aws.Int32(pageSize)
			}
			out, err := s.DB.Scan(ctx, in)
			if err != nil {
				yield(nil, fmt.Errorf("consumer: scanning %s: %w", s.Table, err))
				return
			}
			for _, it := range out.Items {
				if k, ok := it[attrID].(*types.AttributeValueMemberS); ok && quota.IsLedgerKey(k.Value) {
					continue // an owner's quota ledger, not a consumer
				}
				r, err := recordFrom(it)
				if !yield(r, err) || err != nil {
					return
				}
			}
			if len(out.LastEvaluatedKey) == 0 {
				return
			}
			start = out.LastEvaluatedKey
		}
	}
}

// IDTime returns the time a consumer id was made, which its ULID encodes, and whether id
// is a consumer id at all. Create makes the id just before the JetStream consumer, so it
// dates the consumer as well as the record.
func IDTime(id string) (time.Time, bool) {
	if !ValidID(id) {
		return time.Time{}, false
	}
	u, err := ulid.ParseStrict(id)
	if err != nil {
		return time.Time{}, false
	}
	return ulid.Time(u.Time()).UTC(), true
}
