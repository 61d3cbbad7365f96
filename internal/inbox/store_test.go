package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/fault"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// clock is a settable time source for Store.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newStore returns a Store on the template's Notifications table with a clock of its own.
func newStore(t testing.TB) (*Store, *clock) {
	t.Helper()
	table, err := env.Stack.Ref("NotificationsTable")
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	return &Store{DB: env.DynamoDB, Table: table, UnackedRetention: 365 * 24 * time.Hour, AckedRetention: 30 * 24 * time.Hour, Now: c.now}, c
}

// user returns a user id of the test's own: the table is shared by the tests.
func user(name string) string { return name + "-" + uuid.NewString()[:8] }

// put writes n notifications for u, one a millisecond after the other from at, and
// returns their ids oldest first.
func put(t testing.TB, s *Store, u string, n int, at time.Time) []string {
	t.Helper()
	ns := make([]*Notification, n)
	ids := make([]string, n)
	for i := range ns {
		ns[i] = s.New(u, Content{Variant: Event, Message: fmt.Sprintf("n%d", i)}, uuid.NewString(), at.Add(time.Duration(i)*time.Millisecond))
		ids[i] = ns[i].ID
	}
	if created, err := s.PutAll(context.Background(), ns); err != nil || created != n {
		t.Fatalf("PutAll = %d, %v; want %d new", created, err, n)
	}
	return ids
}

// listAll pages through u's notifications in state with pages of limit, and returns
// their ids in the order listed.
func listAll(t testing.TB, s *Store, u string, state State, limit int) []string {
	t.Helper()
	return listFiltered(t, s, u, state, Filter{}, limit)
}

// listFiltered pages through u's notifications in state that f selects with pages of
// limit at most, and returns their ids in the order listed.
func listFiltered(t testing.TB, s *Store, u string, state State, f Filter, limit int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for range 1000 {
		p, err := s.List(context.Background(), u, state, f, limit, cursor)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), limit)
		}
		for _, n := range p.Items {
			ids = append(ids, n.ID)
		}
		if p.Next == "" {
			return ids
		}
		cursor = p.Next
	}
	t.Fatal("listing never ended")
	return nil
}

func newestFirst(ids []string) []string {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func TestPutIsIdempotent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	u := user("u")
	at := time.Now()
	n := s.New(u, Content{Variant: Announcement, Message: "hello"}, "event-1", at)
	if created, err := s.Put(ctx, n); err != nil || !created {
		t.Fatalf("first Put = %v, %v", created, err)
	}
	again := s.New(u, Content{Variant: Announcement, Message: "changed"}, "event-1", at)
	if created, err := s.Put(ctx, again); err != nil || created {
		t.Fatalf("second Put of the same event = %v, %v; want not created", created, err)
	}
	if _, _, err := s.Acknowledge(ctx, u, []string{n.ID}); err != nil {
		t.Fatal(err)
	}
	if created, err := s.Put(ctx, again); err != nil || created {
		t.Fatalf("Put after acknowledgement = %v, %v; want not created", created, err)
	}
	p, err := s.List(ctx, u, All, Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].Message != "hello" || !p.Items[0].Acknowledged() {
		t.Fatalf("after three writes of one event: %+v, want one acknowledged \"hello\"", p.Items)
	}
}

// TestPagination lists a few hundred notifications in pages of several sizes: each
// appears exactly once, newest first.
func TestPagination(t *testing.T) {
	s, _ := newStore(t)
	u := user("u")
	ids := put(t, s, u, 300, time.Now().Add(-time.Hour))
	for _, limit := range []int{7, 100, 300, 1000} {
		for _, state := range []State{Unacknowledged, All} {
			if got := listAll(t, s, u, state, limit); !slices.Equal(got, newestFirst(ids)) {
				t.Errorf("state %s limit %d: listed %d ids (first %v), want all %d newest first", state, limit, len(got), got[:min(3, len(got))], len(ids))
			}
		}
	}
	if p, err := s.List(context.Background(), u, Unacknowledged, Filter{}, 300, ""); err != nil || p.Next != "" || len(p.Items) != 300 {
		t.Errorf("a page holding everything: %d items, next %q, err %v; want 300 and no cursor", len(p.Items), p.Next, err)
	}
}

func TestStates(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u := user("u")
	ids := put(t, s, u, 10, c.t.Add(-time.Minute))
	acked := []string{ids[2], ids[5], ids[9]}
	got, notFound, err := s.Acknowledge(ctx, u, acked)
	if err != nil || !slices.Equal(got, acked) || len(notFound) != 0 {
		t.Fatalf("Acknowledge = %v, %v, %v", got, notFound, err)
	}
	unacked := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(acked, id) })
	if got := listAll(t, s, u, Unacknowledged, 4); !slices.Equal(got, newestFirst(unacked)) {
		t.Errorf("unacknowledged %v, want %v", got, newestFirst(unacked))
	}
	if got := listAll(t, s, u, Acknowledged, 2); !slices.Equal(got, newestFirst(acked)) {
		t.Errorf("acknowledged %v, want %v", got, newestFirst(acked))
	}
	if n, _, err := s.Count(ctx, u, Filter{}); err != nil || n != 7 {
		t.Errorf("Count = %d, %v; want 7", n, err)
	}
	p, err := s.List(ctx, u, Acknowledged, Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range p.Items {
		if n.AcknowledgedAt == nil || !n.AcknowledgedAt.Equal(c.t) {
			t.Errorf("%s acknowledged_at %v, want %v", n.ID, n.AcknowledgedAt, c.t)
		}
		if want := c.t.Add(s.AckedRetention); !n.ExpiresAt.Equal(want) {
			t.Errorf("%s expires_at %v, want the acknowledged retention %v", n.ID, n.ExpiresAt, want)
		}
	}
	p, _ = s.List(ctx, u, Unacknowledged, Filter{}, 1, "")
	if want := c.t.Add(s.UnackedRetention); !p.Items[0].ExpiresAt.Equal(want) {
		t.Errorf("unacknowledged expires_at %v, want %v", p.Items[0].ExpiresAt, want)
	}

	// Twice is harmless: still acknowledged, acknowledged_at unchanged.
	c.t = c.t.Add(time.Hour)
	if got, notFound, err := s.Acknowledge(ctx, u, acked[:1]); err != nil || !slices.Equal(got, acked[:1]) || len(notFound) != 0 {
		t.Fatalf("second Acknowledge = %v, %v, %v", got, notFound, err)
	}
	p, _ = s.List(ctx, u, Acknowledged, Filter{}, 10, "")
	for _, n := range p.Items {
		if !n.AcknowledgedAt.Equal(c.t.Add(-time.Hour)) {
			t.Errorf("acknowledging again moved acknowledged_at of %s to %v", n.ID, n.AcknowledgedAt)
		}
	}
}

func TestAcknowledgeOthers(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	alice, bob := user("alice"), user("bob")
	aliceIDs := put(t, s, alice, 2, time.Now())
	missing := ID("no-such-event", bob, time.Now())
	got, notFound, err := s.Acknowledge(ctx, bob, []string{aliceIDs[0], missing})
	if err != nil || len(got) != 0 || !slices.Equal(notFound, []string{aliceIDs[0], missing}) {
		t.Fatalf("bob acknowledging alice's id: %v, %v, %v; want both not found", got, notFound, err)
	}
	if n, _, _ := s.Count(ctx, alice, Filter{}); n != 2 {
		t.Errorf("alice has %d unacknowledged after bob's attempt, want 2", n)
	}
	if p, _ := s.List(ctx, bob, All, Filter{}, 10, ""); len(p.Items) != 0 {
		t.Errorf("bob sees %d notifications, want none", len(p.Items))
	}
}

func TestExpiredAreSkipped(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u := user("u")
	ids := put(t, s, u, 3, c.t)
	if _, _, err := s.Acknowledge(ctx, u, ids[:1]); err != nil {
		t.Fatal(err)
	}
	// Past the acknowledged retention, before the unacknowledged one.
	c.t = c.t.Add(s.AckedRetention + time.Hour)
	if got := listAll(t, s, u, All, 10); !slices.Equal(got, newestFirst(ids[1:])) {
		t.Errorf("after the acknowledged one expired: %v, want %v", got, newestFirst(ids[1:]))
	}
	if got, notFound, _ := s.Acknowledge(ctx, u, ids[:1]); len(got) != 0 || len(notFound) != 1 {
		t.Errorf("acknowledging an expired notification: %v acknowledged, %v not found; want not found", got, notFound)
	}
	c.t = c.t.Add(s.UnackedRetention)
	if n, _, _ := s.Count(ctx, u, Filter{}); n != 0 {
		t.Errorf("count after everything expired = %d", n)
	}
	if got, notFound, _ := s.Acknowledge(ctx, u, ids[1:2]); len(got) != 0 || len(notFound) != 1 {
		t.Errorf("acknowledging an expired unacknowledged notification: %v, %v; want not found", got, notFound)
	}
}

// TestKeptUntilAcknowledged: with UnackedRetention 0, an unacknowledged notification has
// no expiry (no TTL attribute, none in JSON) and is listed, counted and acknowledged
// however late; once acknowledged it expires AckedRetention later.
func TestKeptUntilAcknowledged(t *testing.T) {
	s, c := newStore(t)
	s.UnackedRetention = 0
	ctx := context.Background()
	u := user("u")
	ids := put(t, s, u, 2, c.t)
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: map[string]types.AttributeValue{attrUser: str(u), attrID: str(ids[0])}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Item[attrExpiresAt]; ok {
		t.Errorf("an unacknowledged notification has %s %v, want none", attrExpiresAt, v)
	}
	p, err := s.List(ctx, u, Unacknowledged, Filter{}, 10, "")
	if err != nil || len(p.Items) != 2 {
		t.Fatalf("List = %v, %v", p, err)
	}
	if b, _ := json.Marshal(p.Items[0]); strings.Contains(string(b), "expires_at") {
		t.Errorf("JSON %s shows an expiry", b)
	}

	// Ten years on, both are still there.
	c.t = c.t.AddDate(10, 0, 0)
	if n, _, _ := s.Count(ctx, u, Filter{}); n != 2 {
		t.Errorf("count ten years on = %d, want 2", n)
	}
	if got, notFound, err := s.Acknowledge(ctx, u, ids[:1]); err != nil || len(got) != 1 || len(notFound) != 0 {
		t.Fatalf("acknowledging ten years on: %v, %v, %v", got, notFound, err)
	}
	acked, err := s.List(ctx, u, Acknowledged, Filter{}, 10, "")
	if err != nil || len(acked.Items) != 1 || !acked.Items[0].ExpiresAt.Equal(c.t.Add(s.AckedRetention)) {
		t.Fatalf("acknowledged: %+v, %v; want it to expire %v", acked.Items, err, c.t.Add(s.AckedRetention))
	}
	c.t = c.t.Add(s.AckedRetention + time.Hour)
	if got := listAll(t, s, u, All, 10); !slices.Equal(got, ids[1:]) {
		t.Errorf("after the acknowledged one expired: %v, want %v, the unacknowledged one", got, ids[1:])
	}
}

func TestBadCursor(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	alice, bob := user("alice"), user("bob")
	put(t, s, alice, 3, time.Now())
	p, err := s.List(ctx, alice, Unacknowledged, Filter{}, 1, "")
	if err != nil || p.Next == "" {
		t.Fatalf("first page: %v, next %q", err, p.Next)
	}
	for name, tt := range map[string]struct {
		user   string
		state  State
		cursor string
	}{
		"garbage":         {alice, Unacknowledged, "%%%"},
		"another user's":  {bob, Unacknowledged, p.Next},
		"another state's": {alice, Acknowledged, p.Next},
		"all's":           {alice, All, p.Next},
	} {
		if _, err := s.List(ctx, tt.user, tt.state, Filter{}, 1, tt.cursor); !fault.Is(err, fault.Invalid) {
			t.Errorf("%s cursor: %v, want an Invalid error", name, err)
		}
	}
}
