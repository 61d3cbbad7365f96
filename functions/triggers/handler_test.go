package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/wire"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

func newHandler(t *testing.T) *Handler {
	t.Helper()
	ref := func(name string) string {
		v, err := env.Stack.Ref(name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	js, _ := env.JetStream(t)
	queue, _ := env.NewQueue(t, "deliveries")
	return &Handler{
		Store:      &trigger.Store{DB: env.DynamoDB, Table: ref("TriggersTable")},
		Deliveries: &delivery.Store{DB: env.DynamoDB, Table: ref("DeliveriesTable"), Retention: delivery.DefaultRetention},
		Queue:      &delivery.Queue{SQS: env.SQS, URL: queue},
		JS:         js,
		Policy:     actionspec.Policy{NATS: true},
	}
}

// user returns claims of a personal token with level on projects/p1.
func user(name string, level auth.Level) *auth.Claims {
	return &auth.Claims{Subject: name + "-" + uuid.NewString()[:8], TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": level}}
}

func do(t *testing.T, h *Handler, req awsevents.APIGatewayV2HTTPRequest, out any) awsevents.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
	}
	if out != nil && resp.StatusCode < 300 && resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatalf("response body %q: %v", resp.Body, err)
		}
	}
	return resp
}

const itemsTrigger = `{"name":"items","resource":{"path":"projects/p1","include_subresources":true},"events":["resource.*"],
	"filter":{"resource.type":"itemsvc.*"},"action":{"type":"http","url":"https://example.org/hook","secret":"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}}`

func createTrigger(t *testing.T, h *Handler, c *auth.Claims, spec string) trigger.Trigger {
	t.Helper()
	var tr trigger.Trigger
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", spec, c, nil), &tr); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	return tr
}

func TestLifecycle(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	if tr.ID == "" || tr.Owner != alice.Subject || tr.Mode != "async" || !tr.IsEnabled() || tr.Retry == nil {
		t.Fatalf("created %+v", tr)
	}
	var got trigger.Trigger
	resp := do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", tr.ID, "", alice, nil), &got)
	if resp.StatusCode != http.StatusOK || got.ID != tr.ID || got.Name != "items" {
		t.Fatalf("get: %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, "whsec_") {
		t.Errorf("the action's secret is shown after creation: %s", resp.Body)
	}
	var list struct {
		Items []trigger.Trigger `json:"items"`
	}
	if resp := do(t, h, apigwtest.Request("GET", "/v1/triggers", "", "", alice, nil), &list); resp.StatusCode != http.StatusOK || len(list.Items) != 1 {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}
	replaced := strings.Replace(itemsTrigger, `"name":"items"`, `"name":"items v2","enabled":false`, 1)
	if resp := do(t, h, apigwtest.Request("PUT", "/v1/triggers/{id}", tr.ID, replaced, alice, nil), &got); resp.StatusCode != http.StatusOK || got.Name != "items v2" || got.IsEnabled() {
		t.Fatalf("replace: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/enable", tr.ID, "", alice, nil), &got); resp.StatusCode != http.StatusOK || !got.IsEnabled() {
		t.Fatalf("enable: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("DELETE", "/v1/triggers/{id}", tr.ID, "", alice, nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", tr.ID, "", alice, nil), nil), http.StatusNotFound, "")
}

func TestPermissions(t *testing.T) {
	h := newHandler(t)
	alice, bob := user("alice", auth.Read), user("bob", auth.Admin)
	nobody := &auth.Claims{Subject: "carol", TokenType: auth.Personal}
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("POST", "/v1/triggers", "", itemsTrigger, nobody, nil), nil), http.StatusForbidden, "")
	sync := `{"name":"veto","mode":"sync","resource":{"path":"projects/p1"},"events":["*"],"action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}}`
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("POST", "/v1/triggers", "", sync, alice, nil), nil), http.StatusForbidden, "")
	createTrigger(t, h, user("writer", auth.Write), sync)

	tr := createTrigger(t, h, alice, itemsTrigger)
	for _, r := range []struct{ method, route, body string }{
		{"GET", "/v1/triggers/{id}", ""},
		{"PUT", "/v1/triggers/{id}", itemsTrigger},
		{"DELETE", "/v1/triggers/{id}", ""},
		{"POST", "/v1/triggers/{id}/test", `{"event":{"event":"resource.ResourceCreated","resource":{"type":"x","path":"projects/p1"}}}`},
		{"POST", "/v1/triggers/{id}/enable", ""},
	} {
		t.Run("someone else's "+r.method+" "+r.route, func(t *testing.T) {
			apigwtest.WantProblem(t, do(t, h, apigwtest.Request(r.method, r.route, tr.ID, r.body, bob, nil), nil), http.StatusNotFound, "")
		})
	}
	var list struct {
		Items []trigger.Trigger `json:"items"`
	}
	do(t, h, apigwtest.Request("GET", "/v1/triggers", "", "", bob, nil), &list)
	if len(list.Items) != 0 {
		t.Errorf("bob lists %d triggers, want none", len(list.Items))
	}
}

// TestWithdrawnAccess checks what an owner whose READ on the trigger's scope was
// withdrawn may still do: what makes events flow again (enable, replay) is refused with
// 403, and the trigger is left as it was; reading it and deleting it are not.
func TestWithdrawnAccess(t *testing.T) {
	h := newHandler(t)
	tr := createTrigger(t, h, user("alice", auth.Read), strings.Replace(itemsTrigger, `"name":"items"`, `"name":"items","enabled":false`, 1))
	withdrawn := &auth.Claims{Subject: tr.Owner, TokenType: auth.Personal}
	for _, r := range []struct{ method, route, body string }{
		{"POST", "/v1/triggers/{id}/enable", ""},
		{"POST", "/v1/triggers/{id}/replay", `{"start_sequence":1}`},
	} {
		apigwtest.WantProblem(t, do(t, h, apigwtest.Request(r.method, r.route, tr.ID, r.body, withdrawn, nil), nil), http.StatusForbidden, "")
	}
	var got trigger.Trigger
	if resp := do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", tr.ID, "", withdrawn, nil), &got); resp.StatusCode != http.StatusOK || got.IsEnabled() {
		t.Fatalf("get after a refused enable: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("DELETE", "/v1/triggers/{id}", tr.ID, "", withdrawn, nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestDryRun(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	type answer struct {
		Matched bool `json:"matched"`
		Enabled bool `json:"enabled"`
		Explain []struct {
			Field   string `json:"field"`
			Matched bool   `json:"matched"`
		} `json:"explain"`
	}
	try := func(ev string) answer {
		t.Helper()
		var a answer
		if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/test", tr.ID, `{"event":`+ev+`}`, alice, nil), &a); resp.StatusCode != http.StatusOK {
			t.Fatalf("test: %d %s", resp.StatusCode, resp.Body)
		}
		return a
	}
	if a := try(`{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1"}}`); !a.Matched || !a.Enabled {
		t.Errorf("matching event: %+v", a)
	}
	a := try(`{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/p1/c"}}`)
	failed := []string{}
	for _, s := range a.Explain {
		if !s.Matched {
			failed = append(failed, s.Field)
		}
	}
	if a.Matched || len(failed) != 1 || failed[0] != "resource.type" {
		t.Errorf("non-matching type: matched %v, failed conditions %v, want only resource.type", a.Matched, failed)
	}
	if a := try(`{"event":"job.JobFinished","resource":{"type":"itemsvc.Item","path":"projects/p1/i"}}`); a.Matched || a.Explain[0].Field != "events" || a.Explain[0].Matched {
		t.Errorf("other event type: %+v", a)
	}
	placeholder := createTrigger(t, h, alice, `{"name":"p","resource":{"path":"projects/p1"},"action":{"type":"nats","subject":"herald.actions.s"}}`)
	var pa answer
	do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/test", placeholder.ID, `{"event":{"event":"resource.ResourceCreated","resource":{"type":"x","path":"projects/p1"}}}`, alice, nil), &pa)
	if pa.Matched {
		t.Errorf("a placeholder trigger matched a published event: %+v", pa)
	}
}

func TestBadInput(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	tests := []struct {
		name, method, route, body, field string
		query                            map[string]string
	}{
		{"malformed JSON", "POST", "/v1/triggers", `{"name":`, "", nil},
		{"unknown field", "POST", "/v1/triggers", strings.Replace(itemsTrigger, `"name"`, `"nmae":1,"name"`, 1), "nmae", nil},
		{"invalid filter", "POST", "/v1/triggers", strings.Replace(itemsTrigger, `"itemsvc.*"`, `{"regex":"("}`, 1), "filter.resource.type.regex", nil},
		{"unknown operator", "POST", "/v1/triggers", strings.Replace(itemsTrigger, `"itemsvc.*"`, `{"like":"x"}`, 1), "filter.resource.type.like", nil},
		{"bad events", "PUT", "/v1/triggers/{id}", strings.Replace(itemsTrigger, `"resource.*"`, `"resource"`, 1), "events[0]", nil},
		{"limit", "GET", "/v1/triggers", "", "limit", map[string]string{"limit": "0"}},
		{"cursor", "GET", "/v1/triggers", "", "cursor", map[string]string{"cursor": "x"}},
		{"test without event", "POST", "/v1/triggers/{id}/test", `{}`, "event", nil},
		{"test with an invalid event", "POST", "/v1/triggers/{id}/test", `{"event":{"event":"nodot","resource":{"type":"x","path":"p"}}}`, "event.event", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apigwtest.WantProblem(t, do(t, h, apigwtest.Request(tt.method, tt.route, tr.ID, tt.body, alice, tt.query), nil), http.StatusBadRequest, tt.field)
		})
	}
}

// TestSecretShownOnce checks that an http action without a secret gets a generated
// "whsec_" one, shown in the create answer only, and kept by a replace without one.
func TestSecretShownOnce(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	spec := `{"name":"hook","resource":{"path":"projects/p1"},"events":["*"],"action":{"type":"http","url":"https://example.org/hook"}}`
	var created struct {
		ID     string `json:"id"`
		Action struct {
			Secret string `json:"secret"`
		} `json:"action"`
	}
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", spec, alice, nil), &created); resp.StatusCode != http.StatusCreated || !strings.HasPrefix(created.Action.Secret, "whsec_") {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	for _, r := range []struct{ method, body string }{{"GET", ""}, {"PUT", spec}} {
		resp := do(t, h, apigwtest.Request(r.method, "/v1/triggers/{id}", created.ID, r.body, alice, nil), nil)
		if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, "whsec_") {
			t.Errorf("%s: %d %s; want no secret shown", r.method, resp.StatusCode, resp.Body)
		}
	}
	stored, err := h.Store.Get(context.Background(), created.ID, alice.Subject)
	if err != nil || !strings.Contains(string(stored.Action), created.Action.Secret) {
		t.Errorf("after a replace without a secret the stored action is %s, want the original secret kept", stored.Action)
	}
}

// TestCreateWarnsOfUnknownEventTypes: a trigger whose event patterns match nothing in
// the catalog nor on the stream is made (201) with a warning naming each such entry;
// replacing its spec answers none.
func TestCreateWarnsOfUnknownEventTypes(t *testing.T) {
	h := newHandler(t)
	e := &event.Event{Event: "billing.InvoicePaid", UUID: uuid.NewString(), Timestamp: time.Now(), Resource: &event.Resource{Type: "invoice", Path: "projects/p1/invoices/i1"}}
	if _, err := bus.Publish(t.Context(), h.JS, e); err != nil {
		t.Fatal(err)
	}
	alice := user("alice", auth.Read)
	spec := func(events string) string {
		return `{"name":"typo","resource":{"path":"projects/p1","include_subresources":true},"events":` + events + `,"action":{"type":"nats","subject":"herald.actions.typo"}}`
	}
	tests := []struct {
		name   string
		events string
		want   []wire.Warning
	}{
		{"catalog types and patterns", `["job.JobFinished","job.Job*","*"]`, nil},
		{"a type on the stream", `["billing.InvoicePaid","billing.Invoice*"]`, nil},
		{"a placeholder", `[]`, nil},
		{"misspelt types", `["job.JobFinishd","job.JobFinished","nobody.*"]`, []wire.Warning{
			{Field: "events[0]", Message: "no event type job.JobFinishd is known: it is not in the catalog (GET /v1/catalog) and no published event has it"},
			{Field: "events[2]", Message: "nobody.* matches no known event type: none in the catalog (GET /v1/catalog) and none of a published event"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got wire.Trigger
			resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", spec(tt.events), alice, nil), &got)
			if resp.StatusCode != http.StatusCreated || got.ID == "" {
				t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
			}
			if !slices.Equal(got.Warnings, tt.want) {
				t.Errorf("warnings %+v, want %+v", got.Warnings, tt.want)
			}
			if tt.want == nil && strings.Contains(resp.Body, `"warnings"`) {
				t.Errorf("an answer without warnings has the member: %s", resp.Body)
			}
			resp = do(t, h, apigwtest.Request("PUT", "/v1/triggers/{id}", got.ID, spec(tt.events), alice, nil), nil)
			if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, `"warnings"`) {
				t.Errorf("replace: %d %s, want 200 without warnings", resp.StatusCode, resp.Body)
			}
		})
	}
}
