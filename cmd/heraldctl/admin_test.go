package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminCommands checks what the admin commands send, what they print, and their
// exit codes, against a server that answers as Herald does.
func TestAdminCommands(t *testing.T) {
	const triggerJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHK","owner":"u1","name":"hook","resource":{"path":"projects/p1"},` +
		`"events":["job.*"],"action":{"type":"nats","subject":"s"},"mode":"async","enabled":false,` +
		`"disabled_reason":"disabled by an administrator","exhausted_in_row":0,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}`
	const consumerJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHJ","owner":"u1","target":{"all":true},"deliver_policy":"all",` +
		`"ack_wait_ms":30000,"max_deliver":-1,"idle_expiry":"168h","filter_subjects":["herald.events.*.*.>"],` +
		`"created_at":"2026-01-02T03:04:05Z","last_used_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-09T03:04:05Z",` +
		`"disabled_reason":"disabled by an administrator"}`
	srv := newFakeHerald(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		answer := func(status int, body string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(body))
		}
		switch {
		case r.Header.Get("Authorization") != "Bearer admin-token":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(403)
			w.Write([]byte(`{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"this route is for administrators"}`))
		case r.Method == "DELETE":
			w.WriteHeader(204)
		case r.URL.Path == "/v1/admin/triggers":
			answer(200, `{"items":[`+triggerJSON+`],"next_cursor":""}`)
		case r.URL.Path == "/v1/admin/consumers":
			answer(200, `{"items":[`+consumerJSON+`],"next_cursor":""}`)
		case strings.HasPrefix(r.URL.Path, "/v1/admin/triggers/"):
			answer(200, triggerJSON)
		default:
			answer(200, consumerJSON)
		}
	})

	tests := []struct {
		name  string
		token string
		args  []string
		sent  string // the request, "" for none
		code  int
		out   string // printed, in part
	}{
		{"list triggers", "admin-token", []string{"admin", "triggers", "list", "--owner", "u 1"}, "GET /v1/admin/triggers?owner=u+1", 0, "01JD3N4V5W6X7Y8Z9ABCDEFGHK"},
		{"disable a trigger", "admin-token", []string{"admin", "triggers", "disable", "T1"}, "POST /v1/admin/triggers/T1/disable", 0, "false"},
		{"delete a trigger", "admin-token", []string{"admin", "triggers", "delete", "T1"}, "DELETE /v1/admin/triggers/T1", 0, ""},
		{"list consumers", "admin-token", []string{"admin", "consumers", "list", "--owner", "u1"}, "GET /v1/admin/consumers?owner=u1", 0, "disabled by an administrator"},
		{"disable a consumer", "admin-token", []string{"admin", "consumers", "disable", "C1"}, "POST /v1/admin/consumers/C1/disable", 0, "disabled by an administrator"},
		{"delete a consumer", "admin-token", []string{"admin", "consumers", "delete", "C1"}, "DELETE /v1/admin/consumers/C1", 0, ""},
		{"not an administrator", "user-token", []string{"admin", "triggers", "delete", "T1"}, "DELETE /v1/admin/triggers/T1", exitForbidden, ""},
		{"list without --owner", "admin-token", []string{"admin", "triggers", "list"}, "", exitUsage, ""},
		{"disable without an id", "admin-token", []string{"admin", "consumers", "disable"}, "", exitUsage, ""},
		{"an unknown kind", "admin-token", []string{"admin", "streams", "delete", "S1"}, "", exitUsage, ""},
		{"an unknown action", "admin-token", []string{"admin", "triggers", "enable", "T1"}, "", exitUsage, ""},
		{"nothing more", "admin-token", []string{"admin"}, "", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := srv.check(t, tt.token, tt.args, tt.code, tt.sent)
			if !strings.Contains(out, tt.out) {
				t.Errorf("printed %q, want it to hold %q", out, tt.out)
			}
		})
	}
}
