package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestInboxCommands checks what the notifications commands (and their alias inbox)
// send, what they print, and their exit codes, against a server that answers as Herald
// does.
func TestInboxCommands(t *testing.T) {
	const note = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHM","user_id":"u1","variant":"ANNOUNCEMENT","message":"hello",` +
		`"refs":[],"event_uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","created_at":"2026-01-02T03:04:05Z","acknowledged_at":null}`
	srv := newFakeHerald(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		answer := func(body string) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(body))
		}
		switch {
		case r.URL.Path == "/v1/me/notifications/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(200)
			io.WriteString(w, "event: count\ndata: {\"unacknowledged\":1}\n\nid: 01JD3N4V5W6X7Y8Z9ABCDEFGHM\nevent: notification\ndata: "+note+"\n\n"+
				"event: acknowledged\ndata: {\"before\":\"01JD3N4V5W6X7Y8Z9ABCDEFGHM\",\"all\":true}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case r.URL.Path == "/v1/me/notifications/count":
			answer(`{"unacknowledged":4}`)
		case r.URL.Path == "/v1/me/notifications":
			answer(`{"items":[` + note + `],"next_cursor":""}`)
		case strings.Contains(string(body), `"ids"`):
			answer(`{"acknowledged":["01JD3N4V5W6X7Y8Z9ABCDEFGHM"],"not_found":[]}`)
		default:
			answer(`{"count":3,"more":false}`)
		}
	})

	tests := []struct {
		name string
		args []string
		sent string // the requests, "; "-separated; "" for none
		code int
		out  string // printed, in part
	}{
		{"list filtered", []string{"notifications", "list", "--variant", "ANNOUNCEMENT", "--ref", "RESOURCE:projects/p1"},
			"GET /v1/me/notifications?ref=RESOURCE%3Aprojects%2Fp1&state=unacknowledged&variant=ANNOUNCEMENT", 0, "hello"},
		{"count filtered", []string{"inbox", "count", "--ref", "USER:u2"}, "GET /v1/me/notifications/count?ref=USER%3Au2", 0, "4"},
		{"ack ids", []string{"notifications", "ack", "01JD3N4V5W6X7Y8Z9ABCDEFGHM"},
			`POST /v1/me/notifications/acknowledge {"ids":["01JD3N4V5W6X7Y8Z9ABCDEFGHM"]}`, 0, "01JD3N4V5W6X7Y8Z9ABCDEFGHM"},
		{"ack all", []string{"inbox", "ack", "--all"}, `POST /v1/me/notifications/acknowledge {"all":true}`, 0, "3"},
		{"ack before", []string{"inbox", "ack", "--before", "01JD3N4V5W6X7Y8Z9ABCDEFGHM"},
			`POST /v1/me/notifications/acknowledge {"before":"01JD3N4V5W6X7Y8Z9ABCDEFGHM"}`, 0, "3"},
		{"ack nothing", []string{"inbox", "ack"}, "", exitUsage, ""},
		{"ack ids and all", []string{"inbox", "ack", "--all", "01JD3N4V5W6X7Y8Z9ABCDEFGHM"}, "", exitUsage, ""},
		{"a ref without a type", []string{"inbox", "count", "--ref", "projects/p1"}, "", exitUsage, ""},
		{"an unknown subcommand", []string{"inbox", "clear"}, "", exitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := srv.check(t, "t", tt.args, tt.code, tt.sent)
			if !strings.Contains(out, tt.out) {
				t.Errorf("printed %q, want it to hold %q", out, tt.out)
			}
		})
	}

	// watch prints each event as it comes, one JSON object per line with --output json,
	// sending the id it is given, until interrupted.
	for _, output := range []string{"table", "json"} {
		t.Run("watch "+output, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan int)
			go func() {
				args := []string{"--config", filepath.Join(t.TempDir(), "none.json"), "--url", srv.URL, "--token", "t", "--output", output,
					"inbox", "watch", "--last-event-id", "01JD3N4V5W6X7Y8Z9ABCDEFGH0"}
				code := run(ctx, args, strings.NewReader(""), pw, io.Discard)
				pw.Close()
				done <- code
			}()
			want := map[string][]string{
				"table": {"unacknowledged\t1", "notification\t01JD3N4V5W6X7Y8Z9ABCDEFGHM\tANNOUNCEMENT\thello", "acknowledged\tup to 01JD3N4V5W6X7Y8Z9ABCDEFGHM"},
				"json": {`{"event":"count","unacknowledged":1}`, `{"event":"notification","notification":` + note + `}`,
					`{"acknowledged":{"before":"01JD3N4V5W6X7Y8Z9ABCDEFGHM","all":true},"event":"acknowledged"}`},
			}[output]
			lines := make([]byte, 0, 1024)
			buf := make([]byte, 1024)
			for strings.Count(string(lines), "\n") < len(want) {
				n, err := pr.Read(buf)
				if err != nil {
					t.Fatalf("watch ended after %q: %v", lines, err)
				}
				lines = append(lines, buf[:n]...)
			}
			if got := strings.Split(strings.TrimSuffix(string(lines), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			cancel()
			go io.Copy(io.Discard, pr)
			if code := <-done; code != exitOK {
				t.Errorf("exit %d after an interrupt, want %d", code, exitOK)
			}
			if last := srv.last(); last != "GET /v1/me/notifications/stream 01JD3N4V5W6X7Y8Z9ABCDEFGH0" {
				t.Errorf("sent %q", last)
			}
		})
	}
}
