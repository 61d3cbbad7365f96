package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestConsumerSettingsCommands checks what consumers update, pause and resume send,
// what they print, and their exit codes, against a server that answers as Herald does.
func TestConsumerSettingsCommands(t *testing.T) {
	const viewJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHJ","owner":"u1","target":{"all":true},"deliver_policy":"all",` +
		`"ack_wait_ms":2000,"max_deliver":-1,"idle_expiry":"168h","back_off":["1s","3s"],"filter_subjects":["herald.events.*.*.>"],` +
		`"created_at":"2026-01-02T03:04:05Z","last_used_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-09T03:04:05Z",` +
		`"num_pending":4,"num_ack_pending":1,"paused":true,"paused_until":"2026-11-23T08:00:00Z"}`
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+string(body)))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(viewJSON))
	}))
	t.Cleanup(srv.Close)

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
			mu.Lock()
			got = nil
			mu.Unlock()
			var out, errOut bytes.Buffer
			args := append([]string{"--config", filepath.Join(t.TempDir(), "none.json"), "--url", srv.URL, "--token", "user-token"}, tt.args...)
			code := run(context.Background(), args, strings.NewReader(""), &out, &errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out.String(), errOut.String())
			}
			mu.Lock()
			sent := strings.Join(got, "; ")
			mu.Unlock()
			if sent != tt.sent {
				t.Errorf("sent %q, want %q", sent, tt.sent)
			}
			if !strings.Contains(out.String(), tt.out) {
				t.Errorf("printed %q, want it to hold %q", out.String(), tt.out)
			}
		})
	}
}
