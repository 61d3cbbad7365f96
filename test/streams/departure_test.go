package streams

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds what a client that leaves a stream leaves behind: nothing.

// departedAckWait is the ack wait of the consumer the clients stream: far longer than
// the test waits for anything, so that a message that arrives came on its first
// delivery or through a nak, never through its ack wait running out.
const departedAckWait = 10 * time.Minute

// refuseWait bounds the wait for a refusal; a Stream invocation lasts up to 15 minutes,
// so a refusal that waits for one to end does not come within it.
const refuseWait = 30 * time.Second

// streamedMessage is what the test reads of a message frame.
type streamedMessage struct {
	Sequence  uint64 `json:"sequence"`
	Delivered uint64 `json:"delivered"`
	Event     struct {
		UUID string `json:"uuid"`
	} `json:"event"`
}

// nextMessage returns the next message frame's message, skipping keep-alives, failing
// t if none comes within frameWait or the stream ends.
func nextMessage(t *testing.T, frames <-chan sseFrame) streamedMessage {
	t.Helper()
	timeout := time.After(frameWait)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("the stream ended")
			}
			if f.event == "" {
				continue
			}
			var m streamedMessage
			if f.event != "message" || json.Unmarshal([]byte(f.data), &m) != nil {
				t.Fatalf("frame %+v, want a message", f)
			}
			return m
		case <-timeout:
			t.Fatalf("no message within %v", frameWait)
		}
	}
}

// refusedUnauthorized checks that a stream request without a token is answered 401
// within refuseWait.
func refusedUnauthorized(t *testing.T, ac *stacktest.APIClient, consumer, when string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), refuseWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ac.API+"/v1/consumers/"+consumer+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a stream request without a token %s: %v, want 401 within %v", when, err, refuseWait)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a stream request without a token %s: %d, want 401", when, resp.StatusCode)
	}
}

// liveLeases counts the leases in the stack's streams table: each user's open streams
// and the stack's pool of them. A stream that ends deletes its leases.
func liveLeases(t *testing.T, db *dynamodb.Client) int32 {
	t.Helper()
	out, err := db.Scan(t.Context(), &dynamodb.ScanInput{TableName: aws.String("StreamsTable"), Select: types.SelectCount, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Count
}

// TestDepartedClientsLeaveNothing: ten clients that connect to a stream and leave leave
// nothing behind. While the ten fill every stream the stack allows, a request without a
// token gets its 401 at once; once they left, their pulls and leases end, the eleventh
// client gets events published then on their first delivery, at once, and a request
// without a token still gets 401 at once.
func TestDepartedClientsLeaveNothing(t *testing.T) {
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	js := stacktest.ConnectJetStream(t, p.Banner["NATS"])
	db := p.DynamoDB()
	read := map[string]auth.Level{stacktest.ScopePath: auth.Read}
	owner := stacktest.MintToken(t, auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Perms: read})
	publisher := stacktest.MintToken(t, auth.Claims{Subject: stacktest.PublisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})

	scope := stacktest.ScopePath + "/departed"
	spec := fmt.Sprintf(`{"target":{"resources":[{"path":%q,"include_subresources":true}]},"ack_wait_ms":%d}`, scope, departedAckWait.Milliseconds())
	var rec struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: owner, Body: spec}, http.StatusCreated, &rec)
	consumer := rec.ID

	// Ten: every stream the stack allows at once, and every stream one user may hold.
	const clients = localstack.MaxOpenStreams
	leaves := make([]func(), clients)
	for i := range leaves {
		_, leaves[i] = openStream(t, ac, consumer, owner)
	}
	refusedUnauthorized(t, ac, consumer, "while every stream is open")
	for _, leave := range leaves {
		leave()
	}

	c, err := js.Consumer(t.Context(), event.StreamName, consumer)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, refuseWait, func() bool {
		info, err := c.Info(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return info.NumWaiting == 0 && liveLeases(t, db) == 0
	}, "the departed clients' pulls and leases to end")

	frames, _ := openStream(t, ac, consumer, owner)
	published := map[string]bool{}
	for i := range 3 {
		var ack struct {
			UUID string `json:"uuid"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
			Body: fmt.Sprintf(`{"event":"job.JobCreated","resource":{"type":"job","id":"j%d","path":"%s/j%d"},"data":{"jobType":"TRANSCODE","state":"READY"}}`, i, scope, i)},
			http.StatusAccepted, &ack)
		published[ack.UUID] = true
	}
	for range len(published) {
		m := nextMessage(t, frames)
		if !published[m.Event.UUID] || m.Delivered != 1 {
			t.Errorf("the eleventh client got %+v, want one of the events published, on its first delivery", m)
		}
		delete(published, m.Event.UUID)
	}
	refusedUnauthorized(t, ac, consumer, "after the clients left")
}
