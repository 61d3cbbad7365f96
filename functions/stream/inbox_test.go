package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lease"
)

// inboxHandler returns a Handler whose inbox stream reads the template's Notifications
// table and hears changes on its JetStream server, and a Store that writes notifications
// as the writing functions do: announcing them on a connection of its own.
func inboxHandler(t *testing.T) (*Handler, *inbox.Store) {
	t.Helper()
	h, js := newHandler(t)
	table, err := env.Stack.Ref("NotificationsTable")
	if err != nil {
		t.Fatal(err)
	}
	feed := inbox.NewFeed(js.Conn())
	h.Inbox = &InboxSource{Store: &inbox.Store{DB: env.DynamoDB, Table: table, AckedRetention: inbox.DefaultAckedRetention, Feed: feed}, Feed: feed}
	nc, err := nats.Connect(js.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	writer := &inbox.Store{DB: env.DynamoDB, Table: table, AckedRetention: inbox.DefaultAckedRetention, Feed: inbox.NewFeed(nc)}
	return h, writer
}

// personal returns the claims of a personal token of a user of the test's own.
func personal(name string) auth.Claims {
	return auth.Claims{Subject: name + "-" + uuid.NewString()[:8], TokenType: auth.Personal}
}

// inboxRequest is a request for the inbox stream with bearer and, when not "", a
// Last-Event-ID.
func inboxRequest(bearer, lastID string) awsevents.LambdaFunctionURLRequest {
	req := request(http.MethodGet, InboxPath, bearer)
	if lastID != "" {
		req.Headers["last-event-id"] = lastID
	}
	return req
}

// openInbox opens the inbox stream with ctx and returns its frames, keep-alives left
// out, as they arrive; the channel closes when the stream ends.
func openInbox(t *testing.T, ctx context.Context, h *Handler, bearer, lastID string) <-chan frame {
	t.Helper()
	resp, err := h.Handle(ctx, inboxRequest(bearer, lastID))
	if err != nil {
		t.Fatal(err)
	}
	return streamFrames(t, ctx, resp, false)
}

// wantFrame fails t unless the next frame has the event and, when data is not "", that
// data.
func wantFrame(t *testing.T, frames <-chan frame, event, data string) frame {
	t.Helper()
	f := next(t, frames)
	if f.event != event || (data != "" && f.data != data) {
		t.Fatalf("frame %+v, want event %s with data %s", f, event, data)
	}
	return f
}

// wantNotification fails t unless the next frame is notification n, with its id.
func wantNotification(t *testing.T, frames <-chan frame, n *inbox.Notification) {
	t.Helper()
	f := wantFrame(t, frames, "notification", "")
	var got inbox.Notification
	if err := json.Unmarshal([]byte(f.data), &got); err != nil {
		t.Fatal(err)
	}
	if f.id != n.ID || got.ID != n.ID || got.Message != n.Message || got.UserID != n.UserID {
		t.Fatalf("notification frame id %q, %+v; want %s %q", f.id, got, n.ID, n.Message)
	}
}

// write puts a notification for u with message m through the writer.
func write(t *testing.T, w *inbox.Store, u, m string, at time.Time) *inbox.Notification {
	t.Helper()
	n := w.New(u, inbox.Content{Variant: inbox.Announcement, Message: m}, uuid.NewString(), at)
	if created, err := w.Put(t.Context(), n); err != nil || !created {
		t.Fatalf("Put = %v, %v", created, err)
	}
	return n
}

const countData = `{"unacknowledged":%d}`

// TestInboxLive: the stream starts with the count, then hears each notification written
// for its user (and not another's) and each acknowledgement, each followed by the new
// count.
func TestInboxLive(t *testing.T) {
	h, w := inboxHandler(t)
	alice, bob := personal("alice"), personal("bob")
	frames := openInbox(t, t.Context(), h, token(t, alice), "")
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 0))

	write(t, w, bob.Subject, "not alice's", time.Now())
	first := write(t, w, alice.Subject, "first", time.Now())
	wantNotification(t, frames, first)
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 1))
	second := write(t, w, alice.Subject, "second", time.Now())
	wantNotification(t, frames, second)
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 2))

	if _, _, err := w.Acknowledge(t.Context(), alice.Subject, []string{first.ID}); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, frames, "acknowledged", `{"ids":["`+first.ID+`"]}`)
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 1))
	if _, err := w.AcknowledgeUpTo(t.Context(), alice.Subject, "", 0); err != nil {
		t.Fatal(err)
	}
	wantFrame(t, frames, "acknowledged", `{"before":"`+second.ID+`","all":true}`)
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 0))
}

// TestInboxCatchUp: with a Last-Event-ID the stream first replays what is newer, oldest
// first, then counts; with more than MaxCatchUp newer it sends a reset frame instead.
func TestInboxCatchUp(t *testing.T) {
	h, w := inboxHandler(t)
	u := personal("u")
	start := time.Now().Add(-time.Minute)
	var ns []*inbox.Notification
	for i := range 3 {
		ns = append(ns, write(t, w, u.Subject, fmt.Sprint(i), start.Add(time.Duration(i)*time.Millisecond)))
	}
	frames := openInbox(t, t.Context(), h, token(t, u), ns[0].ID)
	wantNotification(t, frames, ns[1])
	wantNotification(t, frames, ns[2])
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 3))
	// Then live.
	live := write(t, w, u.Subject, "live", time.Now())
	wantNotification(t, frames, live)
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 4))

	many := make([]*inbox.Notification, MaxCatchUp+1)
	for i := range many {
		many[i] = w.New(u.Subject, inbox.Content{Variant: inbox.Event, Message: "m"}, uuid.NewString(), time.Now())
	}
	if _, err := w.PutAll(t.Context(), many); err != nil {
		t.Fatal(err)
	}
	frames = openInbox(t, t.Context(), h, token(t, u), live.ID)
	wantFrame(t, frames, "reset", "{}")
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 4+len(many)))
}

// TestInboxReconnect: the stream asks its client to reconnect when its token expires.
func TestInboxReconnect(t *testing.T) {
	h, _ := inboxHandler(t)
	u := personal("expiring")
	frames := openInbox(t, t.Context(), h, shortToken(t, u, 2*time.Second), "")
	wantFrame(t, frames, "count", fmt.Sprintf(countData, 0))
	wantFrame(t, frames, "reconnect", "{}")
	if f, ok := <-frames; ok {
		t.Fatalf("frame %+v after reconnect, want the end", f)
	}
}

// TestInboxQuota: an inbox stream takes one of the user's streams.
func TestInboxQuota(t *testing.T) {
	h, _ := inboxHandler(t)
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Leases = &lease.Store{DB: env.DynamoDB, Table: table, Name: StreamsQuota}
	h.MaxStreams = 1
	u := personal("quota")
	frames := openInbox(t, t.Context(), h, shortToken(t, u, 2*time.Second), "")
	resp, err := h.Handle(t.Context(), inboxRequest(token(t, u), ""))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("a second stream over a limit of 1: %d %s, want 429", resp.StatusCode, body)
	}
	for range frames {
		// Until the first ends with its token, freeing its room.
	}
	openInbox(t, t.Context(), h, token(t, u), "")
}

// TestInboxRefusals: the answers that are not streams.
func TestInboxRefusals(t *testing.T) {
	h, _ := inboxHandler(t)
	u := personal("u")
	scoped := auth.Claims{Subject: u.Subject, TokenType: auth.Scoped, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
	service := auth.Claims{Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RolePublisher, auth.RoleAdmin}}
	withQuery := inboxRequest(token(t, u), "")
	withQuery.QueryStringParameters = map[string]string{"user": "someone-else"}
	tests := []struct {
		name   string
		req    awsevents.LambdaFunctionURLRequest
		status int
	}{
		{"no token", inboxRequest("", ""), http.StatusUnauthorized},
		{"bad token", inboxRequest("not.a.token", ""), http.StatusUnauthorized},
		{"a scoped token", inboxRequest(token(t, scoped), ""), http.StatusForbidden},
		{"a service token", inboxRequest(token(t, service), ""), http.StatusForbidden},
		{"a Last-Event-ID that is no id", inboxRequest(token(t, u), "42"), http.StatusBadRequest},
		{"a query parameter", withQuery, http.StatusBadRequest},
		{"POST", request(http.MethodPost, InboxPath, token(t, u)), http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("%d %q %s, want %d problem+json", resp.StatusCode, resp.Headers["Content-Type"], body, tt.status)
			}
		})
	}
	// Without an inbox source the path is not served.
	h.Inbox = nil
	if resp, _ := h.Handle(t.Context(), inboxRequest(token(t, u), "")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("without an inbox source: %d, want 404", resp.StatusCode)
	}
}
