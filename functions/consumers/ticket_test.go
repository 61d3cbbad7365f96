package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/wire"
)

// withTickets gives h the ticket keys the function derives from its reply keys.
func withTickets(t *testing.T, h *Handler) *Handler {
	t.Helper()
	k, err := ticket.NewKeys(h.Keys)
	if err != nil {
		t.Fatal(err)
	}
	h.Tickets = k
	return h
}

// expiring returns c with a token expiry d from now, as the authorizer passes it.
func expiring(c *auth.Claims, d time.Duration) *auth.Claims {
	out := *c
	out.Expires = time.Now().Add(d).Truncate(time.Second)
	return &out
}

func TestStreamTicket(t *testing.T) {
	h, _ := newHandler(t)
	withTickets(t, h)
	sub := owner("ticket")
	claims := reader(sub)
	claims.Perms["projects/p2"] = auth.Admin // a grant the consumer does not need
	id := create(t, h, claims, p1Spec)
	route := "/v1/consumers/{id}/stream-ticket"

	var got wire.StreamTicket
	resp := do(t, h, request("POST", route, id, "", expiring(claims, time.Hour), nil), &got)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
	}
	if resp.Headers["Cache-Control"] != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", resp.Headers["Cache-Control"])
	}
	if left := time.Until(got.ExpiresAt); left <= 0 || left > ticket.MaxTTL {
		t.Errorf("expires_at %v is not within a minute", got.ExpiresAt)
	}
	tk, err := h.Tickets.Verify(got.Ticket, ticket.ConsumerStreamPath(id))
	if err != nil {
		t.Fatalf("the ticket does not open the consumer's stream: %v", err)
	}
	if tk.Claims.Subject != sub || len(tk.Claims.Perms) != 1 || tk.Claims.Perms["projects/p1"] != auth.Read {
		t.Errorf("the ticket carries %+v, want the caller with the grant on projects/p1 only", tk.Claims)
	}
	if _, err := h.Tickets.Verify(got.Ticket, ticket.ConsumerStreamPath(create(t, h, claims, p1Spec))); err == nil {
		t.Error("the ticket opens another consumer's stream")
	}

	// A token about to expire gets a ticket that lapses with it.
	do(t, h, request("POST", route, id, "{}", expiring(claims, 10*time.Second), nil), &got)
	if left := time.Until(got.ExpiresAt); left > 10*time.Second {
		t.Errorf("a ticket for a token expiring in 10s lapses in %v", left)
	}

	lacking := expiring(&auth.Claims{Subject: sub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p2": auth.Read}}, time.Hour)
	tests := []struct {
		name   string
		id     string
		body   string
		claims *auth.Claims
		query  map[string]string
		status int
		field  string
	}{
		{"another user", id, "", expiring(reader(owner("intruder")), time.Hour), nil, 404, ""},
		{"an unknown consumer", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "", expiring(claims, time.Hour), nil, 404, ""},
		{"the owner without READ", id, "", lacking, nil, 403, ""},
		{"a token whose expiry is unknown", id, "", claims, nil, 401, ""},
		{"a member in the body", id, `{"ttl":600}`, expiring(claims, time.Hour), nil, 400, "ttl"},
		{"an array body", id, `[]`, expiring(claims, time.Hour), nil, 400, ""},
		{"a query parameter", id, "", expiring(claims, time.Hour), map[string]string{"ttl": "600"}, 400, "ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, do(t, h, request("POST", route, tt.id, tt.body, tt.claims, tt.query), nil), tt.status, tt.field)
		})
	}
}
