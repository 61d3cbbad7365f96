package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/webhook"
)

// This file holds the security suite and what it shares with the bad-input suite: a
// client that keeps every answer, the expected answers, and a world of resources owned
// by one user for the requests of others to aim at.

// call is one request to the API.
type call struct {
	method, path string
	token        string // a bearer token; "" sends no Authorization header
	authz        string // a raw Authorization header, instead of token
	body         string
	raw          []byte // the body as bytes (invalid UTF-8, say), instead of body
	contentType  string // "" means application/json when there is a body; "-" sends none
	header       map[string]string
}

// answer is what the API answered.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s %s", a.status, a.header.Get("Content-Type"), truncate(string(a.body), 600))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// apiClient sends calls through the proxy that checks every answer against openapi.yaml,
// and keeps every answer and every token sent, so that a test can search them all.
type apiClient struct {
	api  string
	http *http.Client

	mu      sync.Mutex
	answers []keptAnswer
	tokens  []string
}

type keptAnswer struct {
	what string // "METHOD path"
	body []byte
}

func newAPIClient(t testing.TB, p *stackProcess) *apiClient {
	t.Helper()
	api := p.banner["HTTP API"]
	if api == "" {
		t.Fatalf("banner lacks the HTTP API:\n%s", p.text())
	}
	return &apiClient{api: checkedAPI(t, api), http: &http.Client{Timeout: 2 * time.Minute}}
}

// do sends c and returns the answer. An event stream is closed at once: its status and
// headers are the answer.
func (ac *apiClient) do(t testing.TB, c call) answer {
	t.Helper()
	body := c.raw
	if body == nil && c.body != "" {
		body = []byte(c.body)
	}
	req, err := http.NewRequest(c.method, ac.api+c.path, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	switch {
	case c.contentType == "-":
	case c.contentType != "":
		req.Header.Set("Content-Type", c.contentType)
	case body != nil:
		req.Header.Set("Content-Type", "application/json")
	}
	switch {
	case c.authz != "":
		req.Header.Set("Authorization", c.authz)
	case c.token != "":
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := ac.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		if a.body, err = io.ReadAll(resp.Body); err != nil {
			t.Fatalf("%s %s: reading the answer: %v", c.method, c.path, err)
		}
	}
	ac.mu.Lock()
	ac.answers = append(ac.answers, keptAnswer{what: c.method + " " + c.path, body: a.body})
	for _, tok := range []string{c.token, strings.TrimPrefix(c.authz, "Bearer ")} {
		if tok != "" {
			ac.tokens = append(ac.tokens, tok)
		}
	}
	ac.mu.Unlock()
	return a
}

// mark returns how many answers have been kept so far: answers from then on can be
// told apart.
func (ac *apiClient) mark() int {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return len(ac.answers)
}

// ok sends c and fails the test unless the answer has status want; it decodes a JSON
// answer into v when v is not nil.
func (ac *apiClient) ok(t testing.TB, c call, want int, v any) answer {
	t.Helper()
	a := ac.do(t, c)
	if a.status != want {
		t.Fatalf("%s %s: %s, want %d", c.method, c.path, a, want)
	}
	if v != nil {
		if err := json.Unmarshal(a.body, v); err != nil {
			t.Fatalf("%s %s: %v in %s", c.method, c.path, err, a)
		}
	}
	return a
}

// want is the documented answer to a call.
type want struct {
	status int
	// gateway marks API Gateway's own answer, {"message": …} as application/json, given
	// before any function runs.
	gateway bool
	// fields the problem's errors must name; nil checks none, {""} is the body as a whole.
	fields []string
	check  func(t *testing.T, a answer) // more to check, or nil
}

// expect fails t unless a is the answer w describes.
func expect(t *testing.T, c call, a answer, w want) {
	t.Helper()
	if a.status != w.status {
		t.Errorf("%s %s: %s, want %d", c.method, c.path, a, w.status)
		return
	}
	ct := a.header.Get("Content-Type")
	switch {
	case w.gateway:
		var m struct {
			Message string `json:"message"`
		}
		if ct != "application/json" || json.Unmarshal(a.body, &m) != nil || m.Message != http.StatusText(w.status) {
			t.Errorf("%s %s: %s, want API Gateway's {\"message\":%q}", c.method, c.path, a, http.StatusText(w.status))
		}
	case w.status >= 400:
		var pr struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		if ct != "application/problem+json" || json.Unmarshal(a.body, &pr) != nil || pr.Status != w.status || !strings.HasPrefix(pr.Type, "urn:herald:problem:") {
			t.Errorf("%s %s: %s, want problem+json with status %d", c.method, c.path, a, w.status)
			return
		}
		for _, f := range w.fields {
			if !slices.ContainsFunc(pr.Errors, func(e struct {
				Field string `json:"field"`
			}) bool {
				return e.Field == f
			}) {
				t.Errorf("%s %s: %s, want the field %q named", c.method, c.path, a, f)
			}
		}
	}
	if w.check != nil {
		w.check(t, a)
	}
}

// Identities of the suites. The owner owns the world's resources; the others aim at them.
const (
	ownerSub     = "suite-owner"
	intruderSub  = "suite-intruder"
	publisherSub = "suite-publisher"
	scopePath    = "projects/suite"
)

// world is what the owner (and, for comparison, the intruder) holds in a running stack.
type world struct {
	p    *stackProcess
	ac   *apiClient
	hook *hookReceiver

	// Tokens: the owner's personal token with READ on scopePath; the intruder's, with the
	// same grant; the owner's scoped token with the same grant; the owner's personal token
	// without any grant on scopePath (bare); a publisher; a service token without roles.
	owner, intruder, scoped, bare, publisher, service string

	consumer, intruderConsumer string      // consumers of scopePath, each with one message fetched and not acknowledged
	reply, intruderReply       reply.Reply // the replies of those messages
	trigger, intruderTrigger   string      // triggers on scopePath/hooks with a webhook to hook
	triggerSpec                string      // the owner's trigger's spec, without its secret
	secret                     string      // the owner's trigger's secret, shown at creation
	delivery                   string      // a succeeded delivery of the owner's trigger
	notification               string      // one of the owner's notifications
	sequence                   uint64      // an event's sequence on the stream
}

// newWorld makes the owner's resources, and the intruder's, through the API.
func newWorld(t *testing.T, p *stackProcess) *world {
	t.Helper()
	w := &world{p: p, ac: newAPIClient(t, p), hook: newHookReceiver(t)}
	read := map[string]auth.Level{scopePath: auth.Read}
	w.owner = mintToken(t, auth.Claims{Subject: ownerSub, TokenType: auth.Personal, Perms: read})
	w.intruder = mintToken(t, auth.Claims{Subject: intruderSub, TokenType: auth.Personal, Perms: read})
	w.scoped = mintToken(t, auth.Claims{Subject: ownerSub, TokenType: auth.Scoped, Perms: read})
	w.bare = mintToken(t, auth.Claims{Subject: ownerSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/elsewhere": auth.Read}})
	w.publisher = mintToken(t, auth.Claims{Subject: publisherSub, TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
	w.service = mintToken(t, auth.Claims{Subject: "suite-service", TokenType: auth.Service})

	// Triggers on a subtree no published event touches: only fire, retry and replay
	// deliver, so nothing runs behind the suites' backs.
	w.triggerSpec = `{"name":"hooks","resource":{"path":"` + scopePath + `/hooks","include_subresources":true},"events":["resource.*"],` +
		`"action":{"type":"http","url":"` + w.hook.URL + `/hook"},"retry":{"schedule":["1s"]}}`
	var tr struct {
		ID     string `json:"id"`
		Action struct {
			Secret string `json:"secret"`
		} `json:"action"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/triggers", token: w.owner, body: w.triggerSpec}, http.StatusCreated, &tr)
	w.trigger, w.secret = tr.ID, tr.Action.Secret
	if _, err := webhook.ParseSecret(w.secret); err != nil {
		t.Fatalf("the create answer shows no usable secret: %v", err)
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/triggers", token: w.intruder, body: w.triggerSpec}, http.StatusCreated, &tr)
	w.intruderTrigger = tr.ID

	consumerSpec := `{"target":{"resources":[{"path":"` + scopePath + `","include_subresources":true}]},"ack_wait_ms":43200000}`
	var rec struct {
		ID string `json:"id"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/consumers", token: w.owner, body: consumerSpec}, http.StatusCreated, &rec)
	w.consumer = rec.ID
	w.ac.ok(t, call{method: "POST", path: "/v1/consumers", token: w.intruder, body: consumerSpec}, http.StatusCreated, &rec)
	w.intruderConsumer = rec.ID

	var ack struct {
		Sequence uint64 `json:"sequence"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/events", token: w.publisher,
		body: `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + scopePath + `/items/i1"}}`}, http.StatusAccepted, &ack)
	w.sequence = ack.Sequence

	var created struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/notifications", token: w.publisher,
		body: `{"recipients":["` + ownerSub + `"],"variant":"ANNOUNCEMENT","message":"maintenance tonight"}`}, http.StatusCreated, &created)
	if len(created.Items) != 1 {
		t.Fatalf("notification create made %d notifications", len(created.Items))
	}
	w.notification = created.Items[0].ID

	var fired struct {
		DeliveryID string `json:"delivery_id"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/triggers/" + w.trigger + "/fire", token: w.owner,
		body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + scopePath + `/hooks/h1"}}}`}, http.StatusAccepted, &fired)
	w.delivery = fired.DeliveryID
	w.waitDeliveries(t, w.trigger, "succeeded", 1)

	w.reply = w.fetchOne(t, w.owner, w.consumer)
	w.intruderReply = w.fetchOne(t, w.intruder, w.intruderConsumer)
	return w
}

// waitDeliveries waits until the trigger's log holds at least n deliveries with status.
func (w *world) waitDeliveries(t *testing.T, trigger, status string, n int) []deliveryView {
	t.Helper()
	return tenant{w.ac, w.owner}.deliveries(t, trigger, status, n)
}

type deliveryView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Log      []struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
	} `json:"log"`
}

// fetchOne fetches the consumer's one message (the event newWorld published) and returns
// its reply, leaving it unacknowledged.
func (w *world) fetchOne(t *testing.T, token, consumer string) reply.Reply {
	t.Helper()
	var batch struct {
		Messages []struct {
			Reply reply.Reply `json:"reply"`
		} `json:"messages"`
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		w.ac.ok(t, call{method: "GET", path: "/v1/consumers/" + consumer + "/batch?batch_size=10&wait_ms=1000", token: token}, http.StatusOK, &batch)
		return len(batch.Messages) > 0
	}, "a message for consumer "+consumer)
	if len(batch.Messages) != 1 {
		t.Fatalf("consumer %s got %d messages, want 1", consumer, len(batch.Messages))
	}
	return batch.Messages[0].Reply
}

// spareConsumer and spareTrigger make a resource of the owner's for a call that is
// allowed to delete it.
func (w *world) spareConsumer(t *testing.T) string {
	t.Helper()
	var rec struct {
		ID string `json:"id"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/consumers", token: w.owner,
		body: `{"target":{"resources":[{"path":"` + scopePath + `/spare"}]},"deliver_policy":"new"}`}, http.StatusCreated, &rec)
	return rec.ID
}

func (w *world) spareTrigger(t *testing.T) string {
	t.Helper()
	var tr struct {
		ID string `json:"id"`
	}
	w.ac.ok(t, call{method: "POST", path: "/v1/triggers", token: w.owner,
		body: `{"name":"spare","resource":{"path":"` + scopePath + `/spare"},"action":{"type":"nats","subject":"herald.actions.suite.spare"}}`}, http.StatusCreated, &tr)
	return tr.ID
}

// ackBody is an acknowledge request of replies.
func ackBody(action string, replies ...reply.Reply) string {
	b, _ := json.Marshal(map[string]any{"replies": replies, "action": action})
	return string(b)
}

// withConsumer returns r with its ack subject naming consumer instead of its own: the
// signature, made for the original consumer, must not carry over.
func withConsumer(t testing.TB, r reply.Reply, consumer string) reply.Reply {
	t.Helper()
	info, err := reply.ParseAckSubject(r.Reply)
	if err != nil {
		t.Fatal(err)
	}
	r.Reply = strings.Replace(r.Reply, "."+info.Consumer+".", "."+consumer+".", 1)
	return r
}

// flipHMAC returns r with one bit of its signature changed, still well-formed base64.
func flipHMAC(t testing.TB, r reply.Reply) reply.Reply {
	t.Helper()
	mac, err := base64.StdEncoding.DecodeString(r.HMAC)
	if err != nil {
		t.Fatal(err)
	}
	mac[0] ^= 1
	r.HMAC = base64.StdEncoding.EncodeToString(mac)
	return r
}

// secCase is one call of the security matrix and its documented answer.
type secCase struct {
	who  string
	call call
	want want
}

// Who calls, in the matrix's columns.
const (
	whoNone     = "no token"
	whoIntruder = "another user's token"
	whoScoped   = "scoped token"
	whoLacking  = "token missing the needed permission"
)

// securityMatrix returns, for every route, the calls of each column (and the route's
// own cases) with the documented answer. Calls that may delete aim at spare resources.
func securityMatrix(t *testing.T, w *world) map[string][]secCase {
	gw401 := want{status: 401, gateway: true}
	w403 := want{status: 403}
	w404 := want{status: 404}
	c := w.consumer
	tr := w.trigger
	onTrigger := func(suffix string) string { return "/v1/triggers/" + tr + suffix }
	event := `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + scopePath + `/hooks/h2"}}}`
	// owned builds the four columns of a route on one of the owner's resources: no token
	// is API Gateway's 401, anyone else's token a 404, and the owner's scoped token and
	// the owner's token without the grant get scoped and lacking.
	owned := func(method, path, body string, scoped, lacking want) []secCase {
		return []secCase{
			{whoNone, call{method: method, path: path, body: body}, gw401},
			{whoIntruder, call{method: method, path: path, body: body, token: w.intruder}, w404},
			{whoScoped, call{method: method, path: path, body: body, token: w.scoped}, scoped},
			{whoLacking, call{method: method, path: path, body: body, token: w.bare}, lacking},
		}
	}
	// lists checks that a listing shows the caller's items and none of the owner's.
	lists := func(mine bool, id string) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			if got := strings.Contains(string(a.body), `"id":"`+id+`"`); got != mine {
				t.Errorf("the listing shows the owner's %s: %v, want %v: %s", id, got, mine, a)
			}
		}
	}
	owner := func(sub string) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			if !strings.Contains(string(a.body), `"owner":"`+sub+`"`) {
				t.Errorf("the created resource is not owned by %s: %s", sub, a)
			}
		}
	}
	okWith := func(status int, check func(t *testing.T, a answer)) want { return want{status: status, check: check} }
	ok := func(status int) want { return want{status: status} }

	spec := `{"target":{"resources":[{"path":"` + scopePath + `","include_subresources":true}]},"deliver_policy":"new"}`
	ackIDs := `{"ids":["` + w.notification + `"]}`
	notif := `{"recipients":["` + ownerSub + `"],"variant":"ANNOUNCEMENT","message":"forged"}`
	publish := `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + scopePath + `/items/forged"}}`
	countIs := func(n int) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			if !strings.Contains(string(a.body), fmt.Sprintf(`"unacknowledged":%d`, n)) {
				t.Errorf("count %s, want %d", a, n)
			}
		}
	}
	triggerSpec := strings.Replace(w.triggerSpec, `"name":"hooks"`, `"name":"matrix"`, 1)

	return map[string][]secCase{
		"GET /v1/health": {
			{whoNone, call{method: "GET", path: "/v1/health"}, ok(200)},
			{whoIntruder, call{method: "GET", path: "/v1/health", token: w.intruder}, ok(200)},
			{whoScoped, call{method: "GET", path: "/v1/health", token: w.scoped}, ok(200)},
			{"a forged token", call{method: "GET", path: "/v1/health", authz: "Bearer forged.forged.forged"}, ok(200)},
		},
		"POST /v1/events": {
			{whoNone, call{method: "POST", path: "/v1/events", body: publish}, gw401},
			{whoIntruder, call{method: "POST", path: "/v1/events", body: publish, token: w.intruder}, w403},
			{whoScoped, call{method: "POST", path: "/v1/events", body: publish, token: w.scoped}, w403},
			{whoLacking + " (a service without the publisher role)", call{method: "POST", path: "/v1/events", body: publish, token: w.service}, w403},
		},
		"GET /v1/catalog": {
			{whoNone, call{method: "GET", path: "/v1/catalog"}, gw401},
			{whoIntruder, call{method: "GET", path: "/v1/catalog", token: w.intruder}, ok(200)},
			{whoScoped, call{method: "GET", path: "/v1/catalog", token: w.scoped}, ok(200)},
			{whoLacking + " (any user may read it)", call{method: "GET", path: "/v1/catalog", token: w.bare}, ok(200)},
		},
		"POST /v1/consumers": {
			{whoNone, call{method: "POST", path: "/v1/consumers", body: spec}, gw401},
			// Another user with READ makes a consumer of their own, never the owner's.
			{whoIntruder, call{method: "POST", path: "/v1/consumers", body: spec, token: w.intruder}, okWith(201, owner(intruderSub))},
			{whoScoped, call{method: "POST", path: "/v1/consumers", body: spec, token: w.scoped}, okWith(201, owner(ownerSub))},
			{whoLacking, call{method: "POST", path: "/v1/consumers", body: spec, token: w.bare}, w403},
			{"a user target of someone else", call{method: "POST", path: "/v1/consumers", body: `{"target":{"user":"` + ownerSub + `"}}`, token: w.intruder}, w403},
			{"a user target with a scoped token", call{method: "POST", path: "/v1/consumers", body: `{"target":{"user":"` + ownerSub + `"}}`, token: w.scoped}, w403},
			{"all events without the admin role", call{method: "POST", path: "/v1/consumers", body: `{"target":{"all":true}}`, token: w.owner}, w403},
			{"announcements with a service token", call{method: "POST", path: "/v1/consumers", body: `{"target":{"announcements":true}}`, token: w.publisher}, w403},
		},
		"GET /v1/consumers": {
			{whoNone, call{method: "GET", path: "/v1/consumers"}, gw401},
			{whoIntruder, call{method: "GET", path: "/v1/consumers", token: w.intruder}, okWith(200, lists(false, c))},
			{whoScoped, call{method: "GET", path: "/v1/consumers", token: w.scoped}, okWith(200, lists(true, c))},
			{whoLacking + " (listing needs none)", call{method: "GET", path: "/v1/consumers", token: w.bare}, okWith(200, lists(true, c))},
		},
		"GET /v1/consumers/{id}": owned("GET", "/v1/consumers/"+c, "", ok(200), ok(200)),
		"DELETE /v1/consumers/{id}": {
			{whoNone, call{method: "DELETE", path: "/v1/consumers/" + c}, gw401},
			// READ on the scope is not WRITE: the intruder may not delete it.
			{whoIntruder, call{method: "DELETE", path: "/v1/consumers/" + c, token: w.intruder}, w404},
			{whoScoped, call{method: "DELETE", path: "/v1/consumers/" + w.spareConsumer(t), token: w.scoped}, ok(204)},
			{whoLacking + " (the owner may always delete)", call{method: "DELETE", path: "/v1/consumers/" + w.spareConsumer(t), token: w.bare}, ok(204)},
			{"an admin of another project", call{method: "DELETE", path: "/v1/consumers/" + c,
				token: mintToken(t, auth.Claims{Subject: intruderSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/elsewhere": auth.Admin}})}, w404},
		},
		"GET /v1/consumers/{id}/batch":  owned("GET", "/v1/consumers/"+c+"/batch", "", ok(200), w403),
		"GET /v1/consumers/{id}/stream": streamCases(w),
		"POST /v1/acknowledge": {
			{whoNone + ", a forged signature", call{method: "POST", path: "/v1/acknowledge", body: ackBody("ack", flipHMAC(t, w.reply))}, want{status: 400, fields: []string{"replies[0]"}}},
			{whoIntruder + ", the owner's reply pointed at the intruder's consumer", call{method: "POST", path: "/v1/acknowledge", token: w.intruder,
				body: ackBody("ack", withConsumer(t, w.reply, w.intruderConsumer))}, want{status: 400, fields: []string{"replies[0]"}}},
			{whoScoped + ", the intruder's reply pointed at the owner's consumer", call{method: "POST", path: "/v1/acknowledge", token: w.scoped,
				body: ackBody("term", withConsumer(t, w.intruderReply, w.consumer))}, want{status: 400, fields: []string{"replies[0]"}}},
			{whoLacking + ", replies of two consumers", call{method: "POST", path: "/v1/acknowledge", token: w.bare,
				body: ackBody("ack", w.reply, w.intruderReply)}, want{status: 400, fields: []string{"replies[1]"}}},
			{"an unknown key", call{method: "POST", path: "/v1/acknowledge", body: ackBody("ack", func() reply.Reply { r := w.reply; r.KeyID = "other"; return r }())},
				want{status: 400, fields: []string{"replies[0]"}}},
			// The reply is the credential, whoever hands it back: in_progress only
			// restarts the message's ack wait.
			{"a genuine reply from anyone", call{method: "POST", path: "/v1/acknowledge", token: w.intruder, body: ackBody("in_progress", w.reply)},
				okWith(200, func(t *testing.T, a answer) {
					if !strings.Contains(string(a.body), `"acknowledged":1`) {
						t.Errorf("acknowledge: %s", a)
					}
				})},
		},
		"GET /v1/me/notifications": {
			{whoNone, call{method: "GET", path: "/v1/me/notifications"}, gw401},
			{whoIntruder, call{method: "GET", path: "/v1/me/notifications?state=all", token: w.intruder}, okWith(200, lists(false, w.notification))},
			{whoScoped, call{method: "GET", path: "/v1/me/notifications", token: w.scoped}, w403},
			{whoLacking + " (a service token)", call{method: "GET", path: "/v1/me/notifications", token: w.publisher}, w403},
		},
		"GET /v1/me/notifications/count": {
			{whoNone, call{method: "GET", path: "/v1/me/notifications/count"}, gw401},
			{whoIntruder, call{method: "GET", path: "/v1/me/notifications/count", token: w.intruder}, okWith(200, countIs(0))},
			{whoScoped, call{method: "GET", path: "/v1/me/notifications/count", token: w.scoped}, w403},
			{whoLacking + " (a service token)", call{method: "GET", path: "/v1/me/notifications/count", token: w.publisher}, w403},
		},
		"POST /v1/me/notifications/acknowledge": {
			{whoNone, call{method: "POST", path: "/v1/me/notifications/acknowledge", body: ackIDs}, gw401},
			// Someone else's notification is one the caller does not have.
			{whoIntruder, call{method: "POST", path: "/v1/me/notifications/acknowledge", body: ackIDs, token: w.intruder}, okWith(200, func(t *testing.T, a answer) {
				var raw struct {
					Acknowledged []string `json:"acknowledged"`
					NotFound     []string `json:"not_found"`
				}
				if json.Unmarshal(a.body, &raw) != nil || len(raw.Acknowledged) != 0 || !slices.Equal(raw.NotFound, []string{w.notification}) {
					t.Errorf("the intruder acknowledging the owner's notification: %s, want it not found", a)
				}
			})},
			{whoScoped, call{method: "POST", path: "/v1/me/notifications/acknowledge", body: ackIDs, token: w.scoped}, w403},
			{whoLacking + " (a service token)", call{method: "POST", path: "/v1/me/notifications/acknowledge", body: ackIDs, token: w.publisher}, w403},
		},
		"POST /v1/notifications": {
			{whoNone, call{method: "POST", path: "/v1/notifications", body: notif}, gw401},
			{whoIntruder, call{method: "POST", path: "/v1/notifications", body: notif, token: w.intruder}, w403},
			{whoScoped, call{method: "POST", path: "/v1/notifications", body: notif, token: w.scoped}, w403},
			{whoLacking + " (a service without the publisher role)", call{method: "POST", path: "/v1/notifications", body: notif, token: w.service}, w403},
		},
		"POST /v1/triggers": {
			{whoNone, call{method: "POST", path: "/v1/triggers", body: triggerSpec}, gw401},
			{whoIntruder, call{method: "POST", path: "/v1/triggers", body: triggerSpec, token: w.intruder}, okWith(201, owner(intruderSub))},
			{whoScoped, call{method: "POST", path: "/v1/triggers", body: triggerSpec, token: w.scoped}, okWith(201, owner(ownerSub))},
			{whoLacking, call{method: "POST", path: "/v1/triggers", body: triggerSpec, token: w.bare}, w403},
			{"a sync trigger with READ only", call{method: "POST", path: "/v1/triggers", token: w.owner,
				body: `{"name":"veto","resource":{"path":"` + scopePath + `"},"events":["*"],"mode":"sync","action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}}`}, w403},
		},
		"GET /v1/triggers": {
			{whoNone, call{method: "GET", path: "/v1/triggers"}, gw401},
			{whoIntruder, call{method: "GET", path: "/v1/triggers", token: w.intruder}, okWith(200, lists(false, tr))},
			{whoScoped, call{method: "GET", path: "/v1/triggers", token: w.scoped}, okWith(200, lists(true, tr))},
			{whoLacking + " (listing needs none)", call{method: "GET", path: "/v1/triggers", token: w.bare}, okWith(200, lists(true, tr))},
		},
		"GET /v1/triggers/{id}": owned("GET", onTrigger(""), "", ok(200), ok(200)),
		// Replacing is checked as creating: READ on the path.
		"PUT /v1/triggers/{id}": owned("PUT", onTrigger(""), w.triggerSpec, ok(200), w403),
		"DELETE /v1/triggers/{id}": {
			{whoNone, call{method: "DELETE", path: onTrigger("")}, gw401},
			{whoIntruder, call{method: "DELETE", path: onTrigger(""), token: w.intruder}, w404},
			{whoScoped, call{method: "DELETE", path: "/v1/triggers/" + w.spareTrigger(t), token: w.scoped}, ok(204)},
			{whoLacking + " (the owner may always delete)", call{method: "DELETE", path: "/v1/triggers/" + w.spareTrigger(t), token: w.bare}, ok(204)},
		},
		"POST /v1/triggers/{id}/test": owned("POST", onTrigger("/test"), event, ok(200), ok(200)),
		// Enabling and replaying make events flow again: READ on the scope, as creating.
		"POST /v1/triggers/{id}/enable": owned("POST", onTrigger("/enable"), "", ok(200), w403),
		"POST /v1/triggers/{id}/fire":   owned("POST", onTrigger("/fire"), event, ok(202), ok(202)),
		"GET /v1/triggers/{id}/deliveries": append(owned("GET", onTrigger("/deliveries"), "", ok(200), ok(200)),
			secCase{"the intruder's own trigger", call{method: "GET", path: "/v1/triggers/" + w.intruderTrigger + "/deliveries", token: w.intruder},
				okWith(200, lists(false, w.delivery))}),
		"POST /v1/triggers/{id}/deliveries/{delivery_id}/retry": append(owned("POST", onTrigger("/deliveries/"+w.delivery+"/retry"), "", ok(202), ok(202)),
			// A delivery is found only under its own trigger.
			secCase{"the owner's delivery under the intruder's trigger", call{method: "POST", path: "/v1/triggers/" + w.intruderTrigger + "/deliveries/" + w.delivery + "/retry", token: w.intruder}, w404}),
		"POST /v1/triggers/{id}/replay": owned("POST", onTrigger("/replay"), fmt.Sprintf(`{"start_sequence":%d}`, w.sequence), ok(202), w403),
	}
}

// streamCases are the stream's columns: the Function URL has no authorizer, so the
// function itself answers 401 as problem+json.
func streamCases(w *world) []secCase {
	path := "/v1/consumers/" + w.consumer + "/stream"
	stream := want{status: 200, check: func(t *testing.T, a answer) {
		if ct := a.header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("stream: Content-Type %q", ct)
		}
	}}
	return []secCase{
		{whoNone, call{method: "GET", path: path}, want{status: 401}},
		{whoIntruder, call{method: "GET", path: path, token: w.intruder}, want{status: 404}},
		{whoScoped, call{method: "GET", path: path, token: w.scoped}, stream},
		{whoLacking, call{method: "GET", path: path, token: w.bare}, want{status: 403}},
	}
}

// TestSecurity starts a stack, makes one user's resources, and checks every route of
// template.yaml against callers without a token, with another user's token, with a
// scoped token and with a token that lacks the permission; then that secrets appear in no
// later answer nor any log line, and that webhooks to internal networks are refused.
func TestSecurity(t *testing.T) {
	p := startStack(t)
	w := newWorld(t, p)
	afterCreate := w.ac.mark()

	t.Run("matrix", func(t *testing.T) {
		matrix := securityMatrix(t, w)
		maps.Copy(matrix, adminSecurityCases(t, w))
		covered := map[string]bool{}
		var want []string
		for _, r := range templateRoutes(t) {
			want = append(want, r.String())
		}
		for route := range matrix {
			covered[route] = true
		}
		checkCovers(t, "security", want, covered)
		for _, route := range want {
			t.Run(route, func(t *testing.T) {
				cases := matrix[route]
				for _, col := range []string{whoNone, whoIntruder, whoScoped} {
					if !slices.ContainsFunc(cases, func(c secCase) bool { return strings.HasPrefix(c.who, col) }) {
						t.Errorf("no %q case", col)
					}
				}
				for _, c := range cases {
					t.Run(c.who, func(t *testing.T) {
						expect(t, c.call, w.ac.do(t, c.call), c.want)
					})
				}
			})
		}
	})

	t.Run("secrets", func(t *testing.T) {
		// A rotation: the new secret is the owner's to give, the old one still signs.
		rotated, err := webhook.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		spec := strings.Replace(w.triggerSpec, `"type":"http",`, `"type":"http","secret":"`+rotated+`","previous_secrets":["`+w.secret+`"],`, 1)
		w.ac.ok(t, call{method: "PUT", path: "/v1/triggers/" + w.trigger, token: w.owner, body: spec}, http.StatusOK, nil)
		before, _ := w.hook.received()
		w.ac.ok(t, call{method: "POST", path: "/v1/triggers/" + w.trigger + "/fire", token: w.owner,
			body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + scopePath + `/hooks/rotated"}}}`}, http.StatusAccepted, nil)
		testenv.WaitFor(t, 60*time.Second, func() bool {
			_, bodies := w.hook.received()
			return len(bodies) > len(before) && bytes.Contains(bodies[len(bodies)-1], []byte("/hooks/rotated"))
		}, "the webhook after the rotation")
		headers, bodies := w.hook.received()
		last := len(bodies) - 1
		for _, s := range []string{rotated, w.secret} {
			key, _ := webhook.ParseSecret(s)
			if err := webhook.Verify(key, headers[last], bodies[last], time.Minute, time.Now()); err != nil {
				t.Errorf("the webhook after the rotation does not verify with one of its secrets: %v", err)
			}
		}
		// Every view of the trigger after its creation.
		for _, c := range []call{
			{method: "GET", path: "/v1/triggers/" + w.trigger, token: w.owner},
			{method: "GET", path: "/v1/triggers", token: w.owner},
			{method: "POST", path: "/v1/triggers/" + w.trigger + "/enable", token: w.owner},
			{method: "POST", path: "/v1/triggers/" + w.trigger + "/test", token: w.owner, body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"x","path":"` + scopePath + `/hooks/t"}}}`},
			{method: "GET", path: "/v1/triggers/" + w.trigger + "/deliveries", token: w.owner},
			{method: "GET", path: "/v1/me/notifications?state=all", token: w.owner},
		} {
			w.ac.ok(t, c, http.StatusOK, nil)
		}

		secrets := map[string]string{
			"the webhook secret":         strings.TrimPrefix(w.secret, webhook.SecretPrefix),
			"the rotated webhook secret": strings.TrimPrefix(rotated, webhook.SecretPrefix),
			"the JWT secret":             DevSecret,
			"the reply key":              DevReplyKeys[strings.Index(DevReplyKeys, ":")+1:],
			"the reply key, decoded":     "herald-local-reply-key-dev-only!",
			"the NATS actions password":  actionsPassword(t, p),
		}
		w.ac.mu.Lock()
		answers := slices.Clone(w.ac.answers[afterCreate:])
		tokens := slices.Clone(w.ac.tokens)
		w.ac.mu.Unlock()
		for _, a := range answers {
			for what, s := range secrets {
				if bytes.Contains(a.body, []byte(s)) {
					t.Errorf("%s appears in the answer to %s: %s", what, a.what, truncate(string(a.body), 300))
				}
			}
		}
		// The banner prints the dev secret and tokens on purpose; the function logs follow it.
		_, logs, ok := strings.Cut(p.text(), "Logs of every function follow")
		if !ok || !strings.Contains(logs, "trigger created") {
			t.Fatalf("no function logs in the stack's output:\n%s", p.text())
		}
		for what, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("%s appears in the stack's logs", what)
			}
		}
		leaked := 0
		for _, tok := range tokens {
			sig := tok[strings.LastIndex(tok, ".")+1:]
			if strings.Contains(logs, tok) || (len(sig) >= 20 && strings.Contains(logs, sig)) {
				leaked++
			}
		}
		if leaked > 0 {
			t.Errorf("%d of %d bearer tokens appear in the stack's logs", leaked, len(tokens))
		}
	})

	t.Run("nats actions user", func(t *testing.T) { actionsNATSConfined(t, p) })

	t.Run("ssrf", func(t *testing.T) {
		// The design refuses internal targets at dial time: a trigger may name one (its
		// name may resolve elsewhere later), but every delivery to it fails without a
		// connection, and is exhausted.
		targets := []struct {
			name, url string
			refused   bool // refused by address; false where the name does not resolve here
		}{
			{"cloud metadata (link-local)", "http://169.254.169.254/latest/meta-data/", true},
			{"private network", "http://10.0.0.1/", true},
			{"private network 192.168", "http://192.168.1.1:8080/", true},
			{"carrier-grade NAT", "http://100.64.0.1/", true},
			{"unique-local IPv6", "http://[fd00::1]/", true},
			{"AWS IPv6 metadata", "http://[fd00:ec2::254]/", true},
			{"link-local IPv6", "http://[fe80::1]/", true},
			{"IPv4-mapped private", "http://[::ffff:10.0.0.1]/", true},
			{"multicast", "http://224.0.0.1/", true},
			{"unspecified", "http://0.0.0.0/", true},
			{"GCP metadata name", "http://metadata.google.internal/computeMetadata/v1/", false},
		}
		type pending struct {
			name, trigger string
			refused       bool
		}
		var all []pending
		for i, target := range targets {
			var tr struct {
				ID string `json:"id"`
			}
			w.ac.ok(t, call{method: "POST", path: "/v1/triggers", token: w.owner,
				body: fmt.Sprintf(`{"name":"ssrf %d","resource":{"path":"%s/ssrf"},"action":{"type":"http","url":%q,"timeout_ms":2000},"retry":{"schedule":["1s"]}}`, i, scopePath, target.url)},
				http.StatusCreated, &tr)
			w.ac.ok(t, call{method: "POST", path: "/v1/triggers/" + tr.ID + "/fire", token: w.owner,
				body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"x","path":"` + scopePath + `/ssrf"}}}`}, http.StatusAccepted, nil)
			all = append(all, pending{target.name, tr.ID, target.refused})
		}
		for _, pd := range all {
			t.Run(pd.name, func(t *testing.T) {
				d := w.waitDeliveries(t, pd.trigger, "exhausted", 1)[0]
				if len(d.Log) == 0 {
					t.Fatalf("exhausted delivery without attempts: %+v", d)
				}
				for _, a := range d.Log {
					if a.StatusCode != 0 || a.Error == "" {
						t.Errorf("attempt %+v: want no answer from the target, and an error", a)
					}
					if pd.refused && !strings.Contains(a.Error, "refused to connect") {
						t.Errorf("attempt error %q, want the address refused", a.Error)
					}
				}
				if pd.refused && d.Attempts != 1 {
					t.Errorf("%d attempts: a refused target cannot succeed, so one is enough", d.Attempts)
				}
			})
		}
	})

	t.Run("quota", func(t *testing.T) { checkQuota(t, w) })
}
