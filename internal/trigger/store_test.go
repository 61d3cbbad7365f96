package trigger

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/fault"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

func newStore(t *testing.T) *Store {
	t.Helper()
	table, err := env.Stack.Ref("TriggersTable")
	if err != nil {
		t.Fatal(err)
	}
	return &Store{DB: env.DynamoDB, Table: table}
}

func normalized(t *testing.T) Spec {
	t.Helper()
	s := decode(t, validSpec)
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStoreLifecycle creates, reads, lists, replaces, disables, enables and deletes a
// trigger, and checks that someone else sees none of it.
func TestStoreLifecycle(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	owner, other := "alice-"+uuid.NewString()[:8], "bob-"+uuid.NewString()[:8]
	created, err := s.Create(ctx, normalized(t), owner)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, created.ID, owner)
	if err != nil || got.Name != "transcodes" || got.Resource.Path != "projects/p1" || !got.IsEnabled() {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := s.Get(ctx, created.ID, other); !fault.Is(err, fault.NotFound) {
		t.Errorf("someone else's Get: %v, want NotFound", err)
	}
	if list, _, err := s.List(ctx, owner, 10, ""); err != nil || len(list) != 1 || list[0].ID != created.ID {
		t.Errorf("List = %v, %v", list, err)
	}
	spec := normalized(t)
	spec.Name = "renamed"
	if _, err := s.Replace(ctx, created.ID, other, spec); !fault.Is(err, fault.NotFound) {
		t.Errorf("someone else's Replace: %v, want NotFound", err)
	}
	if r, err := s.Replace(ctx, created.ID, owner, spec); err != nil || r.Name != "renamed" {
		t.Fatalf("Replace = %+v, %v", r, err)
	}
	if d, err := s.SetEnabled(ctx, created.ID, "", false, "5 deliveries exhausted in a row"); err != nil || d.IsEnabled() || d.DisabledReason == "" {
		t.Fatalf("disable by Herald = %+v, %v", d, err)
	}
	if e, err := s.SetEnabled(ctx, created.ID, owner, true, ""); err != nil || !e.IsEnabled() || e.DisabledReason != "" {
		t.Fatalf("enable = %+v, %v", e, err)
	}
	if err := s.Delete(ctx, created.ID, other); !fault.Is(err, fault.NotFound) {
		t.Errorf("someone else's Delete: %v, want NotFound", err)
	}
	if err := s.Delete(ctx, created.ID, owner); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, created.ID, owner); !fault.Is(err, fault.NotFound) {
		t.Errorf("Get after Delete: %v", err)
	}
	if list, _, _ := s.List(ctx, owner, 10, ""); len(list) != 0 {
		t.Errorf("List after Delete: %d triggers", len(list))
	}
	if err := s.Delete(ctx, created.ID, owner); !fault.Is(err, fault.NotFound) {
		t.Errorf("second Delete: %v", err)
	}
}

// TestChanges checks that Changes returns what changed after a position, deletions as
// tombstones, and nothing older.
func TestChanges(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	owner := "carol-" + uuid.NewString()[:8]
	a, _ := s.Create(ctx, normalized(t), owner)
	b, _ := s.Create(ctx, normalized(t), owner)
	all, last, err := s.Changes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ts []*Trigger) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out
	}
	if got := ids(all); !slices.Contains(got, a.ID) || !slices.Contains(got, b.ID) || last == "" {
		t.Fatalf("all changes %v (last %q) lack %s or %s", got, last, a.ID, b.ID)
	}
	mark := Version(time.Now())
	if err := s.Delete(ctx, a.ID, owner); err != nil {
		t.Fatal(err)
	}
	since, _, err := s.Changes(ctx, mark)
	if err != nil {
		t.Fatal(err)
	}
	var mine []*Trigger
	for _, t := range since {
		if t.ID == a.ID || t.ID == b.ID {
			mine = append(mine, t)
		}
	}
	if len(mine) != 1 || mine[0].ID != a.ID || !mine[0].Deleted() {
		t.Errorf("changes since the mark: %+v, want only %s's tombstone", mine, a.ID)
	}
}
