package quota

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

func TestIsLedgerKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"quota#triggers#alice", true},
		{"quota#", false},
		{"01ARZ3NDEKTSV4RRFFQ69G5FAV", false},
		{"", false},
		{"Quota#triggers#alice", false},
	}
	for _, tt := range tests {
		if got := IsLedgerKey(tt.key); got != tt.want {
			t.Errorf("IsLedgerKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

// TestGone checks which ids a full ledger drops: those whose things are gone, once
// older than Grace; never a live one, nor a young one that may be a create under way.
func TestGone(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	id := func(age time.Duration) string {
		return ulid.MustNew(ulid.Timestamp(now.Add(-age)), ulid.DefaultEntropy()).String()
	}
	liveOld, goneOld, goneYoung, liveYoung := id(time.Hour), id(Grace+time.Second), id(Grace-time.Second), id(0)
	l := &Ledger{
		Now: func() time.Time { return now },
		Live: func(_ context.Context, ids []string) (map[string]bool, error) {
			return map[string]bool{liveOld: true, liveYoung: true}, nil
		},
	}
	got, err := l.gone(context.Background(), []string{liveOld, goneOld, goneYoung, liveYoung, "not-a-ulid"})
	if err != nil {
		t.Fatal(err)
	}
	// An id that is no ULID cannot be dated: it names nothing, so it goes.
	if want := []string{goneOld, "not-a-ulid"}; !slices.Equal(got, want) {
		t.Errorf("gone = %v, want %v", got, want)
	}
}
