package stacktest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/client"
)

// InboxWait bounds the wait for an inbox event a test expects; through the whole stack
// (queues, a Lambda invocation) it comes well within it.
const InboxWait = time.Minute

// Inbox is one open inbox stream (GET /v1/me/notifications/stream), read with the Go
// client, whose events a test takes one at a time.
type Inbox struct {
	events <-chan client.InboxEvent
	stream *client.InboxStream
}

// OpenInbox opens the inbox stream of token's user at api (the checked API serves the
// stream as the local gateway does), with lastEventID ("" for none), and reads it until
// the test ends. It fails t unless the stream opens.
func OpenInbox(t testing.TB, api, token, lastEventID string) *Inbox {
	t.Helper()
	c, err := client.New(api, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := c.InboxStream(ctx, lastEventID)
	if err != nil {
		t.Fatalf("opening the inbox stream: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	events := make(chan client.InboxEvent)
	go func() {
		defer close(events)
		for s.Next() {
			select {
			case events <- s.Event():
			case <-ctx.Done():
				return
			}
		}
	}()
	return &Inbox{events: events, stream: s}
}

// Next returns the next event, failing t if none comes within InboxWait or the stream
// ends.
func (in *Inbox) Next(t testing.TB) client.InboxEvent {
	t.Helper()
	select {
	case e, ok := <-in.events:
		if !ok {
			t.Fatalf("the inbox stream ended: %v", in.stream.Err())
		}
		return e
	case <-time.After(InboxWait):
		t.Fatalf("no inbox event within %v", InboxWait)
	}
	return client.InboxEvent{}
}

// Want returns the next event, failing t unless it is of kind.
func (in *Inbox) Want(t testing.TB, kind string) client.InboxEvent {
	t.Helper()
	e := in.Next(t)
	if e.Kind != kind {
		t.Fatalf("inbox event %s, want %s", DescribeInboxEvent(e), kind)
	}
	return e
}

// WantCount fails t unless the next event is the count n.
func (in *Inbox) WantCount(t testing.TB, n int) {
	t.Helper()
	if e := in.Want(t, client.InboxCount); e.Unacknowledged != n {
		t.Fatalf("inbox count %d, want %d", e.Unacknowledged, n)
	}
}

// DescribeInboxEvent names an inbox event in a failure message.
func DescribeInboxEvent(e client.InboxEvent) string {
	switch {
	case e.Notification != nil:
		return fmt.Sprintf("%s %s %q", e.Kind, e.Notification.ID, e.Notification.Message)
	case e.Acknowledged != nil:
		return fmt.Sprintf("%s %+v", e.Kind, *e.Acknowledged)
	case e.Kind == client.InboxCount:
		return fmt.Sprintf("%s %d", e.Kind, e.Unacknowledged)
	}
	return e.Kind
}
