package streams

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the stream's limits through the whole local stack: a stream ends
// when its token expires, and a user holds at most MaxStreamsPerUser streams at once.

// streamsLimit is the local stack's MaxStreamsPerUser in TestStreamLimits: low, so that
// reaching it takes few streams (each holds a Stream instance while it runs).
const streamsLimit = 2

// frameWait bounds the wait for a frame the test expects; it comes well within it.
const frameWait = time.Minute

// sseFrame is one event-stream frame: its event ("" for a comment) and its data.
type sseFrame struct {
	event, data string
}

// openStream opens consumer's stream with token through the checked API, fails t unless
// the answer is a stream, and returns its frames as they arrive (the channel closes when
// the stream ends) and leave, which leaves the stream as a client does: it stops reading
// and closes the connection.
func openStream(t *testing.T, ac *stacktest.APIClient, consumer, token string) (frames <-chan sseFrame, leave func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ac.API+"/v1/consumers/"+consumer+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("stream of %s: %d %s, want 200 text/event-stream", consumer, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseFrame, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		var f sseFrame
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				f.event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				f.data = strings.TrimPrefix(line, "data: ")
			case line == "":
				select {
				case out <- f:
				case <-ctx.Done():
					return
				}
				f = sseFrame{}
			}
		}
	}()
	return out, cancel
}

// waitReconnect fails t unless the stream asks its client to reconnect and then ends.
func waitReconnect(t *testing.T, frames <-chan sseFrame) {
	t.Helper()
	timeout := time.After(frameWait)
	reconnected := false
	for {
		select {
		case f, ok := <-frames:
			switch {
			case !ok && reconnected:
				return
			case !ok:
				t.Fatal("the stream ended without event: reconnect")
			case reconnected:
				t.Fatalf("event %q after reconnect, want the end of the stream", f.event)
			case f.event == "reconnect":
				reconnected = true
			}
		case <-timeout:
			t.Fatalf("no event: reconnect and end of the stream within %v", frameWait)
		}
	}
}

// TestStreamLimits starts a stack whose users may hold two streams, and checks that a
// stream whose token expires a few seconds after it opened asks its client to reconnect
// then; that one stream more than the limit is 429 naming the quota; that another user
// and an admin are not held to the owner's count; and that a stream that ended frees its
// room at once.
func TestStreamLimits(t *testing.T) {
	t.Setenv("HERALD_LOCAL_MAX_STREAMS_PER_USER", strconv.Itoa(streamsLimit))
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	read := map[string]auth.Level{stacktest.ScopePath: auth.Read}
	ownerClaims := auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Perms: read}
	owner := stacktest.MintToken(t, ownerClaims)
	intruder := stacktest.MintToken(t, auth.Claims{Subject: stacktest.IntruderSub, TokenType: auth.Personal, Perms: read})
	admin := stacktest.MintToken(t, auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}})

	spec := `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `","include_subresources":true}]}}`
	var rec struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: owner, Body: spec}, http.StatusCreated, &rec)
	consumer := rec.ID
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: intruder, Body: spec}, http.StatusCreated, &rec)
	intruderConsumer := rec.ID

	// Minted just before it opens, to expire a few seconds after.
	short, err := auth.Mint([]byte(localstack.DevSecret), ownerClaims, 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	expiring, _ := openStream(t, ac, consumer, short)
	openStream(t, ac, consumer, owner)

	overCall := stacktest.Call{Method: "GET", Path: "/v1/consumers/" + consumer + "/stream", Token: owner}
	stacktest.Expect(t, overCall, ac.Do(t, overCall), stacktest.Want{Status: http.StatusTooManyRequests, Check: func(t *testing.T, a stacktest.Answer) {
		var pr struct {
			Quota *struct {
				Name    string `json:"name"`
				Limit   int    `json:"limit"`
				Current int    `json:"current"`
			} `json:"quota"`
		}
		if json.Unmarshal(a.Body, &pr) != nil || pr.Quota == nil || pr.Quota.Name != "streams" || pr.Quota.Limit != streamsLimit || pr.Quota.Current != streamsLimit {
			t.Errorf("one stream over the limit: %s, want the quota streams with limit and current %d", a, streamsLimit)
		}
	}})

	// Another user's streams are theirs: the owner's count neither stops nor includes them.
	openStream(t, ac, intruderConsumer, intruder)
	// Admins are exempt.
	openStream(t, ac, consumer, admin)

	// The short token expires: its stream asks the client to reconnect and ends, and its
	// room is free at once.
	waitReconnect(t, expiring)
	openStream(t, ac, consumer, owner)
}
