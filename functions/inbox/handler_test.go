package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/inbox"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

func newHandler(t *testing.T, table string) *Handler {
	t.Helper()
	if table == "" {
		var err error
		if table, err = env.Stack.Ref("NotificationsTable"); err != nil {
			t.Fatal(err)
		}
	}
	return &Handler{Store: &inbox.Store{DB: env.DynamoDB, Table: table, UnackedRetention: 365 * 24 * time.Hour, AckedRetention: 30 * 24 * time.Hour}}
}

func user(name string) string { return name + "-" + uuid.NewString()[:8] }

// message is an SQS message carrying body as the inbox queue delivers it (raw).
func message(id, body string) awsevents.SQSMessage {
	return awsevents.SQSMessage{MessageId: id, Body: body, EventSource: "aws:sqs"}
}

// grant is a user.PermissionGranted event for recipients.
func grant(recipients ...string) string {
	rs := ""
	for i, r := range recipients {
		if i > 0 {
			rs += ","
		}
		rs += fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf(`{"uuid":%q,"event":"user.PermissionGranted","timestamp":"2026-11-22T18:00:00Z","user":{"id":"admin1"},"resource":{"type":"user","id":"u","path":"users/u"},"data":{"resource":{"type":"project","path":"projects/p1"}},"recipients":[%s]}`, uuid.NewString(), rs)
}

func inboxOf(t *testing.T, h *Handler, u string) []*inbox.Notification {
	t.Helper()
	p, err := h.Store.List(context.Background(), u, inbox.All, inbox.Filter{}, 100, "")
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func failures(resp awsevents.SQSEventResponse) []string {
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// TestOncePerRecipient delivers an event twice (as SQS may): each recipient, named
// twice in it, gets one notification; nobody else gets any.
func TestOncePerRecipient(t *testing.T) {
	h := newHandler(t, "")
	alice, bob, carol := user("alice"), user("bob"), user("carol")
	body := grant(alice, bob, alice)
	for range 2 {
		resp, err := h.Handle(context.Background(), awsevents.SQSEvent{Records: []awsevents.SQSMessage{message("m1", body)}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle = %+v, %v", resp, err)
		}
	}
	for _, u := range []string{alice, bob} {
		ns := inboxOf(t, h, u)
		if len(ns) != 1 {
			t.Fatalf("%s has %d notifications, want 1", u, len(ns))
		}
		if n := ns[0]; n.Variant != inbox.PermissionGranted || n.Message != "You were granted a permission on projects/p1." || n.Acknowledged() {
			t.Errorf("%s's notification %+v", u, n)
		}
	}
	if ns := inboxOf(t, h, carol); len(ns) != 0 {
		t.Errorf("carol, not a recipient, has %d notifications", len(ns))
	}
}

// TestPoisonMessages checks that unreadable and invalid events are reported as batch
// item failures while the good message of the same batch is done.
func TestPoisonMessages(t *testing.T) {
	h := newHandler(t, "")
	u := user("u")
	resp, err := h.Handle(context.Background(), awsevents.SQSEvent{Records: []awsevents.SQSMessage{
		message("not-json", `{"uuid":`),
		message("good", grant(u)),
		message("invalid", `{"event":"user.PermissionGranted","recipients":["x"]}`),
		message("no-recipients", fmt.Sprintf(`{"uuid":%q,"event":"system.Announcement","timestamp":"2026-11-22T18:00:00Z"}`, uuid.NewString())),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); !slices.Equal(got, []string{"not-json", "invalid"}) {
		t.Errorf("batch item failures %v, want the unreadable and the invalid message", got)
	}
	if ns := inboxOf(t, h, u); len(ns) != 1 {
		t.Errorf("the good message made %d notifications, want 1", len(ns))
	}
}

// TestWriteFailure checks that a message whose notifications cannot be written comes
// back (a batch item failure) rather than being lost.
func TestWriteFailure(t *testing.T) {
	h := newHandler(t, "no-such-table")
	resp, err := h.Handle(context.Background(), awsevents.SQSEvent{Records: []awsevents.SQSMessage{message("m1", grant(user("u")))}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failures(resp); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("batch item failures %v, want m1", got)
	}
}

// TestAnnounced: each recipient's live streams hear of the notification written for
// them, once, however often the event comes.
func TestAnnounced(t *testing.T) {
	h := newHandler(t, "")
	nc, err := nats.Connect(env.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	h.Store.Feed = inbox.NewFeed(nc)
	alice, bob := user("alice"), user("bob")
	subs := map[string]*inbox.Subscription{}
	for _, u := range []string{alice, bob} {
		if subs[u], err = inbox.NewFeed(nc).Subscribe(t.Context(), u); err != nil {
			t.Fatal(err)
		}
		defer subs[u].Close()
	}
	body := grant(alice, bob)
	for i := range 2 {
		if resp, _ := h.Handle(context.Background(), awsevents.SQSEvent{Records: []awsevents.SQSMessage{message(fmt.Sprint(i), body)}}); len(resp.BatchItemFailures) > 0 {
			t.Fatalf("batch failures %v", failures(resp))
		}
	}
	// A sentinel written after tells that nothing more came before it.
	for _, u := range []string{alice, bob} {
		sentinel := h.Store.New(u, inbox.Content{Variant: inbox.Announcement, Message: "last"}, uuid.NewString(), time.Now())
		if _, err := h.Store.Put(context.Background(), sentinel); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{alice, bob} {
		want := []string{string(inbox.PermissionGranted), "last"}
		var got []string
		for range want {
			select {
			case m := <-subs[u].C():
				c, err := inbox.ReadChange(m.Data)
				if err != nil || c.Notification == nil || c.Notification.UserID != u {
					t.Fatalf("%s heard %s (%v)", u, m.Data, err)
				}
				if c.Notification.Message == "last" {
					got = append(got, "last")
				} else {
					got = append(got, string(c.Notification.Variant))
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s heard %v, want %v", u, got, want)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s heard %v, want %v", u, got, want)
		}
	}
}
