package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/heraldhq/herald/wire"
)

// TestNotificationFilters: the filters travel as variant= and ref=<type>:<value>.
func TestNotificationFilters(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		if r.URL.Path == "/v1/me/notifications/count" {
			writeJSON(w, 200, map[string]int{"unacknowledged": 2})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[` + notificationJSON + `],"next_cursor":""}`))
	})
	ctx := context.Background()
	f := NotificationFilter{Variant: wire.VariantPermissionGranted, Ref: &wire.Ref{Type: wire.RefResource, Value: "projects/p1"}}
	p, err := c.ListNotificationsWhere(ctx, wire.StateAll, f, ListOptions{Limit: 5})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("ListNotificationsWhere = %+v, %v", p, err)
	}
	if n, err := c.CountNotificationsWhere(ctx, NotificationFilter{Variant: wire.VariantAnnouncement}); err != nil || n != 2 {
		t.Fatalf("CountNotificationsWhere = %d, %v", n, err)
	}
	var listed []string
	for n, err := range c.AllNotificationsWhere(ctx, "", NotificationFilter{Ref: &wire.Ref{Type: wire.RefUser, Value: "u:1"}}, ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, n.ID)
	}
	if len(listed) != 1 {
		t.Errorf("AllNotificationsWhere listed %v", listed)
	}
	got := rec.all()
	want := []string{
		"limit=5&ref=RESOURCE%3Aprojects%2Fp1&state=all&variant=PERMISSION_GRANTED",
		"variant=ANNOUNCEMENT",
		"ref=USER%3Au%3A1",
	}
	for i, w := range want {
		if got[i].Query != w {
			t.Errorf("request %d query %q, want %q", i, got[i].Query, w)
		}
	}
}

// TestAcknowledgeBulk: acknowledging all, or up to an id, sends requests until the
// server says none remain, and adds up the counts.
func TestAcknowledgeBulk(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := rec.add(r)
		writeJSON(w, 200, map[string]any{"count": []int{1000, 1000, 7}[n%3], "more": n%3 < 2})
	})
	ctx := context.Background()
	if n, err := c.AcknowledgeAllNotifications(ctx); err != nil || n != 2007 {
		t.Fatalf("AcknowledgeAllNotifications = %d, %v; want 2007", n, err)
	}
	if n, err := c.AcknowledgeNotificationsBefore(ctx, "01JD3N4V5W6X7Y8Z9ABCDEFGHM"); err != nil || n != 2007 {
		t.Fatalf("AcknowledgeNotificationsBefore = %d, %v; want 2007", n, err)
	}
	if _, err := c.AcknowledgeNotificationsBefore(ctx, ""); err == nil {
		t.Error("an empty id was sent")
	}
	var bodies []string
	for _, s := range rec.all() {
		if s.Method != "POST" || s.Path != "/v1/me/notifications/acknowledge" {
			t.Errorf("request %s %s", s.Method, s.Path)
		}
		bodies = append(bodies, string(s.Body))
	}
	all, before := `{"all":true}`, `{"before":"01JD3N4V5W6X7Y8Z9ABCDEFGHM"}`
	if want := []string{all, all, all, before, before, before}; !slices.Equal(bodies, want) {
		t.Errorf("bodies %q, want %q", bodies, want)
	}
}

// inboxFrames is an inbox stream as the Stream function writes it.
const inboxFrames = "event: count\ndata: {\"unacknowledged\":0}\n\n" + keepAlive +
	"id: 01JD3N4V5W6X7Y8Z9ABCDEFGHM\nevent: notification\ndata: " + `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHM","user_id":"u1","variant":"ANNOUNCEMENT","message":"hello","refs":[],"event_uuid":"` + testUUID + `","created_at":"2026-01-02T03:04:05Z","acknowledged_at":null}` + "\n\n" +
	"event: count\ndata: {\"unacknowledged\":1}\n\n" +
	"event: party\ndata: {}\n\n" +
	"event: acknowledged\ndata: {\"before\":\"01JD3N4V5W6X7Y8Z9ABCDEFGHM\",\"all\":true}\n\n" +
	"event: count\ndata: {\"unacknowledged\":0}\n\n" +
	"event: reset\ndata: {}\n\n" + reconnect

// TestInboxStream reads every kind of frame, skips what it does not know, sends the
// Last-Event-ID it was given, and keeps the id of the last notification.
func TestInboxStream(t *testing.T) {
	var rec recorder
	_, streamSrv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		sse(w)(inboxFrames)
	})
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the API got %s %s; streams have their own URL", r.Method, r.URL)
	}, WithStreamURL(streamSrv.URL))
	s, err := c.InboxStream(context.Background(), "01JD3N4V5W6X7Y8Z9ABCDEFGH0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	for s.Next() {
		e := s.Event()
		switch e.Kind {
		case InboxCount:
			got = append(got, "count "+string(rune('0'+e.Unacknowledged)))
		case InboxNotification:
			got = append(got, "notification "+e.Notification.Message)
		case InboxAcknowledged:
			if !e.Acknowledged.All || !e.Acknowledged.Covers("01JD3N4V5W6X7Y8Z9ABCDEFGHM") || e.Acknowledged.Covers("01JD3N4V5W6X7Y8Z9ABCDEFGHN") {
				t.Errorf("acknowledgement %+v", e.Acknowledged)
			}
			got = append(got, "acknowledged")
		default:
			got = append(got, e.Kind)
		}
	}
	want := []string{"count 0", "notification hello", "count 1", "acknowledged", "count 0", "reset"}
	if !slices.Equal(got, want) || !errors.Is(s.Err(), ErrReconnect) {
		t.Errorf("events %q, error %v; want %q and ErrReconnect", got, s.Err(), want)
	}
	if s.LastEventID() != "01JD3N4V5W6X7Y8Z9ABCDEFGHM" {
		t.Errorf("last event id %q", s.LastEventID())
	}
	r := rec.all()[0]
	if r.Path != "/v1/me/notifications/stream" || r.Header.Get("Last-Event-ID") != "01JD3N4V5W6X7Y8Z9ABCDEFGH0" || r.Header.Get("Accept") != "text/event-stream" {
		t.Errorf("request %s, headers %v", r.Path, r.Header)
	}
}

// TestInboxStreamMalformed: a frame whose data is not what its kind says ends the
// stream with an error that reconnecting does not cure.
func TestInboxStreamMalformed(t *testing.T) {
	for _, in := range []string{
		"event: count\ndata: {}\n\n",
		"event: count\ndata: \"1\"\n\n",
		"event: notification\ndata: null\n\n",
		"event: acknowledged\ndata: [\n\n",
	} {
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { sse(w)(in) })
		s, err := c.InboxStream(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		if s.Next() || s.Err() == nil || reconnectable(s.Err()) {
			t.Errorf("%q: event %+v, error %v; want an error that reconnecting does not cure", in, s.Event(), s.Err())
		}
		s.Close()
	}
}

// TestWatchInbox reconnects with the id of the last notification received, at once
// after a reconnect frame and after a pause when the stream broke off, and stops at the
// handler's error; a refused token ends it.
func TestWatchInbox(t *testing.T) {
	note := func(id string) string {
		b, _ := json.Marshal(map[string]any{"id": id, "user_id": "u1", "variant": "ANNOUNCEMENT", "message": id, "refs": []any{}, "event_uuid": testUUID, "created_at": "2026-01-02T03:04:05Z", "acknowledged_at": nil})
		return "id: " + id + "\nevent: notification\ndata: " + string(b) + "\n\n"
	}
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch rec.add(r) {
		case 0:
			sse(w)(note("A1") + reconnect)
		case 1:
			sse(w)(note("A2")) // and ends without asking to reconnect
		default:
			sse(w)(note("A3"))
			<-r.Context().Done()
		}
	})
	slept := recordSleeps(c)
	errStop := errors.New("stop")
	var got []string
	err := c.WatchInbox(context.Background(), "A0", func(e InboxEvent) error {
		got = append(got, e.Notification.ID)
		if e.Notification.ID == "A3" {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) || !slices.Equal(got, []string{"A1", "A2", "A3"}) {
		t.Errorf("WatchInbox = %v, handled %v", err, got)
	}
	var ids []string
	for _, s := range rec.all() {
		ids = append(ids, s.Header.Get("Last-Event-ID"))
	}
	if !slices.Equal(ids, []string{"A0", "A1", "A2"}) {
		t.Errorf("Last-Event-IDs sent %q, want A0, A1, A2", ids)
	}
	if len(*slept) != 1 {
		t.Errorf("pauses %v, want one, after the stream broke off", *slept)
	}

	refused, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, 403, "forbidden", "forbidden", "personal notifications need a personal token")
	})
	if err := refused.WatchInbox(context.Background(), "", func(InboxEvent) error { return nil }); !IsForbidden(err) {
		t.Errorf("WatchInbox with a refused token = %v, want 403", err)
	}
}
