package trigger

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/internal/quota"
)

// DefaultMaxPerOwner is how many triggers one user may have when the function's
// configuration does not say.
const DefaultMaxPerOwner = 200

// QuotaName names the per-user limit on triggers in 429 answers.
const QuotaName = "triggers"

// ledger returns the ledger of the owners' triggers, kept in the Triggers table.
func (s *Store) ledger() *quota.Ledger {
	return &quota.Ledger{DB: s.DB, Table: s.Table, Name: QuotaName, Now: s.Now, Live: s.live}
}

// live reports which of ids are triggers that exist and are not deleted.
func (s *Store) live(ctx context.Context, ids []string) (map[string]bool, error) {
	items, err := quota.Items(ctx, s.DB, s.Table, ids, attrID, attrDeleted)
	if err != nil {
		return nil, err
	}
	live := make(map[string]bool, len(items))
	for _, it := range items {
		if _, deleted := it[attrDeleted]; deleted {
			continue
		}
		if id, ok := it[attrID].(*types.AttributeValueMemberS); ok {
			live[id.Value] = true
		}
	}
	return live, nil
}

// Exempt returns a copy of s whose creates are not limited nor counted: for
// administrators, who may need more triggers than any user.
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
