package security

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/test/stacktest"
)

// inboxStreamCases are the inbox stream's columns: the Function URL has no authorizer,
// so the function answers 401 itself; another user's token opens that user's own inbox
// (there is no way to name someone else's); a scoped or service token is refused, as on
// every /v1/me route.
func inboxStreamCases(w *stacktest.World) []secCase {
	const path = "/v1/me/notifications/stream"
	own := stacktest.Want{Status: 200, Check: func(t *testing.T, a stacktest.Answer) {
		if ct := a.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("inbox stream: Content-Type %q", ct)
		}
	}}
	return []secCase{
		{whoNone, stacktest.Call{Method: "GET", Path: path}, stacktest.Want{Status: 401}},
		{whoIntruder + " (their own inbox)", stacktest.Call{Method: "GET", Path: path, Token: w.Intruder}, own},
		{whoScoped, stacktest.Call{Method: "GET", Path: path, Token: w.Scoped}, stacktest.Want{Status: 403}},
		{whoLacking + " (a service token)", stacktest.Call{Method: "GET", Path: path, Token: w.Publisher}, stacktest.Want{Status: 403}},
	}
}

// inboxConfined checks, with the owner's and the intruder's inbox streams open, that
// each hears only of their own notifications; that the intruder acknowledging all, up
// to the owner's newest id, or the owner's ids, changes nothing of the owner's and is
// heard only on the intruder's stream; that a replay from an id of the owner's gives
// the intruder only their own; and that the NATS user of nats actions can neither
// listen on nor write to the inbox subjects, nor can an action be aimed there.
func inboxConfined(t *testing.T, p *stacktest.Stack, w *stacktest.World) {
	ac := w.AC
	create := func(sub, message string) string {
		t.Helper()
		var out struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/notifications", Token: w.Publisher,
			Body: `{"recipients":["` + sub + `"],"variant":"ANNOUNCEMENT","message":"` + message + `"}`}, http.StatusCreated, &out)
		return out.Items[0].ID
	}
	count := func(token string) int {
		t.Helper()
		var out struct {
			Unacknowledged int `json:"unacknowledged"`
		}
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/me/notifications/count", Token: token}, http.StatusOK, &out)
		return out.Unacknowledged
	}
	wantOwn := func(in *stacktest.Inbox, sub, message string) {
		t.Helper()
		n := in.Want(t, client.InboxNotification).Notification
		if n.UserID != sub || n.Message != message || n.Acknowledged() {
			t.Fatalf("%s's stream: %+v, want their own %q, unacknowledged", sub, n, message)
		}
	}

	// Each stream holds a Stream instance while it runs (the local stack runs four, and
	// the matrix left two streams open): these two end with their tokens, a few minutes
	// on, rather than with the invocation.
	short := func(sub string) string {
		tok, err := auth.Mint([]byte(localstack.DevSecret), auth.Claims{Subject: sub, TokenType: auth.Personal}, 3*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	ownerCount := count(w.Owner)
	owner := stacktest.OpenInbox(t, ac.API, short(stacktest.OwnerSub), "")
	owner.WantCount(t, ownerCount)
	// The intruder's stream replays from one of the owner's ids: only the intruder's own
	// come before the count.
	intruder := stacktest.OpenInbox(t, ac.API, short(stacktest.IntruderSub), w.Notification)
	var intruderCount int
	for {
		e := intruder.Next(t)
		if e.Kind == client.InboxCount {
			intruderCount = e.Unacknowledged
			break
		}
		if e.Kind != client.InboxNotification || e.Notification.UserID != stacktest.IntruderSub {
			t.Fatalf("the intruder's replay from the owner's id: %s, want only their own notifications", stacktest.DescribeInboxEvent(e))
		}
	}

	// Written for one, heard by that one only: the owner's first notification frame is
	// the owner's, though the intruder's was written first.
	create(stacktest.IntruderSub, "for the intruder")
	wantOwn(intruder, stacktest.IntruderSub, "for the intruder")
	intruder.WantCount(t, intruderCount+1)
	ownerNew := create(stacktest.OwnerSub, "for the owner")
	wantOwn(owner, stacktest.OwnerSub, "for the owner")
	owner.WantCount(t, ownerCount+1)

	// The intruder acknowledges all of theirs, then aims at the owner's.
	bulk := func(body string) (n int) {
		t.Helper()
		var out struct {
			Count int  `json:"count"`
			More  bool `json:"more"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Token: w.Intruder, Body: body}, http.StatusOK, &out)
		return out.Count
	}
	if n := bulk(`{"all":true}`); n != intruderCount+1 {
		t.Errorf("the intruder acknowledging all: %d, want their own %d", n, intruderCount+1)
	}
	if e := intruder.Want(t, client.InboxAcknowledged); !e.Acknowledged.All {
		t.Errorf("the intruder's stream: %s, want all acknowledged", stacktest.DescribeInboxEvent(e))
	}
	intruder.WantCount(t, 0)
	if n := bulk(`{"before":"` + ownerNew + `"}`); n != 0 {
		t.Errorf("the intruder acknowledging up to the owner's newest id: %d acknowledged, want 0", n)
	}
	var byID struct {
		Acknowledged []string `json:"acknowledged"`
		NotFound     []string `json:"not_found"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Token: w.Intruder,
		Body: `{"ids":["` + ownerNew + `","` + w.Notification + `"]}`}, http.StatusOK, &byID)
	if len(byID.Acknowledged) != 0 || !slices.Equal(byID.NotFound, []string{ownerNew, w.Notification}) {
		t.Errorf("the intruder acknowledging the owner's ids: %+v, want both not found", byID)
	}
	// The owner heard none of it: the next event is the owner's next notification.
	create(stacktest.OwnerSub, "again for the owner")
	wantOwn(owner, stacktest.OwnerSub, "again for the owner")
	owner.WantCount(t, ownerCount+2)
	if n := count(w.Owner); n != ownerCount+2 {
		t.Errorf("the owner's count %d, want %d", n, ownerCount+2)
	}

	// The actions NATS user may not listen on the owner's inbox subject nor write to it.
	actionsURL, err := localnats.ActionsURL(p.Banner["NATS"], actionsPassword(t, p))
	if err != nil {
		t.Fatal(err)
	}
	var refusals stacktest.Refusals
	nc, err := nats.Connect(actionsURL, refusals.Option())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	subject := inbox.Subject(stacktest.OwnerSub)
	for _, s := range []string{subject, inbox.Subjects} {
		if _, err := nc.SubscribeSync(s); err != nil {
			t.Fatal(err)
		}
	}
	forged, _ := json.Marshal(inbox.Change{Notification: &inbox.Notification{ID: ownerNew, UserID: stacktest.OwnerSub, Content: inbox.Content{Variant: inbox.Announcement, Message: "forged"}}})
	if err := nc.Publish(subject, forged); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	refusals.WaitFor(t, "permission violations for the subscriptions and the forged change", `Subscription to "`+subject, `Subscription to "`+inbox.Subjects, `Publish to "`+subject)
	create(stacktest.OwnerSub, "third for the owner")
	wantOwn(owner, stacktest.OwnerSub, "third for the owner")

	// Nor can a nats action be aimed at it.
	ans := stacktest.Tenant{AC: ac, Token: w.Intruder}.CreateTrigger(t, `{"name":"forge","resource":{"path":"`+stacktest.ScopePath+`"},"events":["resource.*"],`+
		`"action":{"type":"nats","subject":"`+subject+`"}}`)
	stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{"action.subject"}})
}
