package workload

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// receiver is the trigger's webhook endpoint, on loopback (which the local stack lets
// webhooks reach). It answers 200 to everything and counts the distinct events.
type receiver struct {
	url string
	srv *http.Server

	mu       sync.Mutex
	requests int
	seen     map[string]bool
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String(), seen: map[string]bool{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var ev struct {
		UUID string `json:"uuid"`
	}
	json.Unmarshal(body, &ev)
	r.mu.Lock()
	r.requests++
	if ev.UUID != "" {
		r.seen[ev.UUID] = true
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// distinct is how many distinct events arrived.
func (r *receiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// counts returns the distinct events and the requests received.
func (r *receiver) counts() (distinct, requests int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen), r.requests
}

func (r *receiver) close() { r.srv.Close() }
