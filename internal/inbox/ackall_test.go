package inbox

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestAcknowledgeUpTo: acknowledging up to an id takes every unacknowledged notification
// of the user up to and including it and nothing newer; acknowledging all goes at most
// limit at a time, oldest first, saying when more remain; both are idempotent, and
// nobody else's notification is touched.
func TestAcknowledgeUpTo(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u, other := user("u"), user("other")
	ids := put(t, s, u, 10, c.t.Add(-time.Hour))
	otherIDs := put(t, s, other, 3, c.t.Add(-2*time.Hour))
	// One acknowledged already: not counted again.
	if _, _, err := s.Acknowledge(ctx, u, ids[1:2]); err != nil {
		t.Fatal(err)
	}

	res, err := s.AcknowledgeUpTo(ctx, u, ids[3], 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := (BulkAck{Count: 3, Through: ids[3]}); res != want {
		t.Errorf("up to ids[3]: %+v, want %+v", res, want)
	}
	if got := listAll(t, s, u, Unacknowledged, 100); !slices.Equal(got, newestFirst(ids[4:])) {
		t.Errorf("unacknowledged after up to ids[3]: %v, want %v", got, newestFirst(ids[4:]))
	}
	if res, err := s.AcknowledgeUpTo(ctx, u, ids[3], 0); err != nil || res.Count != 0 || res.More {
		t.Errorf("the same again: %+v, %v; want nothing", res, err)
	}

	// All, three at a time: oldest first, each call says whether more remain.
	var calls []BulkAck
	for range 5 {
		res, err := s.AcknowledgeUpTo(ctx, u, "", 3)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, res)
		if !res.More {
			break
		}
	}
	want := []BulkAck{{3, ids[6], true}, {3, ids[9], true}, {0, "", false}}
	if !slices.Equal(calls, want) {
		t.Errorf("all, 3 at a time: %+v, want %+v", calls, want)
	}
	if n, _, _ := s.Count(ctx, u, Filter{}); n != 0 {
		t.Errorf("count after all: %d", n)
	}
	if n, _, _ := s.Count(ctx, other, Filter{}); n != len(otherIDs) {
		t.Errorf("the other user's count %d, want %d untouched", n, len(otherIDs))
	}

	// An id older than every notification acknowledges nothing; one newer than all is
	// everything.
	more := put(t, s, u, 2, c.t)
	if res, _ := s.AcknowledgeUpTo(ctx, u, ID("e", u, c.t.Add(-24*time.Hour)), 0); res.Count != 0 {
		t.Errorf("up to an id older than all: %+v", res)
	}
	newest := ID("e", u, c.t.Add(time.Hour))
	if res, _ := s.AcknowledgeUpTo(ctx, u, newest, 0); res.Count != len(more) || res.Through != newest {
		t.Errorf("up to an id newer than all: %+v, want %d through %s", res, len(more), newest)
	}
}
