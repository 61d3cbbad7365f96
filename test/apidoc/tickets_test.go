package apidoc_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
	"github.com/heraldhq/herald/test/apidoc"
	"github.com/heraldhq/herald/wire"
)

// ticketExamples are the stream-ticket routes' answers, a genuine ticket among them,
// and the stream's refusal of a ticket.
func ticketExamples(t *testing.T) []example {
	t.Helper()
	ring, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: []byte(strings.Repeat("a", 32))})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ticket.NewKeys(ring)
	if err != nil {
		t.Fatal(err)
	}
	c := auth.Claims{Subject: "u1", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}, Expires: time.Now().Add(time.Hour)}
	var exs []example
	for _, target := range []string{"/v1/consumers/" + consumerID + "/stream-ticket", "/v1/me/notifications/stream-ticket"} {
		path := ticket.ConsumerStreamPath(consumerID)
		if strings.HasPrefix(target, "/v1/me/") {
			path = ticket.InboxStreamPath
		}
		s, tk, err := keys.Issue(c, path)
		if err != nil {
			t.Fatal(err)
		}
		r := apigw.JSON(http.StatusCreated, wire.StreamTicket{Ticket: s, ExpiresAt: tk.Expires})
		exs = append(exs, example{"a ticket of " + target + " (encoded)", "POST", target, r.StatusCode, r.Headers["Content-Type"], r.Body})
		r = apigw.Error(context.Background(), fault.Field("ttl", "unknown field"))
		exs = append(exs, example{"a body with a member to " + target + " (encoded)", "POST", target, r.StatusCode, r.Headers["Content-Type"], r.Body})
	}
	r := apigw.Error(context.Background(), fault.New(fault.Forbidden, "personal notifications need a personal token"))
	exs = append(exs, example{"an inbox ticket for a scoped token (encoded)", "POST", "/v1/me/notifications/stream-ticket", r.StatusCode, r.Headers["Content-Type"], r.Body})
	r = apigw.Error(context.Background(), fault.New(fault.Unauthorized, "the ticket has been used already; ask for a new one"))
	exs = append(exs, example{"the stream refusing a spent ticket (encoded)", "GET", "/v1/consumers/" + consumerID + "/stream?ticket=t1.k1.x.y", r.StatusCode, r.Headers["Content-Type"], r.Body})
	return append(exs,
		example{"a stream ticket, another user's consumer", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", 404, problemJSON,
			`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"no such consumer"}`},
		example{"a stream ticket without a token", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", 401, plainJSON, `{"message":"Unauthorized"}`},
	)
}

// TestTicketExchanges checks the stream-ticket routes' requests and answers against
// openapi.yaml: bodies of none or {}, a stream opened with a ticket and no token, and
// wrong answers refused.
func TestTicketExchanges(t *testing.T) {
	requests := []struct {
		name, method, target, body string
		token, valid               bool
	}{
		{"a stream ticket", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", "", true, true},
		{"a stream ticket with {}", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", "{}", true, true},
		{"a stream ticket with a member", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", `{"ttl":600}`, true, false},
		{"a stream ticket without a token", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", "", false, false},
		{"an inbox stream ticket", "POST", "/v1/me/notifications/stream-ticket", "", true, true},
		{"an inbox stream ticket without a token", "POST", "/v1/me/notifications/stream-ticket", "", false, false},
		{"a stream with a ticket, no token", "GET", "/v1/consumers/" + consumerID + "/stream?ticket=t1.k1.eyJ9.q83v", "", false, true},
		{"a stream with a token", "GET", "/v1/consumers/" + consumerID + "/stream", "", true, true},
		{"a stream with an empty ticket", "GET", "/v1/consumers/" + consumerID + "/stream?ticket=", "", false, false},
	}
	for _, tt := range requests {
		t.Run("request/"+tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "https://api.example.com"+tt.target, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", plainJSON)
			} else {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			if tt.token {
				req.Header.Set("Authorization", "Bearer x.y.z")
			}
			err = apidoc.CheckRequest(req)
			if tt.valid && err != nil {
				t.Errorf("a good request is refused:\n%v", err)
			}
			if !tt.valid && err == nil {
				t.Errorf("a wrong request passes the check")
			}
		})
	}
	wrong := []example{
		{"a ticket without expires_at", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", 201, plainJSON, `{"ticket":"t1.k1.x.y"}`},
		{"a ticket with more", "POST", "/v1/me/notifications/stream-ticket", 201, plainJSON, `{"ticket":"t1.k1.x.y","expires_at":"2026-03-01T10:01:00Z","claims":{}}`},
		{"an empty ticket", "POST", "/v1/me/notifications/stream-ticket", 201, plainJSON, `{"ticket":"","expires_at":"2026-03-01T10:01:00Z"}`},
		{"a ticket as 200", "POST", "/v1/consumers/" + consumerID + "/stream-ticket", 200, plainJSON, `{"ticket":"t1.k1.x.y","expires_at":"2026-03-01T10:01:00Z"}`},
	}
	for _, ex := range wrong {
		t.Run("invalid/"+ex.name, func(t *testing.T) {
			req, resp := exchange(t, ex)
			if err := apidoc.CheckResponse(req, resp); err == nil {
				t.Errorf("a wrong response passes the check: %d %s", ex.status, ex.body)
			}
		})
	}
}
