package stacktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// HookReceiver is a webhook endpoint on 127.0.0.1 (which the local stack allows) that
// records what it receives.
type HookReceiver struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	bodies  [][]byte
}

// NewHookReceiver starts a receiver, closed when the test ends.
func NewHookReceiver(t testing.TB) *HookReceiver {
	r := &HookReceiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.headers = append(r.headers, req.Header.Clone())
		r.bodies = append(r.bodies, body)
	}))
	t.Cleanup(r.Close)
	return r
}

// Received returns the headers and bodies of every request received so far, in order.
func (r *HookReceiver) Received() ([]http.Header, [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...), append([][]byte(nil), r.bodies...)
}

// Drain returns the bodies received since the last drain and forgets them, in one step,
// so that none arriving meanwhile is missed.
func (r *HookReceiver) Drain() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	bodies := r.bodies
	r.headers, r.bodies = nil, nil
	return bodies
}
