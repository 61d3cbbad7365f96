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

// runCtl runs heraldctl with args and no config file, and returns its exit code and
// what it printed on stdout and stderr.
func runCtl(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), append([]string{"--config", filepath.Join(t.TempDir(), "none.json")}, args...), strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

// fakeHerald is a server standing in for Herald: it records the requests it gets and
// answers them as the test says.
type fakeHerald struct {
	URL string

	mu  sync.Mutex
	got []string
}

// newFakeHerald starts a fakeHerald that answers with answer, which gets the request's
// body already read.
func newFakeHerald(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeHerald {
	t.Helper()
	f := &fakeHerald{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.got = append(f.got, describe(r, body))
		f.mu.Unlock()
		answer(w, r, body)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// describe is how a request is recorded: its method, URI, body and Last-Event-ID,
// those it has, separated by spaces.
func describe(r *http.Request, body []byte) string {
	parts := []string{r.Method, r.URL.RequestURI()}
	for _, p := range []string{strings.TrimSpace(string(body)), r.Header.Get("Last-Event-ID")} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// take returns the requests recorded since it was last called, "; "-separated.
func (f *fakeHerald) take() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	sent := strings.Join(f.got, "; ")
	f.got = nil
	return sent
}

// last returns the last request recorded.
func (f *fakeHerald) last() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.got) == 0 {
		return ""
	}
	return f.got[len(f.got)-1]
}

// check runs heraldctl with args against f with token and checks its exit code and the
// requests it sent ("; "-separated, "" for none). It returns what it printed.
func (f *fakeHerald) check(t *testing.T, token string, args []string, code int, sent string) string {
	t.Helper()
	f.take()
	c, out, errOut := runCtl(t, append([]string{"--url", f.URL, "--token", token}, args...)...)
	if c != code {
		t.Errorf("exit %d, want %d\n%s%s", c, code, out, errOut)
	}
	if got := f.take(); got != sent {
		t.Errorf("sent %q, want %q", got, sent)
	}
	return out
}
