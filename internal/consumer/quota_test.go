package consumer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/fault"
)

// wantOverLimit fails t unless err is the 429 of the consumers quota at limit, holding
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

// TestStoreQuota checks the per-owner limit on consumers: creates up to it succeed,
// the next is OverQuota and makes no JetStream consumer, a deletion makes room at once,
// and an exempt store is not limited.
func TestStoreQuota(t *testing.T) {
	s, _ := newStore(t)
	s.MaxPerOwner = 2
	ctx := context.Background()
	owner := "q-" + uuid.NewString()[:8]
	a, err := s.Create(ctx, resourceSpec("projects/p1"), owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, resourceSpec("projects/p1"), owner); err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, resourceSpec("projects/p1"), owner)
	wantOverLimit(t, err, 2, 2)
	if n := len(consumerNames(t, s.JS)); n != 2 {
		t.Errorf("%d JetStream consumers after a refused create, want 2", n)
	}
	if err := s.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, resourceSpec("projects/p1"), owner); err != nil {
		t.Fatalf("create after a delete: %v", err)
	}
	if _, err := s.Exempt().Create(ctx, resourceSpec("projects/p1"), owner); err != nil {
		t.Errorf("exempt create: %v", err)
	}
	if n, err := s.Held(ctx, owner); err != nil || n != 2 {
		t.Errorf("Held = %d, %v, want 2 (the exempt one not counted)", n, err)
	}
}

// TestStoreQuotaConcurrent races creates for the last place: exactly one wins, and only
// its JetStream consumer remains.
func TestStoreQuotaConcurrent(t *testing.T) {
	s, _ := newStore(t)
	const limit, racers = 3, 6
	s.MaxPerOwner = limit
	ctx := context.Background()
	owner := "race-" + uuid.NewString()[:8]
	for range limit - 1 {
		if _, err := s.Create(ctx, resourceSpec("projects/p1"), owner); err != nil {
			t.Fatal(err)
		}
	}
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() { _, errs[i] = s.Create(ctx, resourceSpec("projects/p1"), owner) })
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
	if n := len(consumerNames(t, s.JS)); n != limit {
		t.Errorf("%d JetStream consumers, want %d", n, limit)
	}
}

// TestStoreQuotaExpired checks that an expired consumer frees its place, whether the
// Janitor deleted it (Delete) or its record is merely past its expiry, and that the
// ledger item is not among the records All yields.
func TestStoreQuotaExpired(t *testing.T) {
	s, clk := newStore(t)
	s.MaxPerOwner = 1
	ctx := context.Background()
	owner := "exp-" + uuid.NewString()[:8]
	r, err := s.Create(ctx, resourceSpec("projects/p1"), owner)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Create(ctx, resourceSpec("projects/p1"), owner)
	wantOverLimit(t, err, 1, 1)
	clk.t = r.ExpiresAt.Add(time.Second)
	second, err := s.Create(ctx, resourceSpec("projects/p1"), owner)
	if err != nil {
		t.Fatalf("create once the first expired: %v", err)
	}
	for rec, err := range s.All(ctx, 0) {
		if err != nil {
			t.Fatalf("All: %v", err)
		}
		if rec.ID == "" || rec.Owner == "" {
			t.Errorf("All yielded %+v", rec)
		}
	}
	// As the Janitor does for an expired consumer.
	clk.t = second.ExpiresAt.Add(time.Second)
	if err := s.Delete(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Held(ctx, owner); err != nil || n != 0 {
		t.Errorf("Held after the Janitor's delete = %d, %v, want 0", n, err)
	}
}
