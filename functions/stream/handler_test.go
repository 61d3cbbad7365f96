package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/reply"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// secret signs the tests' tokens.
var secret = []byte(strings.Repeat("s", auth.MinSecretLen))

// frameTimeout bounds the wait for one frame; every frame the tests expect comes well
// within it.
const frameTimeout = 10 * time.Second

// newHandler returns a Handler on a fresh JetStream server with Herald's streams and
// the template's Consumers table, keep-alives every 50 ms.
func newHandler(t *testing.T) (*Handler, jetstream.JetStream) {
	t.Helper()
	js, _ := env.JetStream(t)
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: []byte(strings.Repeat("a", 32))})
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(t.Context(), auth.Options{HMACSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{
		Store:     &consumer.Store{JS: js, DB: env.DynamoDB, Table: table, Now: time.Now},
		JS:        js,
		Keys:      keys,
		Verifier:  v,
		KeepAlive: 50 * time.Millisecond,
	}, js
}

// reader returns claims of a user of its own (the table is shared by the tests) who
// may read projects/p1 and everything under it.
func reader(name string) auth.Claims {
	return auth.Claims{Subject: name + "-" + uuid.NewString()[:8], TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
}

// token mints a bearer token for c.
func token(t *testing.T, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// create makes a consumer of projects/p1 owned by c with the given ack wait.
func create(t *testing.T, h *Handler, c auth.Claims, ackWaitMS int) string {
	t.Helper()
	var spec consumer.Spec
	body := fmt.Sprintf(`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"ack_wait_ms":%d}`, ackWaitMS)
	if err := json.Unmarshal([]byte(body), &spec); err != nil {
		t.Fatal(err)
	}
	if err := spec.Normalize(); err != nil {
		t.Fatal(err)
	}
	r, err := h.Store.Create(t.Context(), spec, c.Subject)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// publish stores an event about projects/p1/collections/c1 and returns its sequence
// and body.
func publish(t *testing.T, js jetstream.JetStream) (uint64, string) {
	t.Helper()
	path := "projects/p1/collections/c1"
	body := fmt.Sprintf(`{"uuid":%q,"event":"resource.ResourceCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"collection","path":%q}}`, uuid.NewString(), path)
	ack, err := js.Publish(t.Context(), event.Subject("resource.ResourceCreated", path), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence, body
}

// request builds a Function URL request for path with the given bearer token ("" for
// none).
func request(method, path, bearer string) awsevents.LambdaFunctionURLRequest {
	req := awsevents.LambdaFunctionURLRequest{Version: "2.0", RawPath: path, Headers: map[string]string{"accept": "text/event-stream"}}
	if bearer != "" {
		req.Headers["authorization"] = "Bearer " + bearer
	}
	req.RequestContext.HTTP.Method = method
	req.RequestContext.HTTP.Path = path
	return req
}

// frame is one event-stream frame, or a comment.
type frame struct {
	id, event, data, comment string
}

// open starts a stream of consumer id with ctx, checks that it is one, and returns its
// frames as they arrive; the channel closes when the stream ends.
func open(t *testing.T, ctx context.Context, h *Handler, id, bearer string) <-chan frame {
	t.Helper()
	resp, err := h.Handle(ctx, request(http.MethodGet, "/v1/consumers/"+id+"/stream", bearer))
	if err != nil {
		t.Fatal(err)
	}
	return streamFrames(t, ctx, resp, true)
}

// streamFrames checks that resp is a stream and returns its frames, keep-alives with
// them or not, as readFrames does.
func streamFrames(t *testing.T, ctx context.Context, resp *awsevents.LambdaFunctionURLStreamingResponse, keepAlives bool) <-chan frame {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if ct, cc := resp.Headers["Content-Type"], resp.Headers["Cache-Control"]; ct != "text/event-stream" || cc != "no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q: want text/event-stream, no-cache", ct, cc)
	}
	return readFrames(t, ctx, resp.Body, keepAlives)
}

// readFrames returns the frames of body as they arrive, the keep-alives (comments) with
// them when keepAlives is set, until ctx ends; the channel closes when body ends.
func readFrames(t *testing.T, ctx context.Context, body io.Reader, keepAlives bool) <-chan frame {
	frames := make(chan frame)
	go func() {
		defer close(frames)
		sc := bufio.NewScanner(body)
		sc.Buffer(nil, 1<<20)
		var f frame
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if f.comment == "" || keepAlives {
					// Once the test stops reading, ctx ends with it.
					select {
					case frames <- f:
					case <-ctx.Done():
						return
					}
				}
				f = frame{}
			case strings.HasPrefix(line, ": "):
				f.comment = strings.TrimPrefix(line, ": ")
			case strings.HasPrefix(line, "id: "):
				f.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				f.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				if f.data != "" {
					t.Errorf("frame with more than one data line: %q", line)
				}
				f.data = strings.TrimPrefix(line, "data: ")
			default:
				t.Errorf("unexpected line %q", line)
			}
		}
	}()
	return frames
}

// next returns the next frame, failing if none comes within frameTimeout or the stream
// ends.
func next(t *testing.T, frames <-chan frame) frame {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatal("the stream ended")
		}
		return f
	case <-time.After(frameTimeout):
		t.Fatal("no frame within", frameTimeout)
	}
	return frame{}
}

// nextMessage skips keep-alives and returns the next message frame's message, failing
// if none comes within frameTimeout, keep-alives or not.
func nextMessage(t *testing.T, frames <-chan frame) (frame, consumer.Message) {
	t.Helper()
	deadline := time.After(frameTimeout)
	for {
		var f frame
		select {
		case got, ok := <-frames:
			if !ok {
				t.Fatal("the stream ended")
			}
			f = got
		case <-deadline:
			t.Fatal("no message frame within", frameTimeout)
		}
		if f.comment == "keep-alive" {
			continue
		}
		if f.event != "message" {
			t.Fatalf("frame %+v, want a message", f)
		}
		var m consumer.Message
		if err := json.Unmarshal([]byte(f.data), &m); err != nil {
			t.Fatalf("data %q: %v", f.data, err)
		}
		return f, m
	}
}

// TestMessageFrame checks that a published event arrives as a message frame whose id is
// its stream sequence and whose data is the message with a signed reply.
func TestMessageFrame(t *testing.T) {
	h, js := newHandler(t)
	c := reader("frame")
	id := create(t, h, c, 30_000)
	seq, body := publish(t, js)

	frames := open(t, t.Context(), h, id, token(t, c))
	f, m := nextMessage(t, frames)
	if f.id != strconv.FormatUint(seq, 10) || m.Sequence != seq {
		t.Errorf("frame id %q, sequence %d: want %d", f.id, m.Sequence, seq)
	}
	if m.Delivered != 1 || m.Subject != event.Subject("resource.ResourceCreated", "projects/p1/collections/c1") {
		t.Errorf("message %+v: want delivered 1 and the event's subject", m)
	}
	if string(m.Event) != body {
		t.Errorf("event %s, want %s", m.Event, body)
	}
	if err := h.Keys.Verify(m.Reply, id); err != nil {
		t.Errorf("reply %+v does not verify: %v", m.Reply, err)
	}
	if _, err := reply.ParseAckSubject(m.Reply.Reply); err != nil {
		t.Errorf("reply %q is not an ack subject: %v", m.Reply.Reply, err)
	}
}

// TestKeepAlive checks that an idle stream sends keep-alive comments.
func TestKeepAlive(t *testing.T) {
	h, _ := newHandler(t)
	c := reader("idle")
	id := create(t, h, c, 30_000)

	frames := open(t, t.Context(), h, id, token(t, c))
	for range 3 {
		if f := next(t, frames); f != (frame{comment: "keep-alive"}) {
			t.Fatalf("frame %+v, want a keep-alive comment", f)
		}
	}
}

// TestReconnect checks that the stream asks the client to reconnect when the deadline
// less the margin is reached, and then ends.
func TestReconnect(t *testing.T) {
	h, _ := newHandler(t)
	h.Margin = time.Second
	c := reader("deadline")
	id := create(t, h, c, 30_000)

	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	frames := open(t, ctx, h, id, token(t, c))
	for {
		f := next(t, frames)
		if f.comment == "keep-alive" {
			continue
		}
		if f != (frame{event: "reconnect", data: "{}"}) {
			t.Fatalf("frame %+v, want event reconnect with data {}", f)
		}
		break
	}
	select {
	case f, ok := <-frames:
		if ok {
			t.Fatalf("frame %+v after reconnect, want the end of the stream", f)
		}
	case <-time.After(frameTimeout):
		t.Fatal("the stream did not end after reconnect")
	}
}

// TestRedeliveryAcrossStreams checks that a message one stream delivered and nobody
// acknowledged arrives again on the next stream after its ack wait.
func TestRedeliveryAcrossStreams(t *testing.T) {
	h, js := newHandler(t)
	h.Margin = time.Second
	c := reader("again")
	id := create(t, h, c, 1000)
	seq, _ := publish(t, js)
	bearer := token(t, c)

	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	first := open(t, ctx, h, id, bearer)
	if _, m := nextMessage(t, first); m.Sequence != seq || m.Delivered != 1 {
		t.Fatalf("first stream got %+v, want sequence %d delivered 1", m, seq)
	}
	for f := range first {
		if f.comment != "keep-alive" && f.event != "reconnect" {
			t.Fatalf("first stream frame %+v, want only keep-alives and reconnect", f)
		}
	}

	second := open(t, t.Context(), h, id, bearer)
	if _, m := nextMessage(t, second); m.Sequence != seq || m.Delivered != 2 {
		t.Fatalf("second stream got %+v, want sequence %d delivered 2", m, seq)
	}
}

// TestRefusals checks the answers that are not streams: problem+json with the status
// for a missing or bad token, someone else's consumer, a revoked grant, another method
// and another path.
func TestRefusals(t *testing.T) {
	h, _ := newHandler(t)
	c := reader("owner")
	id := create(t, h, c, 30_000)
	other := reader("other")
	revoked := auth.Claims{Subject: c.Subject, TokenType: auth.Personal}
	path := "/v1/consumers/" + id + "/stream"

	tests := []struct {
		name   string
		req    awsevents.LambdaFunctionURLRequest
		status int
	}{
		{"no token", request(http.MethodGet, path, ""), http.StatusUnauthorized},
		{"bad token", request(http.MethodGet, path, "not.a.token"), http.StatusUnauthorized},
		{"another user's consumer", request(http.MethodGet, path, token(t, other)), http.StatusNotFound},
		{"no READ any more", request(http.MethodGet, path, token(t, revoked)), http.StatusForbidden},
		{"POST", request(http.MethodPost, path, token(t, c)), http.StatusMethodNotAllowed},
		{"another path", request(http.MethodGet, "/v1/consumers/"+id, token(t, c)), http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := h.Handle(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("status %d, Content-Type %q: want %d, application/problem+json", resp.StatusCode, resp.Headers["Content-Type"], tt.status)
			}
			var p struct {
				Status int `json:"status"`
			}
			if err := json.Unmarshal(body, &p); err != nil || p.Status != tt.status {
				t.Errorf("body %s: want a problem with status %d", body, tt.status)
			}
			// Only a 405 says which method the stream takes.
			if allow := resp.Headers["Allow"]; (tt.status == http.StatusMethodNotAllowed) != (allow == http.MethodGet) {
				t.Errorf("status %d with Allow %q", tt.status, allow)
			}
		})
	}
}
