package inbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// droppedTally is an addition of n to u's tally id, the latest at sequence last.
func droppedTally(u, id string, n int64, last uint64) Tally {
	return Tally{
		UserID: u, ID: id, Add: n, Last: last, EventUUID: fmt.Sprint("uuid-", last),
		Content: func(count int64, last uint64) Content {
			return Content{Variant: MessageDropped, Message: fmt.Sprintf("%d dropped, the last at %d", count, last),
				Refs: []Ref{{Type: RefResource, Name: "consumer", Value: "consumers/c1"}}}
		},
	}
}

// TestAddTallyCountsInPlace: additions to one id make one notification whose content
// says the running count and the greatest position, whatever order they come in.
func TestAddTallyCountsInPlace(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u := user("tally")
	id := ID("tally", u, time.Now())
	steps := []struct {
		add  int64
		last uint64
		want string
	}{
		{1, 10, "1 dropped, the last at 10"},
		{2, 30, "3 dropped, the last at 30"},
		{4, 20, "7 dropped, the last at 30"}, // an older position does not go back
	}
	for _, st := range steps {
		n, err := s.AddTally(ctx, droppedTally(u, id, st.add, st.last))
		if err != nil {
			t.Fatal(err)
		}
		if n.Message != st.want || n.ID != id {
			t.Errorf("AddTally returned %q (%s), want %q (%s)", n.Message, n.ID, st.want, id)
		}
	}
	page, err := s.List(ctx, u, All, Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Message != steps[2].want || page.Items[0].Variant != MessageDropped || page.Items[0].Acknowledged() {
		t.Fatalf("inbox holds %+v, want one unacknowledged notice saying %q", page.Items, steps[2].want)
	}
	// The event goes with the greatest position: that of the second addition.
	if got := page.Items[0].EventUUID; got != "uuid-30" {
		t.Errorf("event_uuid %q, want uuid-30", got)
	}
}

// TestAddTallyReopens: an addition to an acknowledged tally makes it unacknowledged
// again, with the new count: what it says is news.
func TestAddTallyReopens(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u := user("reopen")
	id := ID("reopen", u, time.Now())
	if _, err := s.AddTally(ctx, droppedTally(u, id, 1, 5)); err != nil {
		t.Fatal(err)
	}
	if acked, _, err := s.Acknowledge(ctx, u, []string{id}); err != nil || len(acked) != 1 {
		t.Fatalf("Acknowledge = %v, %v", acked, err)
	}
	if _, err := s.AddTally(ctx, droppedTally(u, id, 1, 6)); err != nil {
		t.Fatal(err)
	}
	if n, _, err := s.Count(ctx, u, Filter{}); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v; want the tally unacknowledged again", n, err)
	}
	page, err := s.List(ctx, u, Acknowledged, Filter{}, 10, "")
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("acknowledged = %+v, %v; want none", page.Items, err)
	}
}

// TestAddTallyConcurrent: additions racing on one notification all count.
func TestAddTallyConcurrent(t *testing.T) {
	s, _ := newStore(t)
	u := user("race")
	id := ID("race", u, time.Now())
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() { _, errs[i] = s.AddTally(context.Background(), droppedTally(u, id, 1, uint64(i+1))) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.List(context.Background(), u, All, Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d dropped, the last at %d", writers, writers); len(page.Items) != 1 || page.Items[0].Message != want {
		t.Fatalf("inbox holds %+v, want one notice saying %q", page.Items, want)
	}
}

// TestAddTallyRefusesInvalid: a tally whose content is not a valid notification writes
// nothing.
func TestAddTallyRefusesInvalid(t *testing.T) {
	s, _ := newStore(t)
	u := user("invalid")
	bad := droppedTally(u, ID("invalid", u, time.Now()), 1, 1)
	bad.Content = func(int64, uint64) Content { return Content{Variant: MessageDropped} }
	if _, err := s.AddTally(context.Background(), bad); err == nil {
		t.Fatal("AddTally wrote a notification without a message")
	}
	if _, err := s.AddTally(context.Background(), Tally{UserID: u, ID: bad.ID, Content: bad.Content}); err == nil {
		t.Fatal("AddTally took an addition of nothing")
	}
}
