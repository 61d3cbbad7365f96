package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/wire"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// keyring returns a keyring of one key made from seed.
func keyring(t testing.TB, id, seed string) *reply.Keyring {
	t.Helper()
	k, err := reply.NewKeyring(reply.Key{ID: id, Secret: []byte(strings.Repeat(seed, 32)[:32])})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newHandler returns a Handler on a fresh JetStream server with Herald's streams and
// the template's Consumers table.
func newHandler(t testing.TB) (*Handler, jetstream.JetStream) {
	t.Helper()
	js, _ := env.JetStream(t)
	table, err := env.Stack.Ref("ConsumersTable")
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{
		Store: &consumer.Store{JS: js, DB: env.DynamoDB, Table: table, Now: time.Now},
		JS:    js,
		Keys:  keyring(t, "k1", "a"),
	}, js
}

// owner returns a user id of its own for the test: the table is shared by the tests.
func owner(name string) string { return name + "-" + uuid.NewString()[:8] }

// reader may read projects/p1 and everything under it.
func reader(sub string) *auth.Claims {
	return &auth.Claims{Subject: sub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
}

// request builds a request as API Gateway sends it (see apigwtest.Request).
var request = apigwtest.Request

// do runs the request and decodes the answer into out (when not nil).
func do(t *testing.T, h *Handler, req awsevents.APIGatewayV2HTTPRequest, out any) awsevents.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
	}
	if out != nil && resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatalf("response body %q: %v", resp.Body, err)
		}
	}
	return resp
}

// wantProblem checks the status of resp and, for a 400, that it names field.
func wantProblem(t *testing.T, resp awsevents.APIGatewayV2HTTPResponse, status int, field string) {
	t.Helper()
	apigwtest.WantProblem(t, resp, status, field)
}

// publish stores an event of eventType about path and returns its sequence.
func publish(t *testing.T, js jetstream.JetStream, eventType, path string) uint64 {
	t.Helper()
	body := fmt.Sprintf(`{"uuid":%q,"event":%q,"timestamp":"2026-11-22T18:00:00Z","resource":{"type":"collection","path":%q}}`, uuid.NewString(), eventType, path)
	ack, err := js.Publish(t.Context(), event.Subject(eventType, path), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return ack.Sequence
}

// create makes a consumer of spec as claims and returns its id.
func create(t *testing.T, h *Handler, claims *auth.Claims, spec string) string {
	t.Helper()
	var r struct {
		ID string `json:"id"`
	}
	resp := do(t, h, request("POST", "/v1/consumers", "", spec, claims, nil), &r)
	if resp.StatusCode != http.StatusCreated || r.ID == "" {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	return r.ID
}

const p1Spec = `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]}}`

// fetched is one message of a batch answer.
type fetched struct {
	Sequence  uint64          `json:"sequence"`
	Delivered uint64          `json:"delivered"`
	Subject   string          `json:"subject"`
	Event     json.RawMessage `json:"event"`
	Reply     reply.Reply     `json:"reply"`
}

// tryFetch fetches a batch and returns the answer's status and messages.
func tryFetch(t *testing.T, h *Handler, claims *auth.Claims, id string, query map[string]string) (awsevents.APIGatewayV2HTTPResponse, []fetched) {
	t.Helper()
	var out struct {
		Messages []fetched `json:"messages"`
	}
	resp := do(t, h, request("GET", "/v1/consumers/{id}/batch", id, "", claims, query), &out)
	return resp, out.Messages
}

// fetch fetches a batch that must succeed.
func fetch(t *testing.T, h *Handler, claims *auth.Claims, id string, query map[string]string) []fetched {
	t.Helper()
	resp, msgs := tryFetch(t, h, claims, id, query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: %d %s", resp.StatusCode, resp.Body)
	}
	return msgs
}

func replies(msgs []fetched) []reply.Reply {
	out := make([]reply.Reply, len(msgs))
	for i, m := range msgs {
		out[i] = m.Reply
	}
	return out
}

// acknowledge sends an acknowledge request; an empty action leaves the field out.
func acknowledge(t *testing.T, h *Handler, rs []reply.Reply, action string, delayMS int) awsevents.APIGatewayV2HTTPResponse {
	t.Helper()
	body := map[string]any{"replies": rs, "delay_ms": delayMS}
	if action != "" {
		body["action"] = action
	}
	b, _ := json.Marshal(body)
	return do(t, h, request("POST", "/v1/acknowledge", "", string(b), nil, nil), nil)
}

// counts returns the consumer's num_pending and num_ack_pending as GET shows them.
func counts(t *testing.T, h *Handler, claims *auth.Claims, id string) (pending, ackPending int) {
	t.Helper()
	var v struct {
		NumPending    *int `json:"num_pending"`
		NumAckPending *int `json:"num_ack_pending"`
	}
	resp := do(t, h, request("GET", "/v1/consumers/{id}", id, "", claims, nil), &v)
	if resp.StatusCode != http.StatusOK || v.NumPending == nil || v.NumAckPending == nil {
		t.Fatalf("get: %d %s", resp.StatusCode, resp.Body)
	}
	return *v.NumPending, *v.NumAckPending
}

func sequences(msgs []fetched) []uint64 {
	out := make([]uint64, len(msgs))
	for i, m := range msgs {
		out[i] = m.Sequence
	}
	return out
}

// TestRoundTrip creates a consumer, fetches what it selects, acknowledges it, and checks
// that nothing is left.
func TestRoundTrip(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	var want []uint64
	for _, p := range []string{"projects/p1", "projects/p1/collections/c1", "projects/p1/collections/c2"} {
		want = append(want, publish(t, js, "resource.ResourceCreated", p))
	}
	id := create(t, h, u, p1Spec)

	msgs := fetch(t, h, u, id, nil)
	if got := sequences(msgs); !slices.Equal(got, want) {
		t.Fatalf("fetched sequences %v, want %v", got, want)
	}
	for _, m := range msgs {
		var e struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal(m.Event, &e); err != nil || e.Event != "resource.ResourceCreated" {
			t.Errorf("message %d event %s: want the stored event JSON", m.Sequence, m.Event)
		}
		if m.Delivered != 1 || m.Reply.KeyID != "k1" || !strings.HasPrefix(m.Reply.Reply, "$JS.ACK.") || !strings.HasPrefix(m.Subject, "herald.events.") {
			t.Errorf("message %+v: want delivered 1, a signed ack reply and its subject", m)
		}
	}
	if _, ackPending := counts(t, h, u, id); ackPending != 3 {
		t.Errorf("num_ack_pending %d before acknowledging, want 3", ackPending)
	}

	resp := acknowledge(t, h, replies(msgs), "ack", 0)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"acknowledged":3`) {
		t.Fatalf("acknowledge: %d %s", resp.StatusCode, resp.Body)
	}
	if pending, ackPending := counts(t, h, u, id); pending != 0 || ackPending != 0 {
		t.Errorf("after ack: num_pending %d num_ack_pending %d, want 0 and 0", pending, ackPending)
	}
	if msgs := fetch(t, h, u, id, nil); len(msgs) != 0 {
		t.Errorf("fetched %d messages after acknowledging everything", len(msgs))
	}

	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	do(t, h, request("GET", "/v1/consumers", "", "", u, nil), &list)
	if len(list.Items) != 1 || list.Items[0].ID != id {
		t.Errorf("list %+v, want the one consumer %s", list.Items, id)
	}
	if resp := do(t, h, request("DELETE", "/v1/consumers/{id}", id, "", u, nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}", id, "", u, nil), nil), http.StatusNotFound, "")
}

// TestTargetSelection checks which events a resource target selects: its subtree with
// include_subresources (never a sibling whose name only starts the same), the resource
// alone without.
func TestTargetSelection(t *testing.T) {
	tests := []struct {
		name           string
		subresources   bool
		wantEventPaths []string
	}{
		{"with subresources", true, []string{"projects/p1", "projects/p1/collections/c1", "projects/p1/collections/c1/objects/o1"}},
		{"without subresources", false, []string{"projects/p1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, js := newHandler(t)
			u := reader(owner("u"))
			for _, p := range []string{"projects/p1", "projects/p10", "projects/p1/collections/c1", "projects/p2", "projects/p10/collections/c1", "projects/p1/collections/c1/objects/o1"} {
				publish(t, js, "resource.ResourceUpdated", p)
			}
			id := create(t, h, u, fmt.Sprintf(`{"target":{"resources":[{"path":"projects/p1","include_subresources":%t}]}}`, tt.subresources))
			var got []string
			for _, m := range fetch(t, h, u, id, map[string]string{"batch_size": "100"}) {
				var e struct {
					Resource struct {
						Path string `json:"path"`
					} `json:"resource"`
				}
				if err := json.Unmarshal(m.Event, &e); err != nil {
					t.Fatal(err)
				}
				got = append(got, e.Resource.Path)
			}
			if !slices.Equal(got, tt.wantEventPaths) {
				t.Errorf("got events about %v, want %v", got, tt.wantEventPaths)
			}
		})
	}
}

// TestBatchSize checks that a batch holds at most batch_size messages and that the rest
// come, in order, on the next fetches: none lost, none repeated.
func TestBatchSize(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	var want []uint64
	for i := range 7 {
		want = append(want, publish(t, js, "resource.ResourceCreated", "projects/p1/collections/c"+strconv.Itoa(i)))
	}
	id := create(t, h, u, p1Spec)
	var got []uint64
	for _, q := range []map[string]string{
		{"batch_size": "3"},
		{"batch_size": "3", "wait_ms": "2000"}, // three are there: no need to wait
		{"batch_size": "3", "wait_ms": "50"},   // one is left: the wait ends the fetch
		{"batch_size": "3"},
	} {
		msgs := fetch(t, h, u, id, q)
		if len(msgs) > 3 {
			t.Fatalf("batch_size 3 returned %d messages", len(msgs))
		}
		got = append(got, sequences(msgs)...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("fetched %v over four batches, want %v once each", got, want)
	}
}

// TestRedelivery checks that a message not acknowledged within ack_wait_ms comes back
// with its delivered count raised.
func TestRedelivery(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	seq := publish(t, js, "resource.ResourceCreated", "projects/p1")
	id := create(t, h, u, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"ack_wait_ms":1000}`)
	first := fetch(t, h, u, id, nil)
	if len(first) != 1 || first[0].Delivered != 1 {
		t.Fatalf("first fetch %+v, want the message delivered once", first)
	}
	var again []fetched
	testenv.WaitFor(t, 10*time.Second, func() bool {
		again = fetch(t, h, u, id, nil)
		return len(again) > 0
	}, "the unacknowledged message to come back")
	if again[0].Sequence != seq || again[0].Delivered != 2 {
		t.Errorf("redelivered %+v, want sequence %d delivered 2", again[0], seq)
	}
	if again[0].Reply.Reply == first[0].Reply.Reply {
		t.Error("the redelivery has the same ack subject as the first delivery")
	}
}

// TestActions checks what nak, term and in_progress do to a fetched message, and that
// a request without an action acknowledges it.
func TestActions(t *testing.T) {
	tests := []struct {
		action         string
		wantAckPending int  // right after the action
		wantAgain      bool // whether the next fetch returns the message at once
	}{
		{"", 0, false}, // no action: ack
		{"nak", 0, true},
		{"term", 0, false},
		{"in_progress", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			h, js := newHandler(t)
			u := reader(owner("u"))
			seq := publish(t, js, "resource.ResourceCreated", "projects/p1")
			id := create(t, h, u, `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"ack_wait_ms":60000}`)
			msgs := fetch(t, h, u, id, nil)
			// What the server was told, to tell ack from term, which look alike after.
			sent, err := js.Conn().SubscribeSync(msgs[0].Reply.Reply)
			if err != nil {
				t.Fatal(err)
			}
			if resp := acknowledge(t, h, replies(msgs), tt.action, 0); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d %s", tt.action, resp.StatusCode, resp.Body)
			}
			if tt.action == "" {
				if m, err := sent.NextMsg(5 * time.Second); err != nil || string(m.Data) != "+ACK" {
					t.Fatalf("without an action the server was sent %v (%v), want +ACK", m, err)
				}
			}
			again := fetch(t, h, u, id, nil)
			if tt.wantAgain != (len(again) == 1) {
				t.Fatalf("after %s the next fetch returned %d messages, want the message again: %t", tt.action, len(again), tt.wantAgain)
			}
			if tt.wantAgain && (again[0].Sequence != seq || again[0].Delivered != 2) {
				t.Errorf("after %s got %+v, want sequence %d delivered 2", tt.action, again[0], seq)
			}
			if !tt.wantAgain {
				if _, ackPending := counts(t, h, u, id); ackPending != tt.wantAckPending {
					t.Errorf("after %s num_ack_pending %d, want %d", tt.action, ackPending, tt.wantAckPending)
				}
			}
		})
	}
	t.Run("nak with delay", func(t *testing.T) {
		h, js := newHandler(t)
		u := reader(owner("u"))
		publish(t, js, "resource.ResourceCreated", "projects/p1")
		id := create(t, h, u, p1Spec)
		msgs := fetch(t, h, u, id, nil)
		if resp := acknowledge(t, h, replies(msgs), "nak", 500); resp.StatusCode != http.StatusOK {
			t.Fatalf("nak: %d %s", resp.StatusCode, resp.Body)
		}
		if again := fetch(t, h, u, id, nil); len(again) != 0 {
			t.Errorf("a message nak'ed with a delay came back at once")
		}
		testenv.WaitFor(t, 10*time.Second, func() bool { return len(fetch(t, h, u, id, nil)) == 1 }, "the delayed message to come back")
	})
}

// TestRefusedReplies checks that a batch holding one bad reply is refused as a whole,
// naming the bad one, and acknowledges nothing.
func TestRefusedReplies(t *testing.T) {
	h, js := newHandler(t)
	u := reader(owner("u"))
	publish(t, js, "resource.ResourceCreated", "projects/p1")
	publish(t, js, "resource.ResourceCreated", "projects/p1/collections/c1")
	a := create(t, h, u, p1Spec)
	b := create(t, h, u, p1Spec)
	msgsA := fetch(t, h, u, a, nil)
	msgsB := fetch(t, h, u, b, nil)
	if len(msgsA) != 2 || len(msgsB) != 2 {
		t.Fatalf("fetched %d and %d messages, want 2 each", len(msgsA), len(msgsB))
	}

	tampered := msgsA[1].Reply
	tampered.Reply = strings.Replace(tampered.Reply, "HERALD_EVENTS."+a+".1.", "HERALD_EVENTS."+a+".9.", 1)
	otherKey := keyring(t, "k1", "b").Sign(msgsA[1].Reply.Reply, a)
	tests := []struct {
		name string
		bad  reply.Reply
	}{
		{"tampered ack subject", tampered},
		{"signed with another key", otherKey},
		{"another consumer's reply", msgsB[0].Reply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.bad.Reply == msgsA[1].Reply.Reply && tt.bad.HMAC == msgsA[1].Reply.HMAC {
				t.Fatal("the bad reply is the good one")
			}
			resp := acknowledge(t, h, []reply.Reply{msgsA[0].Reply, tt.bad}, "ack", 0)
			wantProblem(t, resp, http.StatusBadRequest, "replies[1]")
			if _, ackPending := counts(t, h, u, a); ackPending != 2 {
				t.Errorf("num_ack_pending %d after a refused acknowledge, want 2: nothing acknowledged", ackPending)
			}
		})
	}
	if _, ackPending := counts(t, h, u, b); ackPending != 2 {
		t.Errorf("the other consumer's num_ack_pending %d, want 2", ackPending)
	}
}

// TestPermissions checks who may create, read, fetch from and delete a consumer.
func TestPermissions(t *testing.T) {
	h, js := newHandler(t)
	publish(t, js, "resource.ResourceCreated", "projects/p1")
	alice := reader(owner("alice"))
	bob := reader(owner("bob"))
	id := create(t, h, alice, p1Spec)

	noRead := &auth.Claims{Subject: alice.Subject, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p2": auth.Write}}
	wantProblem(t, do(t, h, request("POST", "/v1/consumers", "", p1Spec, noRead, nil), nil), http.StatusForbidden, "")
	wantProblem(t, do(t, h, request("POST", "/v1/consumers", "", `{"target":{"all":true}}`, alice, nil), nil), http.StatusForbidden, "")

	for _, tt := range []struct{ method, route string }{
		{"GET", "/v1/consumers/{id}"},
		{"GET", "/v1/consumers/{id}/batch"},
		{"DELETE", "/v1/consumers/{id}"},
	} {
		t.Run("someone else's "+tt.method+" "+tt.route, func(t *testing.T) {
			wantProblem(t, do(t, h, request(tt.method, tt.route, id, "", bob, nil), nil), http.StatusNotFound, "")
		})
	}

	// alice loses READ on projects/p1: her next fetch is refused, and gets nothing.
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", id, "", noRead, nil), nil), http.StatusForbidden, "")
	if pending, ackPending := counts(t, h, alice, id); pending != 1 || ackPending != 0 {
		t.Errorf("after the refused fetch num_pending %d num_ack_pending %d, want 1 and 0", pending, ackPending)
	}

	// WRITE on every scope path lets someone other than the owner delete it.
	admin := &auth.Claims{Subject: owner("carol"), TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Write}}
	if resp := do(t, h, request("DELETE", "/v1/consumers/{id}", id, "", admin, nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete with WRITE: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}", id, "", alice, nil), nil), http.StatusNotFound, "")
}

// TestBadInput checks that invalid requests answer 400 naming the field at fault.
func TestBadInput(t *testing.T) {
	h, js := newHandler(t)
	publish(t, js, "resource.ResourceCreated", "projects/p1")
	u := reader(owner("u"))
	id := create(t, h, u, p1Spec)
	msgs := fetch(t, h, u, id, nil)
	good, _ := json.Marshal(msgs[0].Reply)

	tests := []struct {
		name  string
		req   awsevents.APIGatewayV2HTTPRequest
		field string
	}{
		{"unknown field", request("POST", "/v1/consumers", "", `{"target":{"all":true},"colour":"red"}`, u, nil), "colour"},
		{"bad target", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects//p1"}]}}`, u, nil), "target.resources[0].path"},
		{"two targets", request("POST", "/v1/consumers", "", `{"target":{"all":true,"announcements":true}}`, u, nil), "target"},
		{"bad event type", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects/p1"}]},"event_types":["res*.ResourceCreated"]}`, u, nil), "event_types[0]"},
		{"bad back-off", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects/p1"}]},"back_off":["1s","soon"]}`, u, nil), "back_off[1]"},
		{"bad filter", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects/p1"}]},"filter":{"data.x":{"regex":"("}}}`, u, nil), "filter.data.x.regex"},
		{"bad max ack pending", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects/p1"}]},"max_ack_pending":0}`, u, nil), "max_ack_pending"},
		{"change a fixed setting", request("PUT", "/v1/consumers/{id}", id, `{"deliver_policy":"new"}`, u, nil), "deliver_policy"},
		{"change unknown field", request("PUT", "/v1/consumers/{id}", id, `{"colour":"red"}`, u, nil), "colour"},
		{"change bad back-off", request("PUT", "/v1/consumers/{id}", id, `{"back_off":["1s","2s"],"max_deliver":1}`, u, nil), "back_off"},
		{"change bad filter", request("PUT", "/v1/consumers/{id}", id, `{"filter":{"a":{"nope":1}}}`, u, nil), "filter.a.nope"},
		{"change bad event type", request("PUT", "/v1/consumers/{id}", id, `{"event_types":["job.*","*.X"]}`, u, nil), "event_types[1]"},
		{"change query", request("PUT", "/v1/consumers/{id}", id, `{}`, u, map[string]string{"x": "1"}), "x"},
		{"pause until the past", request("POST", "/v1/consumers/{id}/pause", id, `{"until":"2001-01-01T00:00:00Z"}`, u, nil), "until"},
		{"pause until not a time", request("POST", "/v1/consumers/{id}/pause", id, `{"until":"tomorrow"}`, u, nil), "until"},
		{"pause unknown field", request("POST", "/v1/consumers/{id}/pause", id, `{"for":"1h"}`, u, nil), "for"},
		{"bad ack wait", request("POST", "/v1/consumers", "", `{"target":{"resources":[{"path":"projects/p1"}]},"ack_wait_ms":10}`, u, nil), "ack_wait_ms"},
		{"create query", request("POST", "/v1/consumers", "", p1Spec, u, map[string]string{"dry_run": "1"}), "dry_run"},
		{"batch_size 0", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"batch_size": "0"}), "batch_size"},
		{"batch_size 1001", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"batch_size": "1001"}), "batch_size"},
		{"batch_size not a number", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"batch_size": "ten"}), "batch_size"},
		{"wait_ms -1", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"wait_ms": "-1"}), "wait_ms"},
		{"wait_ms 20001", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"wait_ms": "20001"}), "wait_ms"},
		{"batch query", request("GET", "/v1/consumers/{id}/batch", id, "", u, map[string]string{"max": "1"}), "max"},
		{"limit 0", request("GET", "/v1/consumers", "", "", u, map[string]string{"limit": "0"}), "limit"},
		{"limit 101", request("GET", "/v1/consumers", "", "", u, map[string]string{"limit": "101"}), "limit"},
		{"bad cursor", request("GET", "/v1/consumers", "", "", u, map[string]string{"cursor": "not-a-cursor"}), "cursor"},
		{"list query", request("GET", "/v1/consumers", "", "", u, map[string]string{"owner": "x"}), "owner"},
		{"get query", request("GET", "/v1/consumers/{id}", id, "", u, map[string]string{"x": "1"}), "x"},
		{"unknown action", request("POST", "/v1/acknowledge", "", `{"replies":[`+string(good)+`],"action":"done"}`, nil, nil), "action"},
		{"delay with ack", request("POST", "/v1/acknowledge", "", `{"replies":[`+string(good)+`],"action":"ack","delay_ms":5}`, nil, nil), "delay_ms"},
		{"negative delay", request("POST", "/v1/acknowledge", "", `{"replies":[`+string(good)+`],"action":"nak","delay_ms":-1}`, nil, nil), "delay_ms"},
		{"no replies", request("POST", "/v1/acknowledge", "", `{"replies":[],"action":"ack"}`, nil, nil), "replies"},
		{"not an ack subject", request("POST", "/v1/acknowledge", "", `{"replies":[{"reply":"_INBOX.x","salt":"a","hmac":"b","key_id":"k1"}],"action":"ack"}`, nil, nil), "replies[0]"},
		{"acknowledge unknown field", request("POST", "/v1/acknowledge", "", `{"replies":[`+string(good)+`],"action":"ack","all":true}`, nil, nil), "all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, do(t, h, tt.req, nil), http.StatusBadRequest, tt.field)
		})
	}
	if _, ackPending := counts(t, h, u, id); ackPending != 1 {
		t.Errorf("num_ack_pending %d after refused acknowledgements, want 1", ackPending)
	}
}

// TestListPagination checks that paging through the caller's consumers returns each
// exactly once, none of anyone else's, and that a cursor cannot be used by another.
func TestListPagination(t *testing.T) {
	h, _ := newHandler(t)
	u := reader(owner("lister"))
	other := reader(owner("other"))
	create(t, h, other, p1Spec)
	var want []string
	for range 7 {
		want = append(want, create(t, h, u, p1Spec))
	}
	var got []string
	cursor, pages := "", 0
	for {
		q := map[string]string{"limit": "3"}
		if cursor != "" {
			q["cursor"] = cursor
		}
		var page struct {
			Items []struct {
				ID    string `json:"id"`
				Owner string `json:"owner"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		resp := do(t, h, request("GET", "/v1/consumers", "", "", u, q), &page)
		if resp.StatusCode != http.StatusOK || page.NextCursor == nil {
			t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
		}
		if len(page.Items) > 3 {
			t.Fatalf("limit 3 returned %d items", len(page.Items))
		}
		for _, it := range page.Items {
			if it.Owner != u.Subject {
				t.Errorf("listed %s of %s", it.ID, it.Owner)
			}
			got = append(got, it.ID)
		}
		if pages++; pages > 10 {
			t.Fatal("the listing does not end")
		}
		if *page.NextCursor == "" {
			break
		}
		if pages == 1 {
			wantProblem(t, do(t, h, request("GET", "/v1/consumers", "", "", other, map[string]string{"cursor": *page.NextCursor}), nil), http.StatusBadRequest, "cursor")
		}
		cursor = *page.NextCursor
	}
	slices.Sort(want) // ULIDs: id order is creation order
	if !slices.Equal(got, want) {
		t.Errorf("listed %v, want %v once each", got, want)
	}
}

// TestWarmInstance checks what an instance that has fetched from a consumer before (and
// keeps it cached) answers: someone else still gets 404, a revoked grant still 403, and
// a consumer deleted elsewhere (another instance, or JetStream itself) 404, with the
// replies fetched before it refused as unconfirmed.
func TestWarmInstance(t *testing.T) {
	h, js := newHandler(t)
	publish(t, js, "resource.ResourceCreated", "projects/p1")
	publish(t, js, "resource.ResourceCreated", "projects/p1/collections/c1")
	alice := reader(owner("alice"))
	first := create(t, h, alice, p1Spec)
	second := create(t, h, alice, p1Spec)
	msgs := fetch(t, h, alice, first, map[string]string{"batch_size": "1"})
	fetch(t, h, alice, second, map[string]string{"batch_size": "1"})

	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", first, "", reader(owner("bob")), nil), nil), http.StatusNotFound, "")
	noRead := &auth.Claims{Subject: alice.Subject, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p2": auth.Read}}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", first, "", noRead, nil), nil), http.StatusForbidden, "")
	if got := fetch(t, h, alice, first, map[string]string{"batch_size": "1"}); len(got) != 1 {
		t.Fatalf("after the refused fetches got %d messages, want the second event", len(got))
	}

	// Deleted through another instance: this one learns it at its next fetch.
	other := &Handler{Store: h.Store, JS: h.JS, Keys: h.Keys}
	if resp := do(t, other, request("DELETE", "/v1/consumers/{id}", first, "", alice, nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", first, "", alice, nil), nil), http.StatusNotFound, "")
	wantProblem(t, acknowledge(t, h, replies(msgs), "ack", 0), http.StatusServiceUnavailable, "replies[0]")

	// Removed by JetStream alone (its inactivity threshold): 404 too, with a wait.
	if err := js.DeleteConsumer(t.Context(), event.StreamName, second); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", second, "", alice, map[string]string{"wait_ms": "1000"}), nil), http.StatusNotFound, "")
}

// TestShelfLife checks that events older than the shelf life (the stream's MaxAge, here
// shortened to two seconds) are gone: neither a consumer made before they expired nor one
// replaying everything afterwards gets them, while a newer event still arrives.
func TestShelfLife(t *testing.T) {
	h, js := newHandler(t)
	if _, err := bus.EnsureStreams(t.Context(), js, bus.StreamOptions{ShelfLife: 2 * time.Second, DedupeWindow: time.Second}); err != nil {
		t.Fatal(err)
	}
	u := reader(owner("u"))
	before := create(t, h, u, p1Spec)
	old := publish(t, js, "resource.ResourceCreated", "projects/p1")
	stream, err := js.Stream(t.Context(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 10*time.Second, func() bool {
		info, err := stream.Info(t.Context())
		return err == nil && info.State.Msgs == 0 && info.State.FirstSeq > old
	}, "the event to pass its shelf life")
	fresh := publish(t, js, "resource.ResourceCreated", "projects/p1/collections/c1")
	after := create(t, h, u, p1Spec)
	for name, id := range map[string]string{"made before": before, "made after": after} {
		if got := sequences(fetch(t, h, u, id, map[string]string{"batch_size": "10"})); !slices.Equal(got, []uint64{fresh}) {
			t.Errorf("consumer %s the expiry fetched sequences %v, want only %d (the expired %d is gone)", name, got, fresh, old)
		}
	}
}

// TestCreateWarnsOfUnknownEventTypes: a consumer whose event types name nothing in the
// catalog nor on the stream is made (201) with a warning naming each such entry; types
// the catalog lists, or that a published event has, pass without one.
func TestCreateWarnsOfUnknownEventTypes(t *testing.T) {
	h, js := newHandler(t)
	publish(t, js, "billing.InvoicePaid", "projects/p1/invoices/i1")
	u := reader(owner("typo"))
	tests := []struct {
		name  string
		types string
		want  []wire.Warning
	}{
		{"catalog types", `["job.JobFinished","item.*"]`, nil},
		{"a type on the stream", `["billing.InvoicePaid","billing.*"]`, nil},
		{"every type", `["*"]`, nil},
		{"misspelt types", `["job.JobFinished","job.JobFinishd","jbo.*"]`, []wire.Warning{
			{Field: "event_types[1]", Message: "no event type job.JobFinishd is known: it is not in the catalog (GET /v1/catalog) and no published event has it"},
			{Field: "event_types[2]", Message: "jbo.* matches no known event type: none in the catalog (GET /v1/catalog) and none of a published event"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got wire.Consumer
			spec := `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"event_types":` + tt.types + `}`
			resp := do(t, h, request("POST", "/v1/consumers", "", spec, u, nil), &got)
			if resp.StatusCode != http.StatusCreated || got.ID == "" {
				t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
			}
			if !slices.Equal(got.Warnings, tt.want) {
				t.Errorf("warnings %+v, want %+v", got.Warnings, tt.want)
			}
			if tt.want == nil && strings.Contains(resp.Body, `"warnings"`) {
				t.Errorf("an answer without warnings has the member: %s", resp.Body)
			}
			// Only the create answers them.
			var again map[string]any
			do(t, h, request("GET", "/v1/consumers/{id}", got.ID, "", u, nil), &again)
			if _, ok := again["warnings"]; ok {
				t.Errorf("GET shows warnings: %v", again)
			}
		})
	}
}
