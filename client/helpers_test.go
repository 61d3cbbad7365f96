package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testToken is the bearer token every test client sends.
const testToken = "test-token"

// newTestClient starts an API emulation serving h on 127.0.0.1 and returns a client of
// it that retries quickly: up to 4 attempts, 1 ms apart at first.
func newTestClient(t *testing.T, h http.HandlerFunc, opts ...Option) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts = append([]Option{WithToken(testToken), WithRetry(4, time.Millisecond)}, opts...)
	c, err := New(srv.URL, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, srv
}

// recordSleeps makes c record its pauses between attempts instead of taking them.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var slept []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, d)
		return ctx.Err()
	}
	return &slept
}

// writeJSON answers v as JSON with status, as the functions do.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeProblem answers a problem document as the functions do.
func writeProblem(w http.ResponseWriter, status int, kind, title, detail string, fields ...FieldError) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := map[string]any{"type": "urn:herald:problem:" + kind, "title": title, "status": status, "detail": detail}
	if len(fields) > 0 {
		p["errors"] = fields
	}
	json.NewEncoder(w).Encode(p)
}

// seen is what the emulation received.
type seen struct {
	Method string
	Path   string // escaped
	Query  string
	Header http.Header
	Body   []byte
}

// recorder collects the requests a handler receives, safely across the server's
// goroutines.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

// add records r and returns how many requests came before it.
func (rec *recorder) add(r *http.Request) int {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = append(rec.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
	return len(rec.reqs) - 1
}

func (rec *recorder) all() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.reqs)
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
