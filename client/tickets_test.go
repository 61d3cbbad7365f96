package client

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/heraldhq/herald/wire"
)

// TestStreamTickets checks what the ticket methods send, how they decode the answer,
// that a failed attempt is retried (asking has no effect), and the URLs a browser is
// given.
func TestStreamTickets(t *testing.T) {
	const answer = `{"ticket":"t1.k1.eyJqdGkiOiJ4In0.q83v-_","expires_at":"2026-03-01T10:01:00Z"}`
	tests := []struct {
		name string
		call func(context.Context, *Client) (any, error)
		path string
	}{
		{"a consumer's", func(ctx context.Context, c *Client) (any, error) {
			return c.StreamTicket(ctx, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ")
		}, "/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHJ/stream-ticket"},
		{"a consumer's, the id escaped", func(ctx context.Context, c *Client) (any, error) { return c.StreamTicket(ctx, "a/b c") }, "/v1/consumers/a%2Fb%20c/stream-ticket"},
		{"the inbox's", func(ctx context.Context, c *Client) (any, error) { return c.InboxStreamTicket(ctx) }, "/v1/me/notifications/stream-ticket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if rec.add(r) == 0 {
					writeProblem(w, 503, "service-unavailable", "service unavailable", "try again")
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(201)
				w.Write([]byte(answer))
			})
			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2 (one retry)", len(reqs))
			}
			for _, r := range reqs {
				if r.Method != "POST" || r.Path != tt.path || r.Query != "" || len(r.Body) != 0 {
					t.Errorf("sent %s %s?%s %q, want POST %s without a body", r.Method, r.Path, r.Query, r.Body, tt.path)
				}
				if r.Header.Get("Authorization") != "Bearer "+testToken {
					t.Errorf("Authorization %q", r.Header.Get("Authorization"))
				}
			}
			tk := got.(*wire.StreamTicket)
			if tk.Ticket != "t1.k1.eyJqdGkiOiJ4In0.q83v-_" || !tk.ExpiresAt.Equal(time.Date(2026, 3, 1, 10, 1, 0, 0, time.UTC)) {
				t.Errorf("ticket %+v", tk)
			}
		})
	}

	c, err := New("https://api.example.com", WithStreamURL("https://abc.lambda-url.eu-west-1.on.aws/"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.StreamTicketURL("01JD3N4V5W6X7Y8Z9ABCDEFGHJ", "t1.k1.a+b/c.d")
	if err != nil {
		t.Fatal(err)
	}
	if want := "https://abc.lambda-url.eu-west-1.on.aws/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHJ/stream?ticket=" + url.QueryEscape("t1.k1.a+b/c.d"); u != want {
		t.Errorf("StreamTicketURL = %q, want %q", u, want)
	}
	if u, want := c.InboxStreamTicketURL("t1.k1.x.y"), "https://abc.lambda-url.eu-west-1.on.aws/v1/me/notifications/stream?ticket=t1.k1.x.y"; u != want {
		t.Errorf("InboxStreamTicketURL = %q, want %q", u, want)
	}
	if _, err := c.StreamTicketURL("", "t"); err == nil {
		t.Error("StreamTicketURL with no id succeeded")
	}
}
