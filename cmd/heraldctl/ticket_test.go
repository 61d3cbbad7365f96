package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestTicketCommands checks what the ticket commands send, what they print (the ticket
// alone with -q), and their exit codes, against a server that answers as Herald does.
func TestTicketCommands(t *testing.T) {
	const ticket = "t1.k1.eyJqdGkiOiJ4In0.q83v-_"
	srv := newFakeHerald(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		switch {
		case strings.Contains(r.URL.Path, "/GONE/"):
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(404)
			w.Write([]byte(`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"no such consumer"}`))
		case r.Header.Get("Authorization") != "Bearer personal":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(403)
			w.Write([]byte(`{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"personal notifications need a personal token"}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			w.Write([]byte(`{"ticket":"` + ticket + `","expires_at":"2026-03-01T10:01:00Z"}`))
		}
	})

	tests := []struct {
		name  string
		token string
		args  []string
		sent  string // the request, "" for none
		code  int
		out   string // printed: the whole of it when quiet, else in part
		quiet bool
	}{
		{"a consumer's ticket", "personal", []string{"consumers", "ticket", "C1"}, "POST /v1/consumers/C1/stream-ticket", 0, "2026-03-01T10:01:00Z", false},
		{"a consumer's ticket, quiet", "personal", []string{"-q", "consumers", "ticket", "C1"}, "POST /v1/consumers/C1/stream-ticket", 0, ticket + "\n", true},
		{"a consumer's ticket as JSON", "personal", []string{"--output", "json", "consumers", "ticket", "C1"}, "POST /v1/consumers/C1/stream-ticket", 0, `"expires_at": "2026-03-01T10:01:00Z"`, false},
		{"a consumer that is not the caller's", "personal", []string{"consumers", "ticket", "GONE"}, "POST /v1/consumers/GONE/stream-ticket", exitNotFound, "", false},
		{"a consumer's ticket without the id", "personal", []string{"consumers", "ticket"}, "", exitUsage, "", false},
		{"the inbox's ticket", "personal", []string{"notifications", "ticket"}, "POST /v1/me/notifications/stream-ticket", 0, ticket, false},
		{"the inbox's ticket, quiet", "personal", []string{"-q", "notifications", "ticket"}, "POST /v1/me/notifications/stream-ticket", 0, ticket + "\n", true},
		{"the inbox's ticket with a scoped token", "scoped", []string{"notifications", "ticket"}, "POST /v1/me/notifications/stream-ticket", exitForbidden, "", false},
		{"the inbox's ticket with an argument", "personal", []string{"notifications", "ticket", "u2"}, "", exitUsage, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := srv.check(t, tt.token, tt.args, tt.code, tt.sent)
			if tt.quiet && out != tt.out || !tt.quiet && !strings.Contains(out, tt.out) {
				t.Errorf("printed %q, want %q", out, tt.out)
			}
		})
	}
}
