package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/ticket"
)

// withTickets gives h the ticket keys and ledger the function builds from its reply
// keys and streams table.
func withTickets(t *testing.T, h *Handler) *Handler {
	t.Helper()
	keys, err := ticket.NewKeys(h.Keys)
	if err != nil {
		t.Fatal(err)
	}
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Tickets = &ticket.Redeemer{Keys: keys, Ledger: &ticket.Ledger{DB: env.DynamoDB, Table: table}}
	return h
}

// issue returns a ticket for c, whose token expires after ttl, on consumer id's stream.
func issue(t *testing.T, h *Handler, c auth.Claims, ttl time.Duration, id string) string {
	t.Helper()
	c.Expires = time.Now().Add(ttl)
	s, _, err := h.Tickets.Keys.Issue(c, ticket.ConsumerStreamPath(id))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withTicket opens consumer id's stream with ticket s in the query, as a browser's
// EventSource does, and returns the answer's status and, for a stream, its frames as
// they arrive; the channel closes when the stream ends.
func withTicket(t *testing.T, h *Handler, id, s string) (int, string, <-chan frame) {
	t.Helper()
	req := request(http.MethodGet, "/v1/consumers/"+id+"/stream", "")
	req.RawQueryString = "ticket=" + s
	req.QueryStringParameters = map[string]string{"ticket": s}
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	resp, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), nil
	}
	return resp.StatusCode, "", readFrames(t, ctx, resp.Body, true)
}

// awaitEvent waits for the event name, skipping comments, failing on any other event or
// the end of the stream.
func awaitEvent(t *testing.T, frames <-chan frame, want string) {
	t.Helper()
	timeout := time.After(frameTimeout)
	for {
		select {
		case f, ok := <-frames:
			switch {
			case !ok:
				t.Fatalf("the stream ended before event %q", want)
			case f.event == want:
				return
			case f.event != "":
				t.Fatalf("event %q, want %q", f.event, want)
			}
		case <-timeout:
			t.Fatalf("no event %q within %v", want, frameTimeout)
		}
	}
}

// TestTicketOpensStream: a ticket opens its consumer's stream once, as its owner, and
// the stream ends when the token it was issued for would have expired.
func TestTicketOpensStream(t *testing.T) {
	h, js := newHandler(t)
	withTickets(t, h)
	c := reader("ticket")
	id := create(t, h, c, 30_000)

	s := issue(t, h, c, time.Hour, id)
	status, body, frames := withTicket(t, h, id, s)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	publish(t, js)
	awaitEvent(t, frames, "message")

	// Used once already: refused, whether or not the first stream is still open.
	status, body, _ = withTicket(t, h, id, s)
	wantUnauthorized(t, "a reused ticket", status, body, s)

	// The token behind the ticket expires in two seconds: so does the stream.
	_, _, frames = withTicket(t, h, id, issue(t, h, c, 2*time.Second, id))
	awaitEvent(t, frames, "reconnect")
}

// TestTicketRefusals: tickets that must not open a stream are 401 problem+json, and no
// answer quotes them.
func TestTicketRefusals(t *testing.T) {
	h, _ := newHandler(t)
	withTickets(t, h)
	c := reader("refused")
	a := create(t, h, c, 30_000)
	b := create(t, h, c, 30_000)
	intruder := reader("intruder")
	theirs := create(t, h, intruder, 30_000)

	good := issue(t, h, c, time.Hour, a)
	parts := strings.Split(good, ".")
	flipped := "A"
	if parts[3][0] == 'A' {
		flipped = "B"
	}
	tampered := parts[0] + "." + parts[1] + "." + parts[2] + "." + flipped + parts[3][1:]
	expiredKeys := *h.Tickets.Keys
	expiredKeys.Now = func() time.Time { return time.Now().Add(-2 * ticket.MaxTTL) }
	c.Expires = time.Now().Add(time.Hour)
	expired, _, err := expiredKeys.Issue(c, ticket.ConsumerStreamPath(a))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, ticket string
	}{
		{"consumer A's ticket on consumer B", b, issue(t, h, c, time.Hour, a)},
		{"the owner's ticket on another user's consumer", theirs, issue(t, h, c, time.Hour, a)},
		{"a tampered ticket", a, tampered},
		{"an expired ticket", a, expired},
		{"an empty ticket", a, ""},
		{"not a ticket", a, "not-a-ticket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, _ := withTicket(t, h, tt.id, tt.ticket)
			wantUnauthorized(t, tt.name, status, body, tt.ticket)
		})
	}

	// A ticket of another user's consumer, issued to them, does not open the owner's.
	status, body, _ := withTicket(t, h, a, issue(t, h, intruder, time.Hour, theirs))
	wantUnauthorized(t, "the intruder's ticket on the owner's consumer", status, body, "")

	// A ticket and a token at once: which one was meant is unclear.
	req := request(http.MethodGet, "/v1/consumers/"+a+"/stream", token(t, reader("both")))
	req.QueryStringParameters = map[string]string{"ticket": issue(t, h, c, time.Hour, a)}
	resp, err := h.Handle(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := io.ReadAll(resp.Body)
	wantUnauthorized(t, "a ticket and a token", resp.StatusCode, string(b2), "")

	// Without a Redeemer no ticket is taken.
	h.Tickets = nil
	status, body, _ = withTicket(t, h, a, good)
	wantUnauthorized(t, "a ticket where none are taken", status, body, good)
}

// wantUnauthorized fails t unless the answer is 401 problem+json that does not quote
// the ticket s.
func wantUnauthorized(t *testing.T, what string, status int, body, s string) {
	t.Helper()
	var p struct {
		Type string `json:"type"`
	}
	if status != http.StatusUnauthorized || json.Unmarshal([]byte(body), &p) != nil || p.Type != "urn:herald:problem:unauthorized" {
		t.Errorf("%s: %d %s, want 401 problem+json", what, status, body)
	}
	if s != "" && strings.Contains(body, s) {
		t.Errorf("%s: the answer quotes the ticket", what)
	}
}
