package inbox

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestLiveCount: the index's ids corrected by the changes heard within the window, in the
// order heard; what is older than the window is the index's to show.
func TestLiveCount(t *testing.T) {
	note := func(id string) Change { return Change{Notification: &Notification{ID: id}} }
	acked := func(ids ...string) Change { return Change{Acknowledged: &Acknowledgement{IDs: ids}} }
	before := func(id string) Change { return Change{Acknowledged: &Acknowledgement{Before: id}} }
	tests := []struct {
		name    string
		heard   []Change
		indexed []string
		want    int
	}{
		{"the index alone", nil, []string{"A1", "A2"}, 2},
		{"a write the index does not show yet", []Change{note("A3")}, []string{"A1", "A2"}, 3},
		{"a write the index shows already", []Change{note("A2")}, []string{"A1", "A2"}, 2},
		{"an acknowledgement the index does not show yet", []Change{acked("A1")}, []string{"A1", "A2"}, 1},
		{"acknowledged up to an id", []Change{before("A2")}, []string{"A1", "A2", "A3"}, 1},
		{"written, then acknowledged", []Change{note("A3"), acked("A3")}, []string{"A1"}, 1},
		{"all acknowledged, then a late write with an older id", []Change{before("A5"), note("A0")}, []string{"A1", "A5"}, 1},
		{"nothing unacknowledged", []Change{before("A9")}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tl LiveCount
			for _, c := range tt.heard {
				tl.Heard(c)
			}
			if got := tl.Count(tt.indexed); got != tt.want {
				t.Errorf("Count = %d, want %d", got, tt.want)
			}
		})
	}

	// Past the window a change is forgotten: the index is taken at its word.
	now := time.Now()
	tl := LiveCount{Window: time.Minute, Now: func() time.Time { return now }}
	tl.Heard(note("B1"))
	tl.Heard(acked("B0"))
	if got := tl.Count([]string{"B0"}); got != 1 {
		t.Errorf("within the window: %d, want 1 (B1)", got)
	}
	now = now.Add(2 * time.Minute)
	if got := tl.Count([]string{"B0"}); got != 1 || len(tl.heard) != 0 {
		t.Errorf("past the window: %d with %d changes remembered, want the index's 1 and none", got, len(tl.heard))
	}
}

// TestUnacknowledgedIDs lists the ids of the user's unacknowledged notifications only.
func TestUnacknowledgedIDs(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u := user("u")
	ids := put(t, s, u, 5, c.t.Add(-time.Minute))
	put(t, s, user("other"), 2, c.t)
	if _, _, err := s.Acknowledge(ctx, u, ids[1:3]); err != nil {
		t.Fatal(err)
	}
	got, err := s.UnacknowledgedIDs(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if want := newestFirst([]string{ids[0], ids[3], ids[4]}); !slices.Equal(got, want) {
		t.Errorf("UnacknowledgedIDs = %v, want %v", got, want)
	}
}
