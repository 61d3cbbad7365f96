package streams

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// TestInboxStream follows one user's inbox through the whole local stack: a notification
// written by POST /v1/notifications and one the Inbox function writes from an event with
// recipients (NATS, the bridge, SNS, the inbox queue) each arrive on the user's open
// inbox stream, each followed by the count; acknowledging all is announced, with the
// count back to 0; and a stream opened again with the first notification's id replays
// the second, acknowledged, before counting.
func TestInboxStream(t *testing.T) {
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	sub := "inbox-" + uuid.NewString()[:8]
	user := stacktest.MintToken(t, auth.Claims{Subject: sub, TokenType: auth.Personal})
	publisher := stacktest.MintToken(t, auth.Claims{Subject: stacktest.PublisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})

	inbox := stacktest.OpenInbox(t, ac.API, user, "")
	inbox.WantCount(t, 0)

	// Written by the API.
	var created struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/notifications", Token: publisher,
		Body: `{"recipients":["` + sub + `"],"variant":"ANNOUNCEMENT","message":"maintenance tonight"}`}, http.StatusCreated, &created)
	first := inbox.Want(t, client.InboxNotification).Notification
	if first.ID != created.Items[0].ID || first.Message != "maintenance tonight" || first.UserID != sub || first.Acknowledged() {
		t.Fatalf("the created notification arrived as %+v, want %s", first, created.Items[0].ID)
	}
	inbox.WantCount(t, 1)

	// Written by the Inbox function, from an event with recipients.
	eventUUID := uuid.NewString()
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
		Body: `{"uuid":"` + eventUUID + `","event":"user.PermissionGranted","resource":{"type":"user","id":"` + sub + `","path":"users/` + sub + `"},` +
			`"data":{"resource":{"type":"project","path":"projects/inbox"},"permission":"WRITE"},"recipients":["` + sub + `"]}`}, http.StatusAccepted, nil)
	second := inbox.Want(t, client.InboxNotification).Notification
	if second.EventUUID != eventUUID || second.Variant != "PERMISSION_GRANTED" {
		t.Fatalf("the event's notification arrived as %+v, want one of event %s", second, eventUUID)
	}
	inbox.WantCount(t, 2)

	// Acknowledging all: announced as everything through the newest, then the count.
	var bulk struct {
		Count int  `json:"count"`
		More  bool `json:"more"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Token: user, Body: `{"all":true}`}, http.StatusOK, &bulk)
	if bulk.Count != 2 || bulk.More {
		t.Errorf("acknowledge all answered %+v, want 2 and no more", bulk)
	}
	ack := inbox.Want(t, client.InboxAcknowledged).Acknowledged
	newest := max(first.ID, second.ID)
	if !ack.All || ack.Before != newest || !ack.Covers(first.ID) || !ack.Covers(second.ID) {
		t.Errorf("acknowledged %+v, want all through %s", *ack, newest)
	}
	inbox.WantCount(t, 0)

	// Reconnecting after the older one replays the newer, now acknowledged, then counts.
	older, newer := min(first.ID, second.ID), newest
	again := stacktest.OpenInbox(t, ac.API, user, older)
	replayed := again.Want(t, client.InboxNotification).Notification
	if replayed.ID != newer || !replayed.Acknowledged() {
		t.Errorf("replayed %+v, want %s, acknowledged", replayed, newer)
	}
	again.WantCount(t, 0)
}
