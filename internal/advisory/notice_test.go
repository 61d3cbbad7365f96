package advisory

import (
	"strings"
	"testing"
	"time"
)

// TestNoticeID: one id per consumer, owner and hour; any of the three changed, another.
func TestNoticeID(t *testing.T) {
	const c1, c2 = "01JC0000000000000000000000", "01JC0000000000000000000001"
	h := Hour(time.Date(2026, 11, 22, 18, 59, 59, 0, time.UTC))
	id := NoticeID(c1, "alice", h)
	if again := NoticeID(c1, "alice", Hour(time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC))); again != id {
		t.Errorf("two drops in one hour: ids %s and %s", id, again)
	}
	for name, other := range map[string]string{
		"next hour":      NoticeID(c1, "alice", h.Add(time.Hour)),
		"other consumer": NoticeID(c2, "alice", h),
		"other owner":    NoticeID(c1, "bob", h),
	} {
		if other == id {
			t.Errorf("%s: the same id %s", name, id)
		}
	}
	if !strings.HasPrefix(id, NoticeID(c2, "bob", h)[:10]) {
		t.Errorf("id %s does not start with the hour's time", id)
	}
}

// TestContent: the notice names the consumer, the count, the hour and the last sequence,
// and is a valid notification.
func TestContent(t *testing.T) {
	const c = "01JC0000000000000000000000"
	h := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		count int64
		want  string
	}{{1, "1 message was dropped"}, {7, "7 messages were dropped"}} {
		got := Content(c, h, 2, tt.count, 4242)
		if err := got.Validate(""); err != nil {
			t.Fatalf("Content(%d) is not a valid notification: %v", tt.count, err)
		}
		for _, want := range []string{tt.want, "consumer " + c, "2026-11-22 18:00 and 19:00 UTC", "stream sequence 4242", "delivered 2 times"} {
			if !strings.Contains(got.Message, want) {
				t.Errorf("Content(%d).Message = %q, want it to say %q", tt.count, got.Message, want)
			}
		}
		if got.Variant != "MESSAGE_DROPPED" || len(got.Refs) != 1 || got.Refs[0].Value != "consumers/"+c || got.Refs[0].Name != "consumer" {
			t.Errorf("Content(%d) = %+v, want MESSAGE_DROPPED referring to consumers/%s", tt.count, got, c)
		}
	}
}
