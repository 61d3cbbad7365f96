package trigger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/quota"
)

// wantOverLimit fails t unless err is the 429 of the triggers quota at limit, holding
// current.
func wantOverLimit(t *testing.T, err error, limit, current int) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.OverQuota || fe.Quota == nil {
		t.Fatalf("err = %v, want OverQuota", err)
	}
	if want := (fault.Quota{Name: QuotaName, Limit: limit, Current: current}); *fe.Quota != want {
		t.Fatalf("quota = %+v, want %+v", *fe.Quota, want)
	}
}

// TestStoreQuota checks the per-owner limit: creates up to it succeed, the next is
// OverQuota naming the limit and count, a deletion makes room at once, other owners
// are not affected, and an exempt store is not limited.
func TestStoreQuota(t *testing.T) {
	s := newStore(t)
	s.MaxPerOwner = 3
	ctx := context.Background()
	owner, other := "q-"+uuid.NewString()[:8], "q-"+uuid.NewString()[:8]
	var ids []string
	for range 3 {
		tr, err := s.Create(ctx, normalized(t), owner)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tr.ID)
	}
	_, err := s.Create(ctx, normalized(t), owner)
	wantOverLimit(t, err, 3, 3)
	if _, err := s.Create(ctx, normalized(t), other); err != nil {
		t.Errorf("another owner's create: %v", err)
	}
	if err := s.Delete(ctx, ids[0], owner); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Held(ctx, owner); err != nil || n != 2 {
		t.Errorf("Held after a delete = %d, %v, want 2", n, err)
	}
	if _, err := s.Create(ctx, normalized(t), owner); err != nil {
		t.Fatalf("create after a delete: %v", err)
	}
	_, err = s.Create(ctx, normalized(t), owner)
	wantOverLimit(t, err, 3, 3)
	if _, err := s.Exempt().Create(ctx, normalized(t), owner); err != nil {
		t.Errorf("exempt create: %v", err)
	}
	if n, err := s.Held(ctx, owner); err != nil || n != 3 {
		t.Errorf("Held after an exempt create = %d, %v, want 3 (not counted)", n, err)
	}
}

// TestStoreQuotaConcurrent races creates for the last place: exactly one wins.
func TestStoreQuotaConcurrent(t *testing.T) {
	s := newStore(t)
	const limit, racers = 4, 8
	s.MaxPerOwner = limit
	ctx := context.Background()
	owner := "race-" + uuid.NewString()[:8]
	for range limit - 1 {
		if _, err := s.Create(ctx, normalized(t), owner); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() { _, errs[i] = s.Create(ctx, normalized(t), owner) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantOverLimit(t, err, limit, limit)
	}
	if won != 1 {
		t.Fatalf("%d of %d racing creates succeeded, want 1", won, racers)
	}
	list, _, err := s.List(ctx, owner, 100, "")
	if err != nil || len(list) != limit {
		t.Errorf("List = %d triggers, %v; want %d", len(list), err, limit)
	}
}

// TestStoreQuotaHeals checks that places held by triggers that vanished without Delete
// (the item removed behind the store's back) are given back when the owner reaches the
// limit, once older than quota.Grace, and not before.
func TestStoreQuotaHeals(t *testing.T) {
	s := newStore(t)
	s.MaxPerOwner = 2
	ctx := context.Background()
	owner := "heal-" + uuid.NewString()[:8]
	a, err := s.Create(ctx, normalized(t), owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, normalized(t), owner); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.Table),
		Key:       map[string]types.AttributeValue{attrID: str(a.ID)},
	}); err != nil {
		t.Fatal(err)
	}
	// A vanished id younger than the grace may be a create under way: it still counts.
	_, err = s.Create(ctx, normalized(t), owner)
	wantOverLimit(t, err, 2, 2)
	later := time.Now().Add(quota.Grace + time.Minute)
	s.Now = func() time.Time { return later }
	if _, err := s.Create(ctx, normalized(t), owner); err != nil {
		t.Fatalf("create once the vanished trigger's place is reclaimed: %v", err)
	}
	if n, err := s.Held(ctx, owner); err != nil || n != 2 {
		t.Errorf("Held = %d, %v, want 2", n, err)
	}
}

// TestLedgerInvisible checks that an owner's ledger item is no trigger: not listed,
// not on the change feed, not found by id.
func TestLedgerInvisible(t *testing.T) {
	s := newStore(t)
	s.MaxPerOwner = 5
	ctx := context.Background()
	owner := "inv-" + uuid.NewString()[:8]
	since := Version(time.Now().Add(-time.Second))
	tr, err := s.Create(ctx, normalized(t), owner)
	if err != nil {
		t.Fatal(err)
	}
	changes, _, err := s.Changes(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if c.ID != tr.ID && c.Owner == "" {
			t.Errorf("change feed holds %+v", c)
		}
	}
	if list, _, err := s.List(ctx, owner, 10, ""); err != nil || len(list) != 1 {
		t.Errorf("List = %v, %v, want the one trigger", list, err)
	}
	if _, err := s.Lookup(ctx, quota.ItemPrefix+QuotaName+"#"+owner); !fault.Is(err, fault.NotFound) {
		t.Errorf("Lookup of the ledger key: %v, want NotFound", err)
	}
}
