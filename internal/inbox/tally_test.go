package inbox

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
		n, _, err := s.AddTally(ctx, droppedTally(u, id, st.add, st.last))
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
	if _, _, err := s.AddTally(ctx, droppedTally(u, id, 1, 5)); err != nil {
		t.Fatal(err)
	}
	if acked, _, err := s.Acknowledge(ctx, u, []string{id}); err != nil || len(acked) != 1 {
		t.Fatalf("Acknowledge = %v, %v", acked, err)
	}
	if _, _, err := s.AddTally(ctx, droppedTally(u, id, 1, 6)); err != nil {
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
		wg.Go(func() { _, _, errs[i] = s.AddTally(context.Background(), droppedTally(u, id, 1, uint64(i+1))) })
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
	if _, _, err := s.AddTally(context.Background(), bad); err == nil {
		t.Fatal("AddTally wrote a notification without a message")
	}
	if _, _, err := s.AddTally(context.Background(), Tally{UserID: u, ID: bad.ID, Content: bad.Content}); err == nil {
		t.Fatal("AddTally took an addition of nothing")
	}
	miscounted := droppedTally(u, bad.ID, 2, 1)
	miscounted.Marks = []uint64{1}
	if _, _, err := s.AddTally(context.Background(), miscounted); err == nil {
		t.Fatal("AddTally took two happenings with one mark")
	}
}

// marked is droppedTally of one happening per mark, the latest at last.
func marked(u, id string, last, floor uint64, marks ...uint64) Tally {
	t := droppedTally(u, id, int64(len(marks)), last)
	t.Marks, t.Floor = marks, floor
	return t
}

// TestAddTallyMarksCountOnce: an addition made again, as after a crash before its
// source was acknowledged, counts none of its happenings twice; it writes nothing, and
// leaves an acknowledged notice acknowledged. One that repeats some of its marks counts
// the others.
func TestAddTallyMarksCountOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u := user("marks")
	id := ID("marks", u, time.Now())
	steps := []struct {
		name      string
		tally     Tally
		wantAdded int64
		want      string
	}{
		{"first", marked(u, id, 30, 0, 101, 102, 103), 3, "3 dropped, the last at 30"},
		{"the same again", marked(u, id, 30, 0, 101, 102, 103), 0, "3 dropped, the last at 30"},
		{"part again", marked(u, id, 31, 0, 103, 104), 1, "4 dropped, the last at 31"},
		{"one mark twice", marked(u, id, 32, 0, 105, 105), 1, "5 dropped, the last at 32"},
		// At or below the floor: settled before, counted or not.
		{"settled", marked(u, id, 33, 104, 104, 99), 0, "5 dropped, the last at 32"},
	}
	for _, st := range steps {
		n, added, err := s.AddTally(ctx, st.tally)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if added != st.wantAdded || n.Message != st.want {
			t.Errorf("%s: added %d, %q; want %d, %q", st.name, added, n.Message, st.wantAdded, st.want)
		}
	}
	if acked, _, err := s.Acknowledge(ctx, u, []string{id}); err != nil || len(acked) != 1 {
		t.Fatalf("Acknowledge = %v, %v", acked, err)
	}
	if _, added, err := s.AddTally(ctx, marked(u, id, 32, 0, 101, 105)); err != nil || added != 0 {
		t.Fatalf("AddTally of counted marks = %d, %v; want 0 added", added, err)
	}
	page, err := s.List(ctx, u, Acknowledged, Filter{}, 10, "")
	if err != nil || len(page.Items) != 1 || page.Items[0].Message != steps[len(steps)-1].want {
		t.Fatalf("acknowledged = %+v, %v; want the notice, still acknowledged, still counting 5", page.Items, err)
	}
}

// TestAddTallyForgetsSettledMarks: the notice remembers only the marks above the floor
// of the latest addition, so that its item does not grow with every happening counted.
func TestAddTallyForgetsSettledMarks(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u := user("floor")
	id := ID("floor", u, time.Now())
	for _, tl := range []Tally{marked(u, id, 1, 0, 1, 2, 3, 7), marked(u, id, 2, 3, 8, 10)} {
		if _, _, err := s.AddTally(ctx, tl); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table),
		Key: map[string]types.AttributeValue{attrUser: str(u), attrID: str(id)}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := out.Item[attrTallyMarks].(*types.AttributeValueMemberS); !ok || got.Value != "7-8,10" {
		t.Errorf("remembered marks %v, want 7-8,10", out.Item[attrTallyMarks])
	}
	if got, ok := out.Item[attrTallyCount].(*types.AttributeValueMemberN); !ok || got.Value != "6" {
		t.Errorf("count %v, want 6", out.Item[attrTallyCount])
	}
}

// TestAddTallyMarksConcurrent: additions racing on one notification, their marks
// overlapping, count every mark once.
func TestAddTallyMarksConcurrent(t *testing.T) {
	s, _ := newStore(t)
	u := user("racemarks")
	id := ID("racemarks", u, time.Now())
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers)
	added := make([]int64, writers)
	for i := range writers {
		m := uint64(i + 1)
		wg.Go(func() { _, added[i], errs[i] = s.AddTally(context.Background(), marked(u, id, m+1, 0, m, m+1)) })
	}
	wg.Wait()
	var sum int64
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		sum += added[i]
	}
	page, err := s.List(context.Background(), u, All, Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	// Marks 1 to writers+1, each once.
	if want := fmt.Sprintf("%d dropped, the last at %d", writers+1, writers+1); len(page.Items) != 1 || page.Items[0].Message != want || sum != writers+1 {
		t.Fatalf("inbox holds %+v, additions reported %d; want one notice saying %q", page.Items, sum, want)
	}
}
