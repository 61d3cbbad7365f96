package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestConsumerSettingsCommands checks what consumers update, pause and resume send,
// what they print, and their exit codes, against a server that answers as Herald does.
func TestConsumerSettingsCommands(t *testing.T) {
	const viewJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHJ","owner":"u1","target":{"all":true},"deliver_policy":"all",` +
		`"ack_wait_ms":2000,"max_deliver":-1,"idle_expiry":"168h","back_off":["1s","3s"],"filter_subjects":["herald.events.*.*.>"],` +
		`"created_at":"2026-01-02T03:04:05Z","last_used_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-09T03:04:05Z",` +
		`"num_pending":4,"num_ack_pending":1,"paused":true,"paused_until":"2026-11-23T08:00:00Z"}`
	srv := newFakeHerald(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(viewJSON))
	})

	tests := []struct {
		name string
		args []string
		sent string // the request and its body, "" for none
		code int
		out  string // printed, in part
	}{
		{"update", []string{"consumers", "update", "C1", `{"ack_wait_ms":2000,"back_off":["1s","3s"],"filter":null}`},
			`PUT /v1/consumers/C1 {"ack_wait_ms":2000,"back_off":["1s","3s"],"filter":null}`, 0, "until 2026-11-23T08:00:00Z"},
		{"update a fixed setting", []string{"consumers", "update", "C1", `{"deliver_policy":"new"}`}, "", exitUsage, ""},
		{"update without changes", []string{"consumers", "update", "C1"}, "", exitUsage, ""},
		{"pause until", []string{"consumers", "pause", "C1", "--until", "2026-11-23T08:00:00Z"},
			`POST /v1/consumers/C1/pause {"until":"2026-11-23T08:00:00Z"}`, 0, "PAUSED"},
		{"pause for good", []string{"consumers", "pause", "C1"}, `POST /v1/consumers/C1/pause`, 0, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"},
		{"pause until not a time", []string{"consumers", "pause", "C1", "--until", "tomorrow"}, "", exitUsage, ""},
		{"resume", []string{"consumers", "resume", "C1"}, `POST /v1/consumers/C1/resume`, 0, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"},
		{"resume without an id", []string{"consumers", "resume"}, "", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := srv.check(t, "user-token", tt.args, tt.code, tt.sent)
			if !strings.Contains(out, tt.out) {
				t.Errorf("printed %q, want it to hold %q", out, tt.out)
			}
		})
	}
}
