package inbox

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestSince: what is newer than an id, acknowledged or not, oldest first; nothing when
// more than the maximum is newer; only the user's own.
func TestSince(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u, other := user("u"), user("other")
	ids := put(t, s, u, 5, c.t.Add(-time.Minute))
	put(t, s, other, 3, c.t.Add(-time.Minute))
	if _, _, err := s.Acknowledge(ctx, u, ids[3:4]); err != nil {
		t.Fatal(err)
	}
	idsOf := func(ns []*Notification) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}
	tests := []struct {
		name         string
		user, after  string
		max          int
		want         []string
		wantComplete bool
	}{
		{"newer than the second", u, ids[1], 10, ids[2:], true},
		{"exactly the maximum", u, ids[1], 3, ids[2:], true},
		{"more than the maximum", u, ids[1], 2, nil, false},
		{"newer than the newest", u, ids[4], 10, nil, true},
		{"older than all: the user's own only", u, ID("e", u, c.t.Add(-time.Hour)), 10, ids, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, complete, err := s.Since(ctx, tt.user, tt.after, tt.max)
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(ns); !slices.Equal(got, tt.want) || complete != tt.wantComplete {
				t.Errorf("Since = %v, complete %v; want %v, %v", got, complete, tt.want, tt.wantComplete)
			}
		})
	}
	ns, _, _ := s.Since(ctx, u, ids[2], 10)
	if len(ns) != 2 || !ns[0].Acknowledged() || ns[1].Acknowledged() {
		t.Errorf("Since carries the state: %+v", ns)
	}
}
