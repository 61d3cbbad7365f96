package ticket

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/store"
)

// spentPrefix starts the user_id of a spent ticket's item in the streams table. A
// token's subject is printable, so no user's stream leases are these.
const spentPrefix = "\x00ticket:"

// ledgerMargin keeps a spent ticket's item past the ticket's expiry, so that a stream
// whose clock lags the issuer's still finds it.
const ledgerMargin = time.Minute

// Ledger records the tickets spent, in the streams table (keyed by user_id and slot),
// so that each opens one stream only, whichever instance it reaches.
type Ledger struct {
	DB    *dynamodb.Client
	Table string
	Now   func() time.Time // time.Now when nil
}

// Spend records t as used. It fails with fault.Unauthorized when t was spent already,
// and with fault.Unavailable when the table cannot be written. The item lapses (TTL)
// after the ticket has, when it could no longer be used anyway.
func (l *Ledger) Spend(ctx context.Context, t *Ticket) error {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	_, err := l.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.Table),
		Item: map[string]types.AttributeValue{
			"user_id":          &types.AttributeValueMemberS{Value: spentPrefix + t.ID},
			"slot":             &types.AttributeValueMemberN{Value: "0"},
			"detail":           &types.AttributeValueMemberS{Value: "stream ticket"},
			"acquired_at":      &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
			store.TTLAttribute: store.TTL(t.Expires.Add(ledgerMargin)),
		},
		ConditionExpression: aws.String("attribute_not_exists(user_id)"),
	})
	var used *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &used):
		return fault.New(fault.Unauthorized, "the ticket has been used already; ask for a new one")
	case err != nil:
		return fault.Wrap(fault.Unavailable, err, "recording the ticket failed; try again")
	}
	return nil
}
