package lease

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/fault"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// newStore returns a Store on the template's StreamsTable with a clock of its own, and
// a user of its own (the table is shared by the tests).
func newStore(t *testing.T) (*Store, *clock, string) {
	t.Helper()
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now()}
	return &Store{DB: env.DynamoDB, Table: table, Name: "streams", Now: c.now}, c, "u-" + uuid.NewString()[:8]
}

// wantOverLimit fails t unless err is OverQuota naming the quota with limit and current.
func wantOverLimit(t *testing.T, err error, limit, current int) {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) || fe.Kind != fault.OverQuota || fe.Quota == nil {
		t.Fatalf("err = %v, want OverQuota", err)
	}
	if want := (fault.Quota{Name: "streams", Limit: limit, Current: current}); *fe.Quota != want {
		t.Errorf("quota %+v, want %+v", *fe.Quota, want)
	}
}

func acquire(t *testing.T, s *Store, owner string, limit int) *Lease {
	t.Helper()
	l, err := s.Acquire(context.Background(), owner, limit, "c")
	if err != nil {
		t.Fatalf("Acquire: %v", err)
	}
	return l
}

// TestLimitAndRelease: a user holds up to the limit; one more is refused naming the
// quota; releasing one makes room at once; other users are not counted.
func TestLimitAndRelease(t *testing.T) {
	s, _, owner := newStore(t)
	ctx := context.Background()
	a := acquire(t, s, owner, 2)
	acquire(t, s, owner, 2)
	_, err := s.Acquire(ctx, owner, 2, "c")
	wantOverLimit(t, err, 2, 2)

	_, _, other := newStore(t)
	acquire(t, s, other, 2)

	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Count(ctx, owner); err != nil || n != 1 {
		t.Fatalf("Count after a release = %d, %v; want 1", n, err)
	}
	if l := acquire(t, s, owner, 2); l.Slot() != a.Slot() {
		t.Errorf("took slot %d, want the released slot %d", l.Slot(), a.Slot())
	}
}

// TestLapse: a lease not renewed lapses after its TTL: it is no longer counted, its slot
// is taken over, and its holder's renewal and release leave the new lease alone.
func TestLapse(t *testing.T) {
	s, clk, owner := newStore(t)
	ctx := context.Background()
	crashed := acquire(t, s, owner, 1)
	_, err := s.Acquire(ctx, owner, 1, "c")
	wantOverLimit(t, err, 1, 1)

	clk.add(DefaultTTL + time.Second)
	if n, _ := s.Count(ctx, owner); n != 0 {
		t.Errorf("Count after the lease lapsed = %d, want 0", n)
	}
	if err := crashed.Renew(ctx); !errors.Is(err, ErrLost) {
		t.Errorf("Renew of a lapsed lease = %v, want ErrLost", err)
	}
	fresh := acquire(t, s, owner, 1)
	if err := crashed.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx, owner); n != 1 {
		t.Errorf("Count after the lapsed holder released = %d, want 1: the new lease stands", n)
	}
	if err := fresh.Renew(ctx); err != nil {
		t.Errorf("Renew of the new lease: %v", err)
	}
}

// TestRenew: a renewed lease outlives its first TTL.
func TestRenew(t *testing.T) {
	s, clk, owner := newStore(t)
	ctx := context.Background()
	l := acquire(t, s, owner, 1)
	for range 3 {
		clk.add(s.RenewEvery())
		if err := l.Renew(ctx); err != nil {
			t.Fatalf("Renew: %v", err)
		}
	}
	clk.add(DefaultTTL - time.Second)
	if n, _ := s.Count(ctx, owner); n != 1 {
		t.Errorf("Count of a renewed lease = %d, want 1", n)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Renew(ctx); !errors.Is(err, ErrLost) {
		t.Errorf("Renew after Release = %v, want ErrLost", err)
	}
}

// TestRace: instances opening at once never hold more than the limit between them.
func TestRace(t *testing.T) {
	s, _, owner := newStore(t)
	const limit, racers = 3, 12
	var wg sync.WaitGroup
	results := make(chan error, racers)
	for range racers {
		wg.Go(func() {
			_, err := s.Acquire(context.Background(), owner, limit, "c")
			results <- err
		})
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		switch {
		case err == nil:
			won++
		case fault.Is(err, fault.OverQuota), fault.Is(err, fault.Unavailable):
		default:
			t.Errorf("Acquire: %v", err)
		}
	}
	if won != limit {
		t.Errorf("%d of %d racers took a lease, want exactly %d", won, racers, limit)
	}
	if n, _ := s.Count(context.Background(), owner); n != limit {
		t.Errorf("Count = %d, want %d", n, limit)
	}
}
