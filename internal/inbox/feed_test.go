package inbox

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
)

// changeWait bounds the wait for an announcement the test expects; it comes well
// within it.
const changeWait = 10 * time.Second

// TestSubject: every user id, whatever it holds, gets a subject of exactly one token
// under herald.inbox, made of characters a subject token may hold, and two ids never
// share one.
func TestSubject(t *testing.T) {
	ids := []string{"u1", "a.b", "a_b", "a*", "a>", ">", "*", "a b", "tab\there", "ünïcødé", "users/u1", "a.b.c", strings.Repeat("x", 256), "-", "_"}
	seen := map[string]string{}
	for _, id := range ids {
		s := Subject(id)
		token, ok := strings.CutPrefix(s, SubjectRoot+".")
		if !ok || token == "" || strings.ContainsAny(token, ".*> \t\r\n") {
			t.Errorf("Subject(%q) = %q, want one subject-safe token under %s", id, s, SubjectRoot)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("Subject(%q) = Subject(%q) = %q", id, other, s)
		}
		seen[s] = id
		if back, err := base64.RawURLEncoding.DecodeString(token); err != nil || string(back) != id {
			t.Errorf("the token of %q decodes to %q, %v", id, back, err)
		}
	}
}

// connect returns a connection of the test's own to the environment's NATS server.
func connect(t *testing.T) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(env.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// feedStore returns a Store announcing on a connection of its own.
func feedStore(t *testing.T) (*Store, *clock) {
	t.Helper()
	s, c := newStore(t)
	s.Feed = NewFeed(connect(t))
	return s, c
}

// subscribe subscribes to u's changes on a connection of its own, as a stream does.
func subscribe(t *testing.T, u string) *Subscription {
	t.Helper()
	sub, err := NewFeed(connect(t)).Subscribe(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// nextChange returns the next change the subscription receives.
func nextChange(t *testing.T, sub *Subscription) Change {
	t.Helper()
	select {
	case m := <-sub.C():
		c, err := ReadChange(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		return c
	case <-time.After(changeWait):
		t.Fatalf("no change announced within %v", changeWait)
	}
	return Change{}
}

// wantNotification fails t unless c announces the notification id.
func wantNotification(t *testing.T, c Change, id string) {
	t.Helper()
	if c.Notification == nil || c.Notification.ID != id {
		t.Fatalf("change %+v, want notification %s", c, id)
	}
}

// TestAnnouncements: every write and acknowledgement of a notification is announced on
// its user's subject, and only there; writing what exists already, or acknowledging
// what is acknowledged already, announces nothing.
func TestAnnouncements(t *testing.T) {
	s, c := feedStore(t)
	ctx := context.Background()
	alice, bob := user("alice"), user("bob")
	aliceSub, bobSub := subscribe(t, alice), subscribe(t, bob)

	n := s.New(alice, Content{Variant: Announcement, Message: "one"}, uuid.NewString(), c.t)
	if created, err := s.Put(ctx, n); err != nil || !created {
		t.Fatalf("Put = %v, %v", created, err)
	}
	got := nextChange(t, aliceSub)
	wantNotification(t, got, n.ID)
	if got.Notification.Message != "one" || got.Notification.UserID != alice || got.Notification.Acknowledged() {
		t.Errorf("announced %+v, want the notification as stored", got.Notification)
	}

	// The same write again: nothing new, nothing announced (the next change is the
	// next write's).
	if created, _ := s.Put(ctx, n); created {
		t.Fatal("the same notification written twice")
	}
	ids := put(t, s, alice, 3, c.t.Add(time.Second))
	var announced []string
	for range ids {
		announced = append(announced, nextChange(t, aliceSub).Notification.ID)
	}
	slices.Sort(announced)
	if !slices.Equal(announced, ids) {
		t.Errorf("PutAll announced %v, want %v", announced, ids)
	}

	// Acknowledging: the ids this call acknowledged, not those acknowledged before nor
	// those alice does not have.
	if _, _, err := s.Acknowledge(ctx, alice, ids[:1]); err != nil {
		t.Fatal(err)
	}
	if got := nextChange(t, aliceSub); got.Acknowledged == nil || !slices.Equal(got.Acknowledged.IDs, ids[:1]) {
		t.Fatalf("change %+v, want the acknowledgement of %v", got, ids[:1])
	}
	missing := ID("no-such-event", alice, c.t)
	if _, _, err := s.Acknowledge(ctx, alice, []string{ids[0], ids[1], missing}); err != nil {
		t.Fatal(err)
	}
	if got := nextChange(t, aliceSub); got.Acknowledged == nil || !slices.Equal(got.Acknowledged.IDs, ids[1:2]) {
		t.Fatalf("change %+v, want the acknowledgement of %v only", got, ids[1:2])
	}
	if _, _, err := s.Acknowledge(ctx, alice, ids[:2]); err != nil {
		t.Fatal(err)
	}

	// Acknowledging all: one acknowledgement of everything through the newest.
	if res, err := s.AcknowledgeUpTo(ctx, alice, "", 0); err != nil || res.Count != 2 {
		t.Fatalf("AcknowledgeUpTo = %+v, %v; want 2", res, err)
	}
	got = nextChange(t, aliceSub)
	if got.Acknowledged == nil || !got.Acknowledged.All || got.Acknowledged.Before != ids[2] {
		t.Fatalf("change %+v, want all acknowledged through %s", got, ids[2])
	}

	// Bob hears only of his own: the first change on his subject is his notification.
	mine := put(t, s, bob, 1, c.t)
	wantNotification(t, nextChange(t, bobSub), mine[0])
	if _, _, err := s.Acknowledge(ctx, bob, []string{n.ID}); err != nil {
		t.Fatal(err)
	}
	last := put(t, s, alice, 1, c.t.Add(time.Minute))
	wantNotification(t, nextChange(t, aliceSub), last[0])
	if err := aliceSub.Err(); err != nil {
		t.Errorf("alice's subscription: %v", err)
	}
}

// TestAnnouncementFailureKeepsTheWrite: with the feed's connection closed, writing and
// acknowledging still succeed; the announcements are lost, not the notifications.
func TestAnnouncementFailureKeepsTheWrite(t *testing.T) {
	s, c := feedStore(t)
	s.Feed.NC.Close()
	ctx := context.Background()
	u := user("u")
	n := s.New(u, Content{Variant: Announcement, Message: "kept"}, uuid.NewString(), c.t)
	if created, err := s.Put(ctx, n); err != nil || !created {
		t.Fatalf("Put with the feed down = %v, %v; want written", created, err)
	}
	if created, err := s.PutAll(ctx, []*Notification{s.New(u, Content{Variant: Announcement, Message: "also"}, uuid.NewString(), c.t)}); err != nil || created != 1 {
		t.Fatalf("PutAll with the feed down = %d, %v", created, err)
	}
	if acked, _, err := s.Acknowledge(ctx, u, []string{n.ID}); err != nil || len(acked) != 1 {
		t.Fatalf("Acknowledge with the feed down = %v, %v", acked, err)
	}
	if res, err := s.AcknowledgeUpTo(ctx, u, "", 0); err != nil || res.Count != 1 {
		t.Fatalf("AcknowledgeUpTo with the feed down = %+v, %v", res, err)
	}
	if got := listAll(t, s, u, Acknowledged, 10); len(got) != 2 {
		t.Errorf("acknowledged %v, want both", got)
	}
}

// TestSubscriptionErr: a subscription whose connection broke says it may have missed
// changes.
func TestSubscriptionErr(t *testing.T) {
	nc := connect(t)
	sub, err := NewFeed(nc).Subscribe(t.Context(), user("u"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Err(); err != nil {
		t.Fatalf("a fresh subscription: %v", err)
	}
	nc.Close()
	if sub.Err() == nil {
		t.Error("a subscription on a closed connection reports no error")
	}
}

func TestReadChange(t *testing.T) {
	for _, bad := range []string{`{}`, `{"notification":{"id":"x"},"acknowledged":{"all":true}}`, `[`, `null`} {
		if _, err := ReadChange([]byte(bad)); err == nil {
			t.Errorf("ReadChange(%s) accepted it", bad)
		}
	}
	c, err := ReadChange([]byte(`{"acknowledged":{"before":"01JD0000000000000000000000","all":true}}`))
	if err != nil || c.Acknowledged == nil || c.Acknowledged.Before != "01JD0000000000000000000000" || !c.Acknowledged.All {
		t.Errorf("ReadChange = %+v, %v", c, err)
	}
}
