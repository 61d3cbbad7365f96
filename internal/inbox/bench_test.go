package inbox

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"
)

// BenchmarkInbox measures listing (a page of 20, the default) and counting the
// unacknowledged notifications of a user with 10,000 notifications of which 20 are
// unacknowledged, against dynalite, with the items DynamoDB read per call. The baseline,
// called in the same iterations, is what the table alone would allow: querying the
// user's partition with a filter on acknowledged_at, which reads the whole history.
// The figures are milliseconds per call; one call of each comes first, not counted.
func BenchmarkInbox(b *testing.B) {
	const total, unacked = 10_000, 20
	s, _ := newStore(b)
	ctx := context.Background()
	u := user("bench")
	seed(b, s, u, total, unacked)

	type call func() (n, read int, err error)
	run := func(name string, value, baseline call) {
		b.Run(name, func(b *testing.B) {
			timed := func(c call) (time.Duration, int) {
				start := time.Now()
				n, read, err := c()
				took := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if n != unacked {
					b.Fatalf("%s returned %d, want %d", name, n, unacked)
				}
				return took, read
			}
			timed(value)
			timed(baseline)
			var valueTime, baseTime time.Duration
			var read, baseRead int
			for b.Loop() {
				d, r := timed(value)
				valueTime, read = valueTime+d, r
				d, r = timed(baseline)
				baseTime, baseRead = baseTime+d, r
			}
			v := float64(valueTime.Nanoseconds()) / 1e6 / float64(b.N)
			base := float64(baseTime.Nanoseconds()) / 1e6 / float64(b.N)
			b.ReportMetric(v, "ms/call")
			b.ReportMetric(base, "base-ms/call")
			b.ReportMetric(v/base, "ratio")
			b.ReportMetric(float64(read), "items-read/call")
			b.ReportMetric(float64(baseRead), "base-items-read/call")
		})
	}
	run("list", func() (int, int, error) {
		p, err := s.List(ctx, u, Unacknowledged, Filter{}, 20, "")
		return len(p.Items), p.Read, err
	}, func() (int, int, error) { return scanUnacked(ctx, s, u, 20, false) })
	run("count", func() (int, int, error) { return s.Count(ctx, u, Filter{}) },
		func() (int, int, error) { return scanUnacked(ctx, s, u, 0, true) })
}

// seed writes total notifications for u, all but unacked of them acknowledged, spread
// through the history, in batches of 25.
func seed(b *testing.B, s *Store, u string, total, unacked int) {
	b.Helper()
	start := time.Now().Add(-24 * time.Hour)
	var batch []types.WriteRequest
	flush := func() {
		for len(batch) > 0 {
			out, err := s.DB.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.Table: batch}})
			if err != nil {
				b.Fatal(err)
			}
			batch = out.UnprocessedItems[s.Table]
		}
	}
	every := total / unacked
	for i := range total {
		n := s.New(u, Content{Variant: Event, Message: fmt.Sprintf("notification %d", i), Refs: []Ref{{RefResource, "collection", "projects/p1/collections/c" + strconv.Itoa(i)}}},
			uuid.NewString(), start.Add(time.Duration(i)*time.Second))
		if i%every != 0 {
			at := n.CreatedAt
			n.AcknowledgedAt = &at
		}
		it, err := item(n)
		if err != nil {
			b.Fatal(err)
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		if len(batch) == 25 {
			flush()
		}
	}
	flush()
}

// scanUnacked is the baseline: the user's unacknowledged notifications found by
// querying the whole partition with a filter, newest first, stopping after limit (0:
// counting them all).
func scanUnacked(ctx context.Context, s *Store, u string, limit int, count bool) (n, read int, err error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.Table),
		KeyConditionExpression:    aws.String("user_id = :u"),
		FilterExpression:          aws.String("attribute_not_exists(acknowledged_at)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": str(u)},
		ScanIndexForward:          aws.Bool(false),
	}
	if count {
		in.Select = types.SelectCount
	}
	for {
		out, err := s.DB.Query(ctx, in)
		if err != nil {
			return 0, 0, err
		}
		n += int(out.Count)
		read += int(out.ScannedCount)
		if limit > 0 && n >= limit {
			return limit, read, nil
		}
		if out.LastEvaluatedKey == nil {
			return n, read, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}
