package main

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/lease"
)

// shortToken mints a token for c that expires ttl from now (NumericDate: on a whole
// second, so up to a second sooner).
func shortToken(t *testing.T, c auth.Claims, ttl time.Duration) string {
	t.Helper()
	tok, err := auth.Mint(secret, c, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// untilReconnect reads frames, skipping keep-alives, until the reconnect frame, and
// then fails unless the stream ends.
func untilReconnect(t *testing.T, frames <-chan frame) {
	t.Helper()
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

// TestReconnectAtTokenExpiry: a stream whose token expires long before the deadline asks
// the client to reconnect when it does, and ends.
func TestReconnectAtTokenExpiry(t *testing.T) {
	h, _ := newHandler(t)
	c := reader("expiring")
	id := create(t, h, c, 30_000)
	// t.Context has no deadline: only the token ends this stream.
	frames := open(t, t.Context(), h, id, shortToken(t, c, 2*time.Second))
	untilReconnect(t, frames)
}

// TestExpiredTokenWithinLeeway: a token past its exp but within the verifier's leeway
// opens no stream (it would have to end at once) and is answered 401.
func TestExpiredTokenWithinLeeway(t *testing.T) {
	h, _ := newHandler(t)
	c := reader("late")
	id := create(t, h, c, 30_000)
	tok, err := auth.Mint(secret, c, time.Minute, auth.WithIssuedAt(time.Now().Add(-time.Minute-5*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(t.Context(), request(http.MethodGet, "/v1/consumers/"+id+"/stream", tok))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d %s, want 401", resp.StatusCode, body)
	}
}

// TestStreamQuota: a user opens MaxStreams streams; the next is 429 naming the quota;
// another user and an admin are not held to it; a stream that ends frees its room.
func TestStreamQuota(t *testing.T) {
	h, _ := newHandler(t)
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	h.Leases = &lease.Store{DB: env.DynamoDB, Table: table, Name: StreamsQuota}
	h.MaxStreams = 2
	c := reader("quota")
	id := create(t, h, c, 30_000)
	path := "/v1/consumers/" + id + "/stream"

	first := open(t, t.Context(), h, id, shortToken(t, c, 2*time.Second))
	open(t, t.Context(), h, id, token(t, c))

	resp, err := h.Handle(t.Context(), request(http.MethodGet, path, token(t, c)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	var p struct {
		Status int `json:"status"`
		Quota  struct {
			Name           string
			Limit, Current int
		} `json:"quota"`
	}
	if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != http.StatusTooManyRequests || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("one stream over the limit: %d %q %s, want 429 problem+json", resp.StatusCode, resp.Headers["Content-Type"], body)
	}
	if p.Status != 429 || p.Quota.Name != "streams" || p.Quota.Limit != 2 || p.Quota.Current != 2 {
		t.Errorf("problem %s, want status 429 and quota streams, limit 2, current 2", body)
	}

	other := reader("quota-other")
	open(t, t.Context(), h, create(t, h, other, 30_000), token(t, other))
	admin := c
	admin.Roles = []string{auth.RoleAdmin}
	open(t, t.Context(), h, id, token(t, admin))

	// The first stream ends with its token; its room is free once the client sees the end.
	untilReconnect(t, first)
	open(t, t.Context(), h, id, token(t, c))
}

// TestOpenStreamsPool: the stack's pool of open streams holds MaxOpenStreams across all
// users, admins included; the next stream is 503 problem+json, and a stream that ends
// frees its room for anyone.
func TestOpenStreamsPool(t *testing.T) {
	h, _ := newHandler(t)
	table, err := env.Stack.Ref("StreamsTable")
	if err != nil {
		t.Fatal(err)
	}
	h.OpenStreams = &lease.Store{DB: env.DynamoDB, Table: table, Name: "open streams"}
	h.MaxOpenStreams = 2
	a, b := reader("pool-a"), reader("pool-b")
	admin := reader("pool-admin")
	admin.Roles = []string{auth.RoleAdmin}

	first := open(t, t.Context(), h, create(t, h, a, 30_000), shortToken(t, a, 2*time.Second))
	open(t, t.Context(), h, create(t, h, b, 30_000), token(t, b))

	id := create(t, h, admin, 30_000)
	resp, err := h.Handle(t.Context(), request(http.MethodGet, "/v1/consumers/"+id+"/stream", token(t, admin)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("a stream beyond the pool, as an admin: %d %q %s, want 503 problem+json", resp.StatusCode, resp.Headers["Content-Type"], body)
	}

	untilReconnect(t, first)
	open(t, t.Context(), h, id, token(t, admin))
}
