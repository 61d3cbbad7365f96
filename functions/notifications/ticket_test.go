package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/wire"
)

func TestStreamTicket(t *testing.T) {
	h := newHandler(t)
	ring, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: []byte(strings.Repeat("a", 32))})
	if err != nil {
		t.Fatal(err)
	}
	if h.Tickets, err = ticket.NewKeys(ring); err != nil {
		t.Fatal(err)
	}
	expiring := func(c *auth.Claims, d time.Duration) *auth.Claims {
		out := *c
		out.Expires = time.Now().Add(d).Truncate(time.Second)
		return &out
	}
	const route = "/v1/me/notifications/stream-ticket"
	me := person("inbox")
	me.Perms = map[string]auth.Level{"projects/p1": auth.Read}

	var got wire.StreamTicket
	resp := do(t, h, apigwtest.Request("POST", route, "", "", expiring(me, time.Hour), nil), &got)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if left := time.Until(got.ExpiresAt); left <= 0 || left > ticket.MaxTTL {
		t.Errorf("expires_at %v is not within a minute", got.ExpiresAt)
	}
	tk, err := h.Tickets.Verify(got.Ticket, ticket.InboxStreamPath)
	if err != nil {
		t.Fatalf("the ticket does not open the inbox stream: %v", err)
	}
	if tk.Claims.Subject != me.Subject || tk.Claims.TokenType != auth.Personal || tk.Claims.Perms != nil {
		t.Errorf("the ticket carries %+v, want the caller without grants", tk.Claims)
	}
	if _, err := h.Tickets.Verify(got.Ticket, ticket.ConsumerStreamPath("01JD3N4V5W6X7Y8Z9ABCDEFGHJ")); err == nil {
		t.Error("an inbox ticket opens a consumer's stream")
	}

	scoped := expiring(me, time.Hour)
	scoped.TokenType = auth.Scoped
	tests := []struct {
		name   string
		body   string
		claims *auth.Claims
		query  map[string]string
		status int
		field  string
	}{
		{"a scoped token", "", scoped, nil, 403, ""},
		{"a service token", "", expiring(publisher, time.Hour), nil, 403, ""},
		{"a token whose expiry is unknown", "", me, nil, 401, ""},
		{"a member in the body", `{"path":"x"}`, expiring(me, time.Hour), nil, 400, "path"},
		{"a query parameter", "", expiring(me, time.Hour), map[string]string{"user": "u2"}, 400, "user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apigwtest.WantProblem(t, do(t, h, apigwtest.Request("POST", route, "", tt.body, tt.claims, tt.query), nil), tt.status, tt.field)
		})
	}
}
