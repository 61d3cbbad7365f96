package security

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/webhook"
	"github.com/heraldhq/herald/test/stacktest"
)

// secCase is one call of the security matrix and its documented answer.
type secCase struct {
	who  string
	call stacktest.Call
	want stacktest.Want
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
func securityMatrix(t *testing.T, w *stacktest.World) map[string][]secCase {
	gw401 := stacktest.Want{Status: 401, Gateway: true}
	w403 := stacktest.Want{Status: 403}
	w404 := stacktest.Want{Status: 404}
	c := w.Consumer
	tr := w.Trigger
	onTrigger := func(suffix string) string { return "/v1/triggers/" + tr + suffix }
	event := `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/hooks/h2"}}}`
	// owned builds the four columns of a route on one of the owner's resources: no token
	// is API Gateway's 401, anyone else's token a 404, and the owner's scoped token and
	// the owner's token without the grant get scoped and lacking.
	owned := func(method, path, body string, scoped, lacking stacktest.Want) []secCase {
		return []secCase{
			{whoNone, stacktest.Call{Method: method, Path: path, Body: body}, gw401},
			{whoIntruder, stacktest.Call{Method: method, Path: path, Body: body, Token: w.Intruder}, w404},
			{whoScoped, stacktest.Call{Method: method, Path: path, Body: body, Token: w.Scoped}, scoped},
			{whoLacking, stacktest.Call{Method: method, Path: path, Body: body, Token: w.Bare}, lacking},
		}
	}
	// lists checks that a listing shows the caller's items and none of the owner's.
	lists := func(mine bool, id string) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			if got := strings.Contains(string(a.Body), `"id":"`+id+`"`); got != mine {
				t.Errorf("the listing shows the owner's %s: %v, want %v: %s", id, got, mine, a)
			}
		}
	}
	owner := func(sub string) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			if !strings.Contains(string(a.Body), `"owner":"`+sub+`"`) {
				t.Errorf("the created resource is not owned by %s: %s", sub, a)
			}
		}
	}
	okWith := func(status int, check func(t *testing.T, a stacktest.Answer)) stacktest.Want {
		return stacktest.Want{Status: status, Check: check}
	}
	ok := func(status int) stacktest.Want { return stacktest.Want{Status: status} }

	spec := `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `","include_subresources":true}]},"deliver_policy":"new"}`
	ackIDs := `{"ids":["` + w.Notification + `"]}`
	notif := `{"recipients":["` + stacktest.OwnerSub + `"],"variant":"ANNOUNCEMENT","message":"forged"}`
	publish := `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/items/forged","after":{"title":"forged"}}}`
	countIs := func(n int) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			if !strings.Contains(string(a.Body), fmt.Sprintf(`"unacknowledged":%d`, n)) {
				t.Errorf("count %s, want %d", a, n)
			}
		}
	}
	triggerSpec := strings.Replace(w.TriggerSpec, `"name":"hooks"`, `"name":"matrix"`, 1)

	return map[string][]secCase{
		"GET /v1/health": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/health"}, ok(200)},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/health", Token: w.Intruder}, ok(200)},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/health", Token: w.Scoped}, ok(200)},
			{"a forged token", stacktest.Call{Method: "GET", Path: "/v1/health", Authz: "Bearer forged.forged.forged"}, ok(200)},
		},
		"POST /v1/events": {
			{whoNone, stacktest.Call{Method: "POST", Path: "/v1/events", Body: publish}, gw401},
			{whoIntruder, stacktest.Call{Method: "POST", Path: "/v1/events", Body: publish, Token: w.Intruder}, w403},
			{whoScoped, stacktest.Call{Method: "POST", Path: "/v1/events", Body: publish, Token: w.Scoped}, w403},
			{whoLacking + " (a service without the publisher role)", stacktest.Call{Method: "POST", Path: "/v1/events", Body: publish, Token: w.Service}, w403},
		},
		"GET /v1/catalog": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/catalog"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/catalog", Token: w.Intruder}, ok(200)},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/catalog", Token: w.Scoped}, ok(200)},
			{whoLacking + " (any user may read it)", stacktest.Call{Method: "GET", Path: "/v1/catalog", Token: w.Bare}, ok(200)},
		},
		"GET /v1/catalog/{type}": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/catalog/job.JobFinished"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/catalog/job.JobFinished", Token: w.Intruder}, ok(200)},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/catalog/job.JobFinished", Token: w.Scoped}, ok(200)},
			{whoLacking + " (any user may read it)", stacktest.Call{Method: "GET", Path: "/v1/catalog/job.JobFinished", Token: w.Bare}, ok(200)},
		},
		"POST /v1/consumers": {
			{whoNone, stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: spec}, gw401},
			// Another user with READ makes a consumer of their own, never the owner's.
			{whoIntruder, stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: spec, Token: w.Intruder}, okWith(201, owner(stacktest.IntruderSub))},
			{whoScoped, stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: spec, Token: w.Scoped}, okWith(201, owner(stacktest.OwnerSub))},
			{whoLacking, stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: spec, Token: w.Bare}, w403},
			{"a user target of someone else", stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: `{"target":{"user":"` + stacktest.OwnerSub + `"}}`, Token: w.Intruder}, w403},
			{"a user target with a scoped token", stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: `{"target":{"user":"` + stacktest.OwnerSub + `"}}`, Token: w.Scoped}, w403},
			{"all events without the admin role", stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: `{"target":{"all":true}}`, Token: w.Owner}, w403},
			{"announcements with a service token", stacktest.Call{Method: "POST", Path: "/v1/consumers", Body: `{"target":{"announcements":true}}`, Token: w.Publisher}, w403},
		},
		"GET /v1/consumers": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/consumers"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/consumers", Token: w.Intruder}, okWith(200, lists(false, c))},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/consumers", Token: w.Scoped}, okWith(200, lists(true, c))},
			{whoLacking + " (listing needs none)", stacktest.Call{Method: "GET", Path: "/v1/consumers", Token: w.Bare}, okWith(200, lists(true, c))},
		},
		"GET /v1/consumers/{id}": owned("GET", "/v1/consumers/"+c, "", ok(200), ok(200)),
		"DELETE /v1/consumers/{id}": {
			{whoNone, stacktest.Call{Method: "DELETE", Path: "/v1/consumers/" + c}, gw401},
			// READ on the scope is not WRITE: the intruder may not delete it.
			{whoIntruder, stacktest.Call{Method: "DELETE", Path: "/v1/consumers/" + c, Token: w.Intruder}, w404},
			{whoScoped, stacktest.Call{Method: "DELETE", Path: "/v1/consumers/" + w.SpareConsumer(t), Token: w.Scoped}, ok(204)},
			{whoLacking + " (the owner may always delete)", stacktest.Call{Method: "DELETE", Path: "/v1/consumers/" + w.SpareConsumer(t), Token: w.Bare}, ok(204)},
			{"an admin of another project", stacktest.Call{Method: "DELETE", Path: "/v1/consumers/" + c,
				Token: stacktest.MintToken(t, auth.Claims{Subject: stacktest.IntruderSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/elsewhere": auth.Admin}})}, w404},
		},
		"GET /v1/consumers/{id}/batch":    owned("GET", "/v1/consumers/"+c+"/batch", "", ok(200), w403),
		"GET /v1/consumers/{id}/stream":   streamCases(w),
		"GET /v1/me/notifications/stream": inboxStreamCases(w),
		"POST /v1/acknowledge": {
			{whoNone + ", a forged signature", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Body: stacktest.AckBody("ack", stacktest.FlipHMAC(t, w.Reply))}, stacktest.Want{Status: 400, Fields: []string{"replies[0]"}}},
			{whoIntruder + ", the owner's reply pointed at the intruder's consumer", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Token: w.Intruder,
				Body: stacktest.AckBody("ack", stacktest.WithConsumer(t, w.Reply, w.IntruderConsumer))}, stacktest.Want{Status: 400, Fields: []string{"replies[0]"}}},
			{whoScoped + ", the intruder's reply pointed at the owner's consumer", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Token: w.Scoped,
				Body: stacktest.AckBody("term", stacktest.WithConsumer(t, w.IntruderReply, w.Consumer))}, stacktest.Want{Status: 400, Fields: []string{"replies[0]"}}},
			{whoLacking + ", replies of two consumers", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Token: w.Bare,
				Body: stacktest.AckBody("ack", w.Reply, w.IntruderReply)}, stacktest.Want{Status: 400, Fields: []string{"replies[1]"}}},
			{"an unknown key", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Body: stacktest.AckBody("ack", func() reply.Reply { r := w.Reply; r.KeyID = "other"; return r }())},
				stacktest.Want{Status: 400, Fields: []string{"replies[0]"}}},
			// The reply is the credential, whoever hands it back: in_progress only
			// restarts the message's ack wait.
			{"a genuine reply from anyone", stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Token: w.Intruder, Body: stacktest.AckBody("in_progress", w.Reply)},
				okWith(200, func(t *testing.T, a stacktest.Answer) {
					if !strings.Contains(string(a.Body), `"acknowledged":1`) {
						t.Errorf("acknowledge: %s", a)
					}
				})},
		},
		"GET /v1/me/notifications": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/me/notifications"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/me/notifications?state=all", Token: w.Intruder}, okWith(200, lists(false, w.Notification))},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/me/notifications", Token: w.Scoped}, w403},
			{whoLacking + " (a service token)", stacktest.Call{Method: "GET", Path: "/v1/me/notifications", Token: w.Publisher}, w403},
		},
		"GET /v1/me/notifications/count": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/me/notifications/count"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/me/notifications/count", Token: w.Intruder}, okWith(200, countIs(0))},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/me/notifications/count", Token: w.Scoped}, w403},
			{whoLacking + " (a service token)", stacktest.Call{Method: "GET", Path: "/v1/me/notifications/count", Token: w.Publisher}, w403},
		},
		"POST /v1/me/notifications/acknowledge": {
			{whoNone, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Body: ackIDs}, gw401},
			// Someone else's notification is one the caller does not have.
			{whoIntruder, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Body: ackIDs, Token: w.Intruder}, okWith(200, func(t *testing.T, a stacktest.Answer) {
				var raw struct {
					Acknowledged []string `json:"acknowledged"`
					NotFound     []string `json:"not_found"`
				}
				if json.Unmarshal(a.Body, &raw) != nil || len(raw.Acknowledged) != 0 || !slices.Equal(raw.NotFound, []string{w.Notification}) {
					t.Errorf("the intruder acknowledging the owner's notification: %s, want it not found", a)
				}
			})},
			{whoScoped, stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Body: ackIDs, Token: w.Scoped}, w403},
			{whoLacking + " (a service token)", stacktest.Call{Method: "POST", Path: "/v1/me/notifications/acknowledge", Body: ackIDs, Token: w.Publisher}, w403},
		},
		"POST /v1/notifications": {
			{whoNone, stacktest.Call{Method: "POST", Path: "/v1/notifications", Body: notif}, gw401},
			{whoIntruder, stacktest.Call{Method: "POST", Path: "/v1/notifications", Body: notif, Token: w.Intruder}, w403},
			{whoScoped, stacktest.Call{Method: "POST", Path: "/v1/notifications", Body: notif, Token: w.Scoped}, w403},
			{whoLacking + " (a service without the publisher role)", stacktest.Call{Method: "POST", Path: "/v1/notifications", Body: notif, Token: w.Service}, w403},
		},
		"POST /v1/triggers": append([]secCase{
			{whoNone, stacktest.Call{Method: "POST", Path: "/v1/triggers", Body: triggerSpec}, gw401},
			{whoIntruder, stacktest.Call{Method: "POST", Path: "/v1/triggers", Body: triggerSpec, Token: w.Intruder}, okWith(201, owner(stacktest.IntruderSub))},
			{whoScoped, stacktest.Call{Method: "POST", Path: "/v1/triggers", Body: triggerSpec, Token: w.Scoped}, okWith(201, owner(stacktest.OwnerSub))},
			{whoLacking, stacktest.Call{Method: "POST", Path: "/v1/triggers", Body: triggerSpec, Token: w.Bare}, w403},
			{"a sync trigger with READ only", stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: w.Owner,
				Body: `{"name":"veto","resource":{"path":"` + stacktest.ScopePath + `"},"events":["*"],"mode":"sync","action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}}`}, w403},
		}, wideTriggerCases(t, w)...),
		"GET /v1/triggers": {
			{whoNone, stacktest.Call{Method: "GET", Path: "/v1/triggers"}, gw401},
			{whoIntruder, stacktest.Call{Method: "GET", Path: "/v1/triggers", Token: w.Intruder}, okWith(200, lists(false, tr))},
			{whoScoped, stacktest.Call{Method: "GET", Path: "/v1/triggers", Token: w.Scoped}, okWith(200, lists(true, tr))},
			{whoLacking + " (listing needs none)", stacktest.Call{Method: "GET", Path: "/v1/triggers", Token: w.Bare}, okWith(200, lists(true, tr))},
		},
		"GET /v1/triggers/{id}": owned("GET", onTrigger(""), "", ok(200), ok(200)),
		// Replacing is checked as creating: READ on the path.
		"PUT /v1/triggers/{id}": append(owned("PUT", onTrigger(""), w.TriggerSpec, ok(200), w403),
			// Replacing is where a trigger could lose its path: checked as creating.
			secCase{"the owner's trigger, its path left out", stacktest.Call{Method: "PUT", Path: onTrigger(""), Token: w.Owner,
				Body: strings.Replace(w.TriggerSpec, `"path":"`+stacktest.ScopePath+`/hooks",`, "", 1)}, stacktest.Want{Status: 403, Fields: []string{"resource.path"}}}),
		"DELETE /v1/triggers/{id}": {
			{whoNone, stacktest.Call{Method: "DELETE", Path: onTrigger("")}, gw401},
			{whoIntruder, stacktest.Call{Method: "DELETE", Path: onTrigger(""), Token: w.Intruder}, w404},
			{whoScoped, stacktest.Call{Method: "DELETE", Path: "/v1/triggers/" + w.SpareTrigger(t), Token: w.Scoped}, ok(204)},
			{whoLacking + " (the owner may always delete)", stacktest.Call{Method: "DELETE", Path: "/v1/triggers/" + w.SpareTrigger(t), Token: w.Bare}, ok(204)},
		},
		"POST /v1/triggers/{id}/test": owned("POST", onTrigger("/test"), event, ok(200), ok(200)),
		// Enabling and replaying make events flow again: READ on the scope, as creating.
		"POST /v1/triggers/{id}/enable": owned("POST", onTrigger("/enable"), "", ok(200), w403),
		"POST /v1/triggers/{id}/fire":   owned("POST", onTrigger("/fire"), event, ok(202), ok(202)),
		"GET /v1/triggers/{id}/deliveries": append(owned("GET", onTrigger("/deliveries"), "", ok(200), ok(200)),
			secCase{"the intruder's own trigger", stacktest.Call{Method: "GET", Path: "/v1/triggers/" + w.IntruderTrigger + "/deliveries", Token: w.Intruder},
				okWith(200, lists(false, w.Delivery))}),
		"POST /v1/triggers/{id}/deliveries/{delivery_id}/retry": append(owned("POST", onTrigger("/deliveries/"+w.Delivery+"/retry"), "", ok(202), ok(202)),
			// A delivery is found only under its own trigger.
			secCase{"the owner's delivery under the intruder's trigger", stacktest.Call{Method: "POST", Path: "/v1/triggers/" + w.IntruderTrigger + "/deliveries/" + w.Delivery + "/retry", Token: w.Intruder}, w404}),
		"POST /v1/triggers/{id}/replay": owned("POST", onTrigger("/replay"), fmt.Sprintf(`{"start_sequence":%d}`, w.Sequence), ok(202), w403),
	}
}

// streamCases are the stream's columns: the Function URL has no authorizer, so the
// function itself answers 401 as problem+json.
func streamCases(w *stacktest.World) []secCase {
	path := "/v1/consumers/" + w.Consumer + "/stream"
	stream := stacktest.Want{Status: 200, Check: func(t *testing.T, a stacktest.Answer) {
		if ct := a.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("stream: Content-Type %q", ct)
		}
	}}
	return []secCase{
		{whoNone, stacktest.Call{Method: "GET", Path: path}, stacktest.Want{Status: 401}},
		{whoIntruder, stacktest.Call{Method: "GET", Path: path, Token: w.Intruder}, stacktest.Want{Status: 404}},
		{whoScoped, stacktest.Call{Method: "GET", Path: path, Token: w.Scoped}, stream},
		{whoLacking, stacktest.Call{Method: "GET", Path: path, Token: w.Bare}, stacktest.Want{Status: 403}},
	}
}

// TestSecurity starts a stack, makes one user's resources, and checks every route of
// template.yaml against callers without a token, with another user's token, with a
// scoped token and with a token that lacks the permission; then that secrets appear in no
// later answer nor any log line, and that webhooks to internal networks are refused.
func TestSecurity(t *testing.T) {
	p := stacktest.Start(t)
	w := stacktest.NewWorld(t, p)
	afterCreate := w.AC.Mark()

	t.Run("matrix", func(t *testing.T) {
		matrix := securityMatrix(t, w)
		maps.Copy(matrix, adminSecurityCases(t, w))
		maps.Copy(matrix, consumerSettingsCases(t, w))
		maps.Copy(matrix, ticketSecurityCases(t, w))
		covered := map[string]bool{}
		var want []string
		for _, r := range stacktest.TemplateRoutes(t) {
			want = append(want, r.String())
		}
		for route := range matrix {
			covered[route] = true
		}
		stacktest.CheckCovers(t, "security", want, covered)
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
						stacktest.Expect(t, c.call, w.AC.Do(t, c.call), c.want)
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
		spec := strings.Replace(w.TriggerSpec, `"type":"http",`, `"type":"http","secret":"`+rotated+`","previous_secrets":["`+w.Secret+`"],`, 1)
		w.AC.OK(t, stacktest.Call{Method: "PUT", Path: "/v1/triggers/" + w.Trigger, Token: w.Owner, Body: spec}, http.StatusOK, nil)
		before, _ := w.Hook.Received()
		w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + w.Trigger + "/fire", Token: w.Owner,
			Body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/hooks/rotated"}}}`}, http.StatusAccepted, nil)
		testenv.WaitFor(t, 60*time.Second, func() bool {
			_, bodies := w.Hook.Received()
			return len(bodies) > len(before) && bytes.Contains(bodies[len(bodies)-1], []byte("/hooks/rotated"))
		}, "the webhook after the rotation")
		headers, bodies := w.Hook.Received()
		last := len(bodies) - 1
		for _, s := range []string{rotated, w.Secret} {
			key, _ := webhook.ParseSecret(s)
			if err := webhook.Verify(key, headers[last], bodies[last], time.Minute, time.Now()); err != nil {
				t.Errorf("the webhook after the rotation does not verify with one of its secrets: %v", err)
			}
		}
		// Every view of the trigger after its creation.
		for _, c := range []stacktest.Call{
			{Method: "GET", Path: "/v1/triggers/" + w.Trigger, Token: w.Owner},
			{Method: "GET", Path: "/v1/triggers", Token: w.Owner},
			{Method: "POST", Path: "/v1/triggers/" + w.Trigger + "/enable", Token: w.Owner},
			{Method: "POST", Path: "/v1/triggers/" + w.Trigger + "/test", Token: w.Owner, Body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"x","path":"` + stacktest.ScopePath + `/hooks/t"}}}`},
			{Method: "GET", Path: "/v1/triggers/" + w.Trigger + "/deliveries", Token: w.Owner},
			{Method: "GET", Path: "/v1/me/notifications?state=all", Token: w.Owner},
		} {
			w.AC.OK(t, c, http.StatusOK, nil)
		}

		secrets := map[string]string{
			"the webhook secret":         strings.TrimPrefix(w.Secret, webhook.SecretPrefix),
			"the rotated webhook secret": strings.TrimPrefix(rotated, webhook.SecretPrefix),
			"the JWT secret":             localstack.DevSecret,
			"the reply key":              localstack.DevReplyKeys[strings.Index(localstack.DevReplyKeys, ":")+1:],
			"the reply key, decoded":     "herald-local-reply-key-dev-only!",
			"the NATS actions password":  actionsPassword(t, p),
		}
		answers, tokens := w.AC.Since(afterCreate)
		for _, a := range answers {
			for what, s := range secrets {
				if bytes.Contains(a.Body, []byte(s)) {
					t.Errorf("%s appears in the answer to %s: %s", what, a.What, stacktest.Truncate(string(a.Body), 300))
				}
			}
		}
		// The banner prints the dev secret and tokens on purpose; the function logs follow it.
		_, logs, ok := strings.Cut(p.Text(), "Logs of every function follow")
		if !ok || !strings.Contains(logs, "trigger created") {
			t.Fatalf("no function logs in the stack's output:\n%s", p.Text())
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

	t.Run("dropped-message notices", func(t *testing.T) { droppedNoticesStayWithOwners(t, w) })
	t.Run("forged advisories", func(t *testing.T) { forgedAdvisoriesTellNobody(t, w) })

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
			w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: w.Owner,
				Body: fmt.Sprintf(`{"name":"ssrf %d","resource":{"path":"%s/ssrf"},"action":{"type":"http","url":%q,"timeout_ms":2000},"retry":{"schedule":["1s"]}}`, i, stacktest.ScopePath, target.url)},
				http.StatusCreated, &tr)
			w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + tr.ID + "/fire", Token: w.Owner,
				Body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"x","path":"` + stacktest.ScopePath + `/ssrf"}}}`}, http.StatusAccepted, nil)
			all = append(all, pending{target.name, tr.ID, target.refused})
		}
		for _, pd := range all {
			t.Run(pd.name, func(t *testing.T) {
				d := w.WaitDeliveries(t, pd.trigger, "exhausted", 1)[0]
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

	t.Run("stream tickets", func(t *testing.T) { streamTickets(t, w) })
	t.Run("announcements", func(t *testing.T) { announcementsConfined(t, w) })
	t.Run("consumer filter", func(t *testing.T) { filterConfined(t, w) })
	t.Run("inbox", func(t *testing.T) { inboxConfined(t, p, w) })
	t.Run("quota", func(t *testing.T) { checkQuota(t, w) })
}
