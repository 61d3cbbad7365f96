package stacktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request to the API.
type Call struct {
	Method, Path string
	Token        string // a bearer token; "" sends no Authorization header
	Authz        string // a raw Authorization header, instead of Token
	Body         string
	Raw          []byte // the body as bytes (invalid UTF-8, say), instead of Body
	ContentType  string // "" means application/json when there is a body; "-" sends none
	Header       map[string]string
}

// Answer is what the API answered.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a Answer) String() string {
	return fmt.Sprintf("%d %s %s", a.Status, a.Header.Get("Content-Type"), Truncate(string(a.Body), 600))
}

// Truncate returns s cut to n bytes, marked as cut when it was longer.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// APIClient sends calls through the proxy that checks every answer against openapi.yaml,
// and keeps every answer and every token sent, so that a test can search them all.
type APIClient struct {
	// API is the checking proxy's URL.
	API string
	// HTTP is the client calls are sent with.
	HTTP *http.Client

	mu      sync.Mutex
	answers []KeptAnswer
	tokens  []string
}

// KeptAnswer is an answer the client kept.
type KeptAnswer struct {
	What string // "METHOD path"
	Body []byte
}

// NewAPIClient returns a client of p's HTTP API, through a checking proxy (see
// [CheckedAPI]).
func NewAPIClient(t testing.TB, p *Stack) *APIClient {
	t.Helper()
	api := p.Banner["HTTP API"]
	if api == "" {
		t.Fatalf("banner lacks the HTTP API:\n%s", p.Text())
	}
	return &APIClient{API: CheckedAPI(t, api), HTTP: &http.Client{Timeout: 2 * time.Minute}}
}

// Do sends c and returns the answer. An event stream is closed at once: its status and
// headers are the answer.
func (ac *APIClient) Do(t testing.TB, c Call) Answer {
	t.Helper()
	body := c.Raw
	if body == nil && c.Body != "" {
		body = []byte(c.Body)
	}
	req, err := http.NewRequest(c.Method, ac.API+c.Path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	switch {
	case c.ContentType == "-":
	case c.ContentType != "":
		req.Header.Set("Content-Type", c.ContentType)
	case body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.Authz != "":
		req.Header.Set("Authorization", c.Authz)
	case c.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := ac.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	defer resp.Body.Close()
	a := Answer{Status: resp.StatusCode, Header: resp.Header}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		if a.Body, err = io.ReadAll(resp.Body); err != nil {
			t.Fatalf("%s %s: reading the answer: %v", c.Method, c.Path, err)
		}
	}
	ac.mu.Lock()
	ac.answers = append(ac.answers, KeptAnswer{What: c.Method + " " + c.Path, Body: a.Body})
	for _, tok := range []string{c.Token, strings.TrimPrefix(c.Authz, "Bearer ")} {
		if tok != "" {
			ac.tokens = append(ac.tokens, tok)
		}
	}
	ac.mu.Unlock()
	return a
}

// Mark returns how many answers have been kept so far: answers from then on can be
// told apart.
func (ac *APIClient) Mark() int {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return len(ac.answers)
}

// Since returns the answers kept since mark (see [APIClient.Mark]) and every token sent.
func (ac *APIClient) Since(mark int) ([]KeptAnswer, []string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return slices.Clone(ac.answers[mark:]), slices.Clone(ac.tokens)
}

// OK sends c and fails the test unless the answer has status want; it decodes a JSON
// answer into v when v is not nil.
func (ac *APIClient) OK(t testing.TB, c Call, want int, v any) Answer {
	t.Helper()
	a := ac.Do(t, c)
	if a.Status != want {
		t.Fatalf("%s %s: %s, want %d", c.Method, c.Path, a, want)
	}
	if v != nil {
		if err := json.Unmarshal(a.Body, v); err != nil {
			t.Fatalf("%s %s: %v in %s", c.Method, c.Path, err, a)
		}
	}
	return a
}
