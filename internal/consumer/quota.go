package consumer

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/quota"
	"github.com/heraldhq/herald/internal/store"
)

// DefaultMaxPerOwner is how many consumers one user may have when the function's
// configuration does not say.
const DefaultMaxPerOwner = 25

// QuotaName names the per-user limit on consumers in 429 answers.
const QuotaName = "consumers"

// ledger returns the ledger of the owners' consumers, kept in the Consumers table.
func (s *Store) ledger() *quota.Ledger {
	return &quota.Ledger{DB: s.DB, Table: s.Table, Name: QuotaName, Now: s.Now, Live: s.live}
}

// live reports which of ids are consumers whose records exist and have not expired: an
// expired consumer's JetStream consumer is gone or about to go, whether or not the
// Janitor or DynamoDB's TTL removed its record yet.
func (s *Store) live(ctx context.Context, ids []string) (map[string]bool, error) {
	items, err := quota.Items(ctx, s.DB, s.Table, ids, attrID, attrExpiresAt)
	if err != nil {
		return nil, err
	}
	now := s.now()
	live := make(map[string]bool, len(items))
	for _, it := range items {
		id, _ := it[attrID].(*types.AttributeValueMemberS)
		if id == nil {
			continue
		}
		if n, ok := it[attrExpiresAt].(*types.AttributeValueMemberN); ok {
			if secs, err := strconv.ParseInt(n.Value, 10, 64); err == nil && store.Expired(secs, now) {
				continue
			}
		}
		live[id.Value] = true
	}
	return live, nil
}

// Exempt returns a copy of s whose creates are not limited nor counted: for
// administrators.
func (s *Store) Exempt() *Store {
	c := *s
	c.MaxPerOwner = 0
	return &c
}

// Held returns how many places of the quota owner's ledger holds.
func (s *Store) Held(ctx context.Context, owner string) (int, error) {
	ids, err := s.ledger().IDs(ctx, owner)
	return len(ids), err
}
