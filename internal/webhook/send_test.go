package webhook_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

const (
	deliveryID = "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"
	eventUUID  = "5b0c7a8e-8f4e-4a37-9a56-8d1e2c3f4a5b"
	eventBody  = `{"event":"resource.ResourceCreated","uuid":"5b0c7a8e-8f4e-4a37-9a56-8d1e2c3f4a5b"}`
)

// loopback is the allow-list of the local stack.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// received is a request as a receiver saw it.
type received struct {
	method string
	path   string
	header http.Header
	body   []byte
}

// receiver is a local endpoint that records the connections it accepts and the requests
// it is sent, then answers with its handler (204 when nil).
type receiver struct {
	*httptest.Server
	conns atomic.Int32

	mu   sync.Mutex
	reqs []received
}

func newReceiver(t testing.TB, handler http.HandlerFunc) *receiver {
	t.Helper()
	rcv := &receiver{}
	rcv.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rcv.mu.Lock()
		rcv.reqs = append(rcv.reqs, received{r.Method, r.URL.Path, r.Header.Clone(), body})
		rcv.mu.Unlock()
		if handler == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		handler(w, r)
	}))
	// The server accepts connections one at a time and reports each as new before
	// serving it, so the count is exact once a later request has been answered.
	rcv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rcv.conns.Add(1)
		}
	}
	rcv.Start()
	t.Cleanup(rcv.Close)
	return rcv
}

// requests returns what the receiver was sent so far.
func (rcv *receiver) requests() []received {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return append([]received(nil), rcv.reqs...)
}

// port returns the receiver's port.
func (rcv *receiver) port() string {
	_, port, _ := net.SplitHostPort(rcv.Listener.Addr().String())
	return port
}

// newClient returns a webhook client that may reach the given networks.
func newClient(t testing.TB, allow []netip.Prefix) *http.Client {
	t.Helper()
	c := webhook.NewClient(webhook.ClientOptions{Allow: allow})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// request returns a native delivery of eventBody to url.
func request(t testing.TB, url string) webhook.Request {
	return webhook.Request{
		URL:       url,
		ID:        deliveryID,
		Timestamp: time.Now(),
		Secrets:   [][]byte{mustSecret(t, vectorSecret)},
		Body:      []byte(eventBody),
	}
}

// only returns the one request the receiver was sent.
func only(t *testing.T, rcv *receiver) received {
	t.Helper()
	reqs := rcv.requests()
	if len(reqs) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func TestSendSigned(t *testing.T) {
	current, old := mustSecret(t, newSecret(t)), mustSecret(t, vectorSecret)
	tests := []struct {
		name       string
		method     string
		secrets    [][]byte
		wantMethod string
	}{
		{"post by default", "", [][]byte{old}, http.MethodPost},
		{"put", http.MethodPut, [][]byte{old}, http.MethodPut},
		{"during a rotation", "", [][]byte{current, old}, http.MethodPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, nil)
			req := request(t, rcv.URL+"/hooks/herald")
			req.Method, req.Secrets = tt.method, tt.secrets
			res := webhook.Send(context.Background(), newClient(t, loopback), req)
			if res.Err != nil || res.StatusCode != http.StatusNoContent || !res.OK() {
				t.Fatalf("Send = %+v, want 204", res)
			}
			got := only(t, rcv)
			if got.method != tt.wantMethod || got.path != "/hooks/herald" || string(got.body) != eventBody {
				t.Fatalf("received %s %s %q", got.method, got.path, got.body)
			}
			for _, s := range tt.secrets {
				if err := webhook.Verify(s, got.header, got.body, time.Minute, time.Now()); err != nil {
					t.Fatalf("Verify: %v", err)
				}
			}
			for name, want := range map[string]string{
				"webhook-id":        deliveryID,
				"webhook-timestamp": strconv.FormatInt(req.Timestamp.Unix(), 10),
				"Content-Type":      "application/json",
				"User-Agent":        webhook.UserAgent,
			} {
				if v := got.header.Get(name); v != want {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			if n := len(strings.Fields(got.header.Get("webhook-signature"))); n != len(tt.secrets) {
				t.Errorf("%d signatures, want %d", n, len(tt.secrets))
			}
			if v := got.header.Get("ce-specversion"); v != "" {
				t.Errorf("a native delivery has ce-specversion %q", v)
			}
		})
	}
}

func TestSendCloudEvents(t *testing.T) {
	at := time.Date(2026, 11, 22, 18, 0, 0, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name    string
		subject string
		time    time.Time
		want    map[string]string // "" means absent
	}{
		{
			name: "all attributes", subject: "projects/p1/collections/c1", time: at,
			want: map[string]string{
				"ce-specversion": "1.0",
				"ce-id":          eventUUID,
				"ce-source":      "//herald.example.com/events",
				"ce-type":        "resource.ResourceCreated",
				"ce-subject":     "projects/p1/collections/c1",
				"ce-time":        "2026-11-22T17:00:00.123456789Z",
				"Content-Type":   "application/json",
			},
		},
		{
			name: "no subject or time",
			want: map[string]string{"ce-specversion": "1.0", "ce-subject": "", "ce-time": ""},
		},
		{
			name: "subject that needs encoding", subject: "projects/p 1/café",
			want: map[string]string{"ce-subject": "projects/p%201/caf%C3%A9"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, nil)
			req := request(t, rcv.URL)
			req.Format = webhook.FormatCloudEvents
			req.EventType, req.EventUUID, req.Source = "resource.ResourceCreated", eventUUID, "//herald.example.com/events"
			req.Subject, req.Time = tt.subject, tt.time
			if res := webhook.Send(context.Background(), newClient(t, loopback), req); !res.OK() {
				t.Fatalf("Send = %+v", res)
			}
			got := only(t, rcv)
			for name, want := range tt.want {
				if v := got.header.Get(name); v != want {
					t.Errorf("%s = %q, want %q", name, v, want)
				}
			}
			if string(got.body) != eventBody {
				t.Errorf("body = %q, want the event as is", got.body)
			}
			if err := webhook.Verify(req.Secrets[0], got.header, got.body, 0, time.Now()); err != nil {
				t.Errorf("a CloudEvents delivery is signed too: %v", err)
			}
		})
	}
}

func TestSendExtraHeaders(t *testing.T) {
	rcv := newReceiver(t, nil)
	req := request(t, rcv.URL)
	req.Headers = map[string]string{"Authorization": "Bearer t0ken", "X-Tenant": "acme"}
	if res := webhook.Send(context.Background(), newClient(t, loopback), req); !res.OK() {
		t.Fatalf("Send = %+v", res)
	}
	got := only(t, rcv)
	if got.header.Get("Authorization") != "Bearer t0ken" || got.header.Get("X-Tenant") != "acme" {
		t.Fatalf("extra headers missing: %v", got.header)
	}
}

func TestSendInvalid(t *testing.T) {
	rcv := newReceiver(t, nil)
	tests := []struct {
		name  string
		edit  func(*webhook.Request)
		field string
	}{
		{"ftp scheme", func(r *webhook.Request) { r.URL = "ftp://" + rcv.Listener.Addr().String() + "/" }, "url"},
		{"file scheme", func(r *webhook.Request) { r.URL = "file:///etc/passwd" }, "url"},
		{"no scheme", func(r *webhook.Request) { r.URL = "//" + rcv.Listener.Addr().String() + "/" }, "url"},
		{"no host", func(r *webhook.Request) { r.URL = "http:///hooks" }, "url"},
		{"malformed", func(r *webhook.Request) { r.URL = "http://[::1" }, "url"},
		{"method", func(r *webhook.Request) { r.Method = http.MethodGet }, "method"},
		{"no id", func(r *webhook.Request) { r.ID = "" }, "id"},
		{"no secret", func(r *webhook.Request) { r.Secrets = nil }, "secrets"},
		{"empty secret", func(r *webhook.Request) { r.Secrets = [][]byte{{}} }, "secrets"},
		{"format", func(r *webhook.Request) { r.Format = "xml" }, "format"},
		{"cloudevents without type", func(r *webhook.Request) {
			r.Format, r.EventUUID, r.Source = webhook.FormatCloudEvents, eventUUID, "herald"
		}, "event_type"},
		{"reserved header", func(r *webhook.Request) { r.Headers = map[string]string{"webhook-signature": "v1,forged"} }, "headers.webhook-signature"},
	}
	client := newClient(t, loopback)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(t, rcv.URL)
			tt.edit(&req)
			res := webhook.Send(context.Background(), client, req)
			var fe *fault.Error
			if !errors.As(res.Err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Fatalf("Send err = %v, want fault.Invalid on %s", res.Err, tt.field)
			}
			if res.StatusCode != 0 {
				t.Fatalf("status %d for a request that was not sent", res.StatusCode)
			}
		})
	}
	if res := webhook.Send(context.Background(), nil, request(t, rcv.URL)); !fault.Is(res.Err, fault.Invalid) {
		t.Fatalf("Send without a client: %v", res.Err)
	}
	if n := len(rcv.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // runs before the receiver closes
	req := request(t, rcv.URL+"/hooks?token=s3cret")
	req.Timeout = 50 * time.Millisecond
	res := webhook.Send(context.Background(), newClient(t, loopback), req)
	if !errors.Is(res.Err, context.DeadlineExceeded) || res.StatusCode != 0 {
		t.Fatalf("Send = %+v, want a timeout", res)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "no response within 50ms") || strings.Contains(msg, "s3cret") {
		t.Fatalf("error %q: want the timeout said, and no URL query", msg)
	}
	if res.Refused() || res.Duration >= webhook.MaxTimeout {
		t.Fatalf("Send = %+v", res)
	}
}

func TestSendCanceled(t *testing.T) {
	rcv := newReceiver(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := webhook.Send(ctx, newClient(t, loopback), request(t, rcv.URL))
	if !errors.Is(res.Err, context.Canceled) || strings.Contains(res.Err.Error(), "no response within") {
		t.Fatalf("Send = %v, want canceled, not a timeout", res.Err)
	}
}

func TestSendRedirectNotFollowed(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", code)
			})
			res := webhook.Send(context.Background(), newClient(t, loopback), request(t, rcv.URL+"/hooks"))
			if res.Err != nil || res.StatusCode != code || res.OK() {
				t.Fatalf("Send = %+v, want %d", res, code)
			}
			if got := only(t, rcv); got.path != "/hooks" {
				t.Fatalf("the receiver got %s", got.path)
			}
		})
	}
}

func TestSendRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header string
		min    time.Duration
		max    time.Duration
	}{
		{"seconds", http.StatusTooManyRequests, "120", 120 * time.Second, 120 * time.Second},
		{"http date", http.StatusServiceUnavailable, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 58 * time.Minute, time.Hour},
		{"absent", http.StatusServiceUnavailable, "", 0, 0},
		{"malformed", http.StatusTooManyRequests, "later", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
			})
			res := webhook.Send(context.Background(), newClient(t, loopback), request(t, rcv.URL))
			if res.StatusCode != tt.status || res.RetryAfter < tt.min || res.RetryAfter > tt.max {
				t.Fatalf("Send = %+v, want status %d and Retry-After in [%v, %v]", res, tt.status, tt.min, tt.max)
			}
		})
	}
}

func TestSendResponsePrefixReusesConnection(t *testing.T) {
	// 3 KiB of two-byte characters, then more: the prefix ends inside the body, and the
	// rest must be drained for the connection to be reused.
	body := strings.Repeat("é", 1536) + strings.Repeat("x", 8<<10)
	rcv := newReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, body)
	})
	client := newClient(t, loopback)
	for range 5 {
		res := webhook.Send(context.Background(), client, request(t, rcv.URL))
		if res.StatusCode != http.StatusBadRequest || res.Err != nil {
			t.Fatalf("Send = %+v", res)
		}
		p := res.ResponsePrefix
		if len(p) != webhook.MaxResponsePrefix || !utf8.ValidString(p) || !strings.HasPrefix(body, p) {
			t.Fatalf("prefix of %d bytes, valid %v, want the first %d bytes of the body", len(p), utf8.ValidString(p), webhook.MaxResponsePrefix)
		}
	}
	if n := rcv.conns.Load(); n != 1 {
		t.Fatalf("%d connections for 5 deliveries, want 1 kept alive", n)
	}
}

func TestSendRefused(t *testing.T) {
	rcv := newReceiver(t, nil)
	port := rcv.port()
	tests := []struct {
		name string
		url  string
		want string // in the error
		ipv6 bool
	}{
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", want: "link-local network (cloud metadata service) 169.254.0.0/16"},
		{name: "private 10/8", url: "http://10.0.0.1/", want: "refused to connect to 10.0.0.1: private network 10.0.0.0/8 (allow it with HERALD_ALLOW_NETWORKS)"},
		{name: "private 172.16/12", url: "http://172.16.5.5:8080/", want: "private network 172.16.0.0/12"},
		{name: "private 192.168/16", url: "https://192.168.1.1/", want: "private network 192.168.0.0/16"},
		{name: "carrier-grade NAT", url: "http://100.64.0.1/", want: "100.64.0.0/10"},
		{name: "unspecified", url: "http://0.0.0.0:" + port + "/", want: "0.0.0.0/8"},
		{name: "loopback", url: "http://127.0.0.1:" + port + "/", want: "loopback network 127.0.0.0/8"},
		{name: "localhost", url: "http://localhost:" + port + "/", want: "loopback"},
		{name: "IPv4-mapped loopback", url: "http://[::ffff:127.0.0.1]:" + port + "/", want: "127.0.0.0/8", ipv6: true},
		{name: "IPv4-mapped private", url: "http://[::ffff:10.0.0.1]/", want: "10.0.0.0/8", ipv6: true},
		{name: "IPv6 loopback", url: "http://[::1]:" + port + "/", want: "loopback address ::1/128", ipv6: true},
		{name: "IPv6 link-local", url: "http://[fe80::1]/", want: "link-local network fe80::/10", ipv6: true},
		{name: "IPv6 unique-local", url: "http://[fc00::1]/", want: "fc00::/7", ipv6: true},
		{name: "AWS IPv6 metadata", url: "http://[fd00:ec2::254]/", want: "fc00::/7", ipv6: true},
		{name: "NAT64 of private", url: "http://[64:ff9b::a00:1]/", want: "10.0.0.0/8", ipv6: true},
	}
	client := newClient(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ipv6 && !hasIPv6() {
				t.Skip("no IPv6 on this host")
			}
			res := webhook.Send(context.Background(), client, request(t, tt.url))
			var re *webhook.RefusedError
			if !errors.As(res.Err, &re) || !res.Refused() {
				t.Fatalf("Send = %+v, want a refusal", res)
			}
			if !strings.Contains(res.Err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", res.Err, tt.want)
			}
			if res.StatusCode != 0 || res.OK() {
				t.Fatalf("Send = %+v", res)
			}
		})
	}

	// Allowed, the same receiver is reached; since it accepts connections in order, its
	// one connection proves that none of the refused attempts connected.
	res := webhook.Send(context.Background(), newClient(t, loopback), request(t, "http://127.0.0.1:"+port+"/"))
	if !res.OK() {
		t.Fatalf("Send with 127.0.0.0/8 allowed = %+v", res)
	}
	if n := rcv.conns.Load(); n != 1 {
		t.Fatalf("the receiver accepted %d connections, want only the allowed one", n)
	}
	if n := len(rcv.requests()); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1", n)
	}
}

// hasIPv6 reports whether this host can make IPv6 sockets; without them an IPv6 address
// fails before the check runs.
var hasIPv6 = sync.OnceValue(func() bool {
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	l.Close()
	return true
})
