package apidoc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/test/apidoc"
)

// TestDocumentValid checks that openapi.yaml parses and validates as OpenAPI 3.1.
func TestDocumentValid(t *testing.T) {
	doc, err := apidoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Fatalf("openapi version = %q, want 3.1.x", v)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Fatalf("building the model: %v", err)
	}
	v, err := apidoc.New()
	if err != nil {
		t.Fatal(err)
	}
	if ok, errs := v.ValidateDocument(); !ok {
		var b strings.Builder
		for _, e := range errs {
			fmt.Fprintf(&b, "\n  - %s: %s (line %d)", e.Message, e.Reason, e.SpecLine)
			for _, f := range e.SchemaValidationErrors {
				fmt.Fprintf(&b, "\n      %s: %s", f.FieldPath, f.Reason)
			}
		}
		t.Fatalf("openapi.yaml is not a valid OpenAPI document:%s", b.String())
	}
}

// route is one (method, path) pair.
type route struct{ method, path string }

func (r route) String() string { return r.method + " " + r.path }

// TestRoutesMatchTemplate checks that openapi.yaml describes exactly the routes of
// template.yaml: every HttpApi event of every function and every function's LocalUrl
// (the Stream function's Function URL route). It also checks that exactly the routes
// without an authorizer in the template have "security: []".
func TestRoutesMatchTemplate(t *testing.T) {
	root, err := apidoc.Root()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	routes, err := tmpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	inTemplate := map[route]bool{}
	public := map[route]bool{} // HttpApi routes with Auth.Authorizer NONE
	for _, r := range routes {
		inTemplate[route{r.Method, r.Path}] = true
		if r.Public {
			public[route{r.Method, r.Path}] = true
		}
	}
	if len(inTemplate) == 0 {
		t.Fatal("template.yaml declares no HTTP routes: is the parser reading it right?")
	}

	doc, err := apidoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[route]bool{}
	noSecurity := map[route]bool{} // operations with an explicit "security: []"
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			r := route{strings.ToUpper(method), path}
			inDoc[r] = true
			if op.Security != nil && len(op.Security) == 0 {
				noSecurity[r] = true
			}
		}
	}

	if missing, extra := diff(inTemplate, inDoc); len(missing)+len(extra) > 0 {
		t.Errorf("the routes of openapi.yaml and template.yaml differ:\n"+
			"  in template.yaml, missing from openapi.yaml:%s\n"+
			"  in openapi.yaml, missing from template.yaml:%s",
			list(missing), list(extra))
	}
	if missing, extra := diff(public, noSecurity); len(missing)+len(extra) > 0 {
		t.Errorf("the routes without an authorizer differ:\n"+
			"  Authorizer NONE in template.yaml, without \"security: []\" in openapi.yaml:%s\n"+
			"  \"security: []\" in openapi.yaml, with an authorizer in template.yaml:%s",
			list(missing), list(extra))
	}
}

// diff returns what a has and b lacks, and what b has and a lacks, sorted.
func diff(a, b map[route]bool) (onlyA, onlyB []route) {
	for r := range a {
		if !b[r] {
			onlyA = append(onlyA, r)
		}
	}
	for r := range b {
		if !a[r] {
			onlyB = append(onlyB, r)
		}
	}
	cmp := func(x, y route) int { return strings.Compare(x.String(), y.String()) }
	slices.SortFunc(onlyA, cmp)
	slices.SortFunc(onlyB, cmp)
	return onlyA, onlyB
}

func list(rs []route) string {
	if len(rs) == 0 {
		return " (none)"
	}
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("\n    ")
		b.WriteString(r.String())
	}
	return b.String()
}

// Ids and values the examples share.
const (
	consumerID = "01J9ZQ4S6C8W0T3V7Y2B5N1K4M"
	triggerID  = "01J9ZQ6A0B1C2D3E4F5G6H7J8K"
	deliveryID = "01J9ZQ7M2N3P4Q5R6S7T8V9W0X"
	notifID    = "01J9ZQ8X9Y0Z1A2B3C4D5E6F7G"
	eventUUID  = "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"
	eventUUID2 = "0b6c7b1e-3f0a-4c8e-9d2e-6a1b2c3d4e5f"

	problemJSON = "application/problem+json"
	plainJSON   = "application/json"
)

// example is a response to check against openapi.yaml.
type example struct {
	name   string
	method string
	target string // path and query
	status int
	ctype  string // Content-Type; empty for a response without a body
	body   string
}

// TestExamplesValidate checks responses shaped like the handlers' against the response
// schemas of openapi.yaml, and that wrong ones are refused, so that a schema that accepts
// anything cannot pass.
func TestExamplesValidate(t *testing.T) {
	good := append(literalExamples(), encodedExamples(t)...)
	for _, ex := range good {
		t.Run("valid/"+ex.name, func(t *testing.T) {
			req, resp := exchange(t, ex)
			if err := apidoc.CheckResponse(req, resp); err != nil {
				t.Errorf("a response shaped like the handler's is refused:\n%v\nbody: %s", err, ex.body)
			}
			// The body stays readable after the check.
			if b, err := io.ReadAll(resp.Body); err != nil || string(b) != ex.body {
				t.Errorf("the body after the check = %q, %v; want it unchanged", b, err)
			}
		})
	}
	for _, ex := range wrongExamples() {
		t.Run("invalid/"+ex.name, func(t *testing.T) {
			req, resp := exchange(t, ex)
			err := apidoc.CheckResponse(req, resp)
			if err == nil {
				t.Fatalf("a wrong response passes the check: %d %s %s", ex.status, ex.ctype, ex.body)
			}
			t.Logf("refused as expected: %v", err)
		})
	}
}

// TestRequestExamples checks requests as clients send them against the request side of
// openapi.yaml (parameters, security, bodies), and that wrong ones are refused.
func TestRequestExamples(t *testing.T) {
	tests := []struct {
		name, method, target, body string
		token                      bool // send a bearer token
		valid                      bool
	}{
		{"publish one, unknown and null members pass", "POST", "/v1/events",
			`{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/p1/c/c1","after":{},"x":1},"requestId":null,"custom":{"a":1}}`, true, true},
		{"publish a batch", "POST", "/v1/events?mode=async",
			`{"events":[{"event":"job.JobFinished","resource":{"type":"job","id":"j1"},"data":{"jobType":"TRANSCODE","state":"FINISHED"}},{"event":"system.Announcement"}]}`, true, true},
		{"publish sync", "POST", "/v1/events?mode=sync", `{"event":"item.ItemDeleted","resource":{"type":"item","id":"i1","path":"projects/p1/i1"}}`, true, true},
		{"publish a batch with another key", "POST", "/v1/events", `{"events":[{"event":"a.B"}],"mode":"sync"}`, true, false},
		{"publish an empty batch", "POST", "/v1/events", `{"events":[]}`, true, false},
		{"publish in an unknown mode", "POST", "/v1/events?mode=later", `{"event":"a.B","resource":{"type":"t","id":"1"}}`, true, false},
		{"publish without a token", "POST", "/v1/events", `{"event":"a.B","resource":{"type":"t","id":"1"}}`, false, false},
		{"create a consumer", "POST", "/v1/consumers",
			`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"event_types":["item.*"],"deliver_policy":"by_start_sequence","start_sequence":10}`, true, true},
		{"create a consumer with an unknown field", "POST", "/v1/consumers", `{"target":{"all":true},"colour":"x"}`, true, false},
		{"create a consumer with a filter that is not an object", "POST", "/v1/consumers", `{"target":{"all":true},"filter":"x"}`, true, false},
		{"create a consumer with every setting", "POST", "/v1/consumers",
			`{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"event_types":["job.Job*"],"deliver_policy":"last_per_subject",` +
				`"ack_wait_ms":2000,"max_deliver":5,"back_off":["1s","3s"],"max_ack_pending":100,"idle_expiry":"24h","filter":{"data.metadata.title":{"prefix":"Final"}}}`, true, true},
		{"change a consumer", "PUT", "/v1/consumers/" + consumerID, `{"ack_wait_ms":2000,"back_off":["1s","3s"],"filter":null,"event_types":["item.*"]}`, true, true},
		{"change a consumer's target", "PUT", "/v1/consumers/" + consumerID, `{"target":{"all":true}}`, true, false},
		{"pause a consumer until a time", "POST", "/v1/consumers/" + consumerID + "/pause", `{"until":"2026-03-02T08:00:00Z"}`, true, true},
		{"pause a consumer for good", "POST", "/v1/consumers/" + consumerID + "/pause", "", true, true},
		{"pause a consumer for a while", "POST", "/v1/consumers/" + consumerID + "/pause", `{"for":"1h"}`, true, false},
		{"resume a consumer", "POST", "/v1/consumers/" + consumerID + "/resume", "", true, true},
		{"create a consumer with an unknown target field", "POST", "/v1/consumers", `{"target":{"everything":true}}`, true, false},
		{"list consumers", "GET", "/v1/consumers?limit=100&cursor=abc", "", true, true},
		{"list too many consumers", "GET", "/v1/consumers?limit=101", "", true, false},
		{"fetch a batch", "GET", "/v1/consumers/" + consumerID + "/batch?batch_size=1000&wait_ms=20000", "", true, true},
		{"fetch a batch waiting too long", "GET", "/v1/consumers/" + consumerID + "/batch?wait_ms=20001", "", true, false},
		{"acknowledge without a token", "POST", "/v1/acknowledge",
			`{"replies":[{"reply":"$JS.ACK.x","salt":"c2FsdA","hmac":"aG1hYw==","key_id":"k1"}],"action":"nak","delay_ms":5000}`, false, true},
		{"acknowledge in an unknown way", "POST", "/v1/acknowledge",
			`{"replies":[{"reply":"$JS.ACK.x","salt":"c2FsdA","hmac":"aG1hYw==","key_id":"k1"}],"action":"done"}`, false, false},
		{"acknowledge my notifications", "POST", "/v1/me/notifications/acknowledge", `{"ids":["` + notifID + `"]}`, true, true},
		{"acknowledge my notifications and more", "POST", "/v1/me/notifications/acknowledge", `{"ids":["` + notifID + `"],"all":true}`, true, false},
		{"acknowledge all my notifications", "POST", "/v1/me/notifications/acknowledge", `{"all":true}`, true, true},
		{"acknowledge my notifications up to one", "POST", "/v1/me/notifications/acknowledge", `{"before":"` + notifID + `"}`, true, true},
		{"acknowledge none of all", "POST", "/v1/me/notifications/acknowledge", `{"all":false}`, true, false},
		{"acknowledge up to something else", "POST", "/v1/me/notifications/acknowledge", `{"before":"yesterday"}`, true, false},
		{"list my notifications of a variant about a resource", "GET", "/v1/me/notifications?variant=PERMISSION_GRANTED&ref=RESOURCE:projects/p1", "", true, true},
		{"list my notifications of an unknown variant", "GET", "/v1/me/notifications?variant=NEWS", "", true, false},
		{"count my notifications about a group", "GET", "/v1/me/notifications/count?ref=GROUP:g1", "", true, false},
		{"list my notifications", "GET", "/v1/me/notifications?state=acknowledged", "", true, true},
		{"list my notifications in an unknown state", "GET", "/v1/me/notifications?state=read", "", true, false},
		{"create notifications", "POST", "/v1/notifications",
			`{"recipients":["u1","u2"],"variant":"ANNOUNCEMENT","message":"Hello","refs":[{"type":"USER","name":"actor","value":"u3"}]}`, true, true},
		{"create notifications of an unknown variant", "POST", "/v1/notifications", `{"recipients":["u1"],"variant":"NEWS","message":"Hello"}`, true, false},
		{"create a trigger", "POST", "/v1/triggers",
			`{"name":"t","resource":{"path":"projects/p1","include_subresources":true,"type":"job"},"events":["job.*"],` +
				`"filter":{"data.jobType":["TRANSCODE"]},"action":{"type":"http","url":"https://example.org/hook","on_error":"allow"},"mode":"sync","retry":{"schedule":["5s"]}}`, true, true},
		{"create a placeholder trigger", "POST", "/v1/triggers",
			`{"name":"t","resource":{"path":"projects/p1"},"action":{"type":"javascript","script":"function handle(e){}"}}`, true, true},
		{"create an OMAPI trigger", "POST", "/v1/triggers",
			`{"name":"t","resource":{"path":"projects/demo","include_subresources":true},"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"s"}}`, true, true},
		{"create an announcements trigger without a resource", "POST", "/v1/triggers",
			`{"name":"t","events":["system.*"],"action":{"type":"nats","subject":"s"}}`, true, true},
		{"create a trigger with an invalid path", "POST", "/v1/triggers",
			`{"name":"t","resource":{"path":"/"},"events":["system.*"],"action":{"type":"nats","subject":"s"}}`, true, false},
		{"create a trigger with an unknown field", "POST", "/v1/triggers",
			`{"name":"t","resource":{"path":"projects/p1"},"action":{"type":"nats","subject":"s"},"priority":1}`, true, false},
		{"replace a trigger without an action", "PUT", "/v1/triggers/" + triggerID, `{"name":"t","resource":{"path":"projects/p1"}}`, true, false},
		{"test a trigger", "POST", "/v1/triggers/" + triggerID + "/test", `{"event":{"event":"job.JobFinished","resource":{"type":"job","id":"j1"}}}`, true, true},
		{"fire a trigger without an event", "POST", "/v1/triggers/" + triggerID + "/fire", `{"evt":{}}`, true, false},
		{"list deliveries", "GET", "/v1/triggers/" + triggerID + "/deliveries?status=exhausted", "", true, true},
		{"list deliveries of an unknown status", "GET", "/v1/triggers/" + triggerID + "/deliveries?status=lost", "", true, false},
		{"admin: list a user's triggers", "GET", "/v1/admin/triggers?owner=u1&limit=100", "", true, true},
		{"admin: list consumers without an owner", "GET", "/v1/admin/consumers?limit=10", "", true, false},
		{"admin: disable a consumer without a token", "POST", "/v1/admin/consumers/" + consumerID + "/disable", "", false, false},
		{"replay", "POST", "/v1/triggers/" + triggerID + "/replay", `{"start_time":"2026-03-01T00:00:00Z","end_time":"2026-03-02T00:00:00Z"}`, true, true},
		{"replay with an unknown field", "POST", "/v1/triggers/" + triggerID + "/replay", `{"start_sequence":1,"limit":5}`, true, false},
		{"health without a token", "GET", "/v1/health", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, "https://api.example.com"+tt.target, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", plainJSON)
			}
			if tt.token {
				req.Header.Set("Authorization", "Bearer x.y.z")
			}
			err = apidoc.CheckRequest(req)
			switch {
			case tt.valid && err != nil:
				t.Errorf("a good request is refused:\n%v", err)
			case !tt.valid && err != nil:
				t.Logf("refused as expected: %v", err)
			case !tt.valid && err == nil:
				t.Errorf("a wrong request passes the check: %s %s %s", tt.method, tt.target, tt.body)
			}
		})
	}
}

// exchange builds the request and response of ex.
func exchange(t *testing.T, ex example) (*http.Request, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(ex.method, "https://api.example.com"+ex.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := &http.Response{
		StatusCode: ex.status,
		Status:     fmt.Sprintf("%d %s", ex.status, http.StatusText(ex.status)),
		Header:     http.Header{},
		Body:       http.NoBody,
		Request:    req,
	}
	if ex.ctype != "" {
		resp.Header.Set("Content-Type", ex.ctype)
		resp.Body = io.NopCloser(strings.NewReader(ex.body))
	}
	return req, resp
}

// literalExamples are responses written out as the handlers produce them.
func literalExamples() []example {
	consumerRecord := `{"id":"` + consumerID + `","owner":"u1","target":{"resources":[{"path":"projects/p1","include_subresources":true}]},` +
		`"event_types":["item.*"],"deliver_policy":"all","ack_wait_ms":30000,"max_deliver":-1,"idle_expiry":"168h",` +
		`"filter_subjects":["herald.events.item.*.projects.p1.>"],"created_at":"2026-03-01T10:00:00.123456789Z",` +
		`"last_used_at":"2026-03-01T10:00:00.123456789Z","expires_at":"2026-03-08T10:00:00Z"}`
	trig := `{"id":"` + triggerID + `","owner":"u1","name":"transcodes","resource":{"path":"projects/p1","include_subresources":true,"type":"job"},` +
		`"events":["job.JobFinished","job.JobFailed"],"filter":{"data.jobType":["TRANSCODE","PROXY"]},` +
		`"action":{"type":"http","url":"https://example.org/hook","secret":"whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="},` +
		`"mode":"async","retry":{"schedule":["5s","5m","30m","2h","5h","10h","10h"]},"enabled":true,"exhausted_in_row":0,` +
		`"placeholder":false,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}`
	// OMAPI's example: no events, as the filter selects them; and no path, an administrator's.
	omapi := `{"id":"` + triggerID + `","owner":"ops","name":"item creates","resource":{"include_subresources":true},` +
		`"events":[],"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"},` +
		`"action":{"type":"nats","subject":"herald.actions.items"},"mode":"async","retry":{"schedule":["5s"]},"enabled":true,` +
		`"exhausted_in_row":0,"placeholder":false,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}`
	placeholder := `{"id":"` + triggerID + `","owner":"u1","name":"by hand","resource":{"path":"projects/p1","include_subresources":false},` +
		`"events":null,"action":{"type":"sqs","queue_url":"https://sqs.eu-west-1.amazonaws.com/123456789012/q"},"mode":"async",` +
		`"retry":{"schedule":["5s"]},"enabled":false,"disabled_reason":"5 deliveries in a row were exhausted","exhausted_in_row":5,` +
		`"placeholder":true,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-02T10:00:00Z"}`
	verdict := `{"trigger_id":"` + triggerID + `","approve":false,"reason":"the collection is locked"}`
	return []example{
		{"health ok", "GET", "/v1/health", 200, plainJSON, `{"status":"ok"}`},
		{"health degraded", "GET", "/v1/health", 503, plainJSON, `{"status":"degraded","nats":"RECONNECTING"}`},
		{"catalog without a token", "GET", "/v1/catalog", 401, plainJSON, `{"message":"Unauthorized"}`},
		{"catalog: a type outside it", "GET", "/v1/catalog/job.JobFinishd", 404, problemJSON,
			`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"the catalog has no event type \"job.JobFinishd\"; GET /v1/catalog lists them"}`},
		{"catalog with a refused token", "GET", "/v1/catalog", 403, plainJSON, `{"message":"Forbidden"}`},

		{"publish one", "POST", "/v1/events", 202, plainJSON, `{"uuid":"` + eventUUID + `","sequence":42,"cataloged":true}`},
		{"publish a duplicate", "POST", "/v1/events", 202, plainJSON, `{"uuid":"` + eventUUID + `","sequence":42,"duplicate":true,"cataloged":false}`},
		{"publish a batch", "POST", "/v1/events", 202, plainJSON,
			`{"results":[{"uuid":"` + eventUUID + `","sequence":43,"cataloged":true},{"uuid":"` + eventUUID2 + `","sequence":12,"duplicate":true,"cataloged":false}]}`},
		{"publish a batch partly", "POST", "/v1/events", 503, plainJSON,
			`{"results":[{"uuid":"` + eventUUID + `","sequence":43,"cataloged":true},{"uuid":"` + eventUUID2 + `","cataloged":true,"error":"not published; retry with the same uuid"}]}`},
		{"publish sync approved", "POST", "/v1/events?mode=sync", 201, plainJSON,
			`{"approved":true,"cataloged":true,"duplicate":false,"sequence":44,"uuid":"` + eventUUID + `","verdicts":[{"trigger_id":"` + triggerID + `","approve":true}]}`},
		{"publish sync without sync triggers", "POST", "/v1/events?mode=sync", 201, plainJSON,
			`{"approved":true,"cataloged":false,"duplicate":false,"sequence":45,"uuid":"` + eventUUID + `","verdicts":[]}`},
		{"publish an event that breaks its contract", "POST", "/v1/events", 400, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,` +
				`"detail":"the event does not meet the contract of job.JobFinished (its schema is in the catalog)",` +
				`"errors":[{"field":"data.state","message":"must be \"FINISHED\" or \"FINISHED_WARNING\""}]}`},
		{"publish sync vetoed", "POST", "/v1/events?mode=sync", 422, problemJSON,
			`{"approved":false,"denials":[` + verdict + `],"detail":"a sync trigger denied the event; it was not published","status":422,"title":"vetoed","type":"urn:herald:problem:vetoed"}`},
		{"publish an invalid batch", "POST", "/v1/events", 400, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,"detail":"the request has invalid fields",` +
				`"errors":[{"field":"events[0].resource","message":"is required"},{"field":"events[3].resource.path","message":"must not end with \"/\""}]}`},
		{"publish without the role", "POST", "/v1/events", 403, problemJSON,
			`{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"publishing needs a service token with the publisher role"}`},
		{"publish too much", "POST", "/v1/events", 413, problemJSON,
			`{"type":"urn:herald:problem:request-too-large","title":"request too large","status":413,"detail":"the event is larger than 240 KiB",` +
				`"errors":[{"field":"","message":"body is 300000 bytes; the limit is 245760"}]}`},
		{"publish as text", "POST", "/v1/events", 415, problemJSON,
			`{"type":"urn:herald:problem:unsupported-media-type","title":"unsupported media type","status":415,"detail":"Content-Type must be application/json, not \"text/plain\""}`},
		{"publish while the bus is down", "POST", "/v1/events", 503, problemJSON,
			`{"type":"urn:herald:problem:service-unavailable","title":"service unavailable","status":503,"detail":"the event bus did not accept the event; retry with the same uuid"}`},

		{"create a consumer", "POST", "/v1/consumers", 201, plainJSON, consumerRecord},
		{"list consumers", "GET", "/v1/consumers?limit=1", 200, plainJSON,
			`{"items":[` + consumerRecord + `],"next_cursor":"eyJpZCI6IlM6MDFKIn0"}`},
		{"list no consumers", "GET", "/v1/consumers", 200, plainJSON, `{"items":[],"next_cursor":""}`},
		{"get a consumer", "GET", "/v1/consumers/" + consumerID, 200, plainJSON,
			strings.TrimSuffix(consumerRecord, "}") + `,"num_pending":3,"num_ack_pending":1,"paused":false}`},
		{"change a consumer", "PUT", "/v1/consumers/" + consumerID, 200, plainJSON,
			strings.TrimSuffix(consumerRecord, "}") + `,"back_off":["1s","3s"],"max_ack_pending":500,"filter":{"data.metadata.title":{"prefix":"Final"}},"num_pending":3,"num_ack_pending":1,"paused":false}`},
		{"change a fixed setting of a consumer", "PUT", "/v1/consumers/" + consumerID, 400, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,"detail":"the request is invalid",` +
				`"errors":[{"field":"deliver_policy","message":"cannot be changed: JetStream fixes it when the consumer is made; create another consumer instead"}]}`},
		{"pause a consumer", "POST", "/v1/consumers/" + consumerID + "/pause", 200, plainJSON,
			strings.TrimSuffix(consumerRecord, "}") + `,"num_pending":3,"num_ack_pending":0,"paused":true,"paused_until":"2026-03-02T08:00:00Z"}`},
		{"pause a disabled consumer", "POST", "/v1/consumers/" + consumerID + "/pause", 409, problemJSON,
			`{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"the consumer is disabled by an administrator; it cannot be paused or resumed"}`},
		{"resume a consumer", "POST", "/v1/consumers/" + consumerID + "/resume", 200, plainJSON,
			strings.TrimSuffix(consumerRecord, "}") + `,"num_pending":3,"num_ack_pending":0,"paused":false}`},
		{"get someone else's consumer", "GET", "/v1/consumers/" + consumerID, 404, problemJSON,
			`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"no such consumer"}`},
		{"delete a consumer", "DELETE", "/v1/consumers/" + consumerID, 204, "", ""},
		{"fetch a batch", "GET", "/v1/consumers/" + consumerID + "/batch?batch_size=2&wait_ms=1000", 200, plainJSON,
			`{"messages":[{"sequence":42,"delivered":1,"subject":"herald.events.item.ItemCreated.projects.p1.items.i1._",` +
				`"event":{"event":"item.ItemCreated","uuid":"` + eventUUID + `","timestamp":"2026-03-01T10:00:00Z","resource":{"type":"item","path":"projects/p1/items/i1"},"x-extra":1},` +
				`"reply":{"reply":"$JS.ACK.HERALD_EVENTS.` + consumerID + `.1.42.42.1772359200000000000.0","salt":"c2FsdHNhbHRzYWx0c2FsdA","hmac":"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=","key_id":"k1"}},` +
				`{"sequence":43,"delivered":2,"subject":"herald.events.item.ItemCreated.projects.p1.items.i2._","event":"not json",` +
				`"reply":{"reply":"$JS.ACK.HERALD_EVENTS.` + consumerID + `.2.43.43.1772359200000000000.0","salt":"c2FsdHNhbHRzYWx0c2FsdA","hmac":"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=","key_id":"k1"}}]}`},
		{"fetch an empty batch", "GET", "/v1/consumers/" + consumerID + "/batch", 200, plainJSON, `{"messages":[]}`},
		{"stream", "GET", "/v1/consumers/" + consumerID + "/stream", 200, "text/event-stream",
			"id: 42\nevent: message\ndata: {}\n\n: keep-alive\n\nevent: reconnect\ndata: {}\n\n"},
		{"stream without a token", "GET", "/v1/consumers/" + consumerID + "/stream", 401, problemJSON,
			`{"type":"urn:herald:problem:unauthorized","title":"unauthorized","status":401,"detail":"the Authorization header is missing"}`},
		{"acknowledge", "POST", "/v1/acknowledge", 200, plainJSON, `{"acknowledged":2}`},
		{"acknowledge unconfirmed", "POST", "/v1/acknowledge", 503, problemJSON,
			`{"type":"urn:herald:problem:service-unavailable","title":"service unavailable","status":503,` +
				`"detail":"1 of 1 replies were not confirmed by the event bus (the consumer may have been deleted); sending them again is safe",` +
				`"errors":[{"field":"replies[0]","message":"not confirmed: nats: no responders available for request"}]}`},

		{"my notifications", "GET", "/v1/me/notifications?state=all&limit=2", 200, plainJSON,
			`{"items":[{"id":"` + notifID + `","user_id":"u1","variant":"PERMISSION_GRANTED","message":"You were granted WRITE on projects/p1",` +
				`"refs":[{"type":"RESOURCE","name":"project","value":"projects/p1"},{"type":"USER","name":"actor","value":"u2"}],` +
				`"event_uuid":"` + eventUUID + `","created_at":"2026-03-01T10:00:00.5Z","acknowledged_at":null,"expires_at":"2027-03-01T10:00:00Z"},` +
				`{"id":"` + notifID + `","user_id":"u1","variant":"ANNOUNCEMENT","message":"Maintenance tonight","refs":[],` +
				`"event_uuid":"` + eventUUID2 + `","created_at":"2026-02-01T10:00:00Z","acknowledged_at":"2026-02-02T08:00:00Z","expires_at":"2026-03-04T08:00:00Z"}],` +
				`"next_cursor":""}`},
		{"my notifications as a service", "GET", "/v1/me/notifications", 403, problemJSON,
			`{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"personal notifications need a personal token"}`},
		{"count my notifications", "GET", "/v1/me/notifications/count", 200, plainJSON, `{"unacknowledged":3}`},
		{"acknowledge my notifications", "POST", "/v1/me/notifications/acknowledge", 200, plainJSON,
			`{"acknowledged":["` + notifID + `"],"not_found":[]}`},
		{"acknowledge all my notifications", "POST", "/v1/me/notifications/acknowledge", 200, plainJSON, `{"count":1000,"more":true}`},
		{"my inbox's stream", "GET", "/v1/me/notifications/stream", 200, "text/event-stream",
			"event: count\ndata: {\"unacknowledged\":0}\n\nid: " + notifID + "\nevent: notification\ndata: {}\n\n: keep-alive\n\nevent: reconnect\ndata: {}\n\n"},
		{"my inbox's stream with a scoped token", "GET", "/v1/me/notifications/stream", 403, problemJSON,
			`{"type":"urn:herald:problem:forbidden","title":"forbidden","status":403,"detail":"personal notifications need a personal token"}`},
		{"my inbox's stream without a token", "GET", "/v1/me/notifications/stream", 401, problemJSON,
			`{"type":"urn:herald:problem:unauthorized","title":"unauthorized","status":401,"detail":"the Authorization header is missing"}`},
		{"create notifications", "POST", "/v1/notifications", 201, plainJSON,
			`{"event_uuid":"` + eventUUID + `","items":[{"id":"` + notifID + `","user_id":"u1","variant":"ANNOUNCEMENT","message":"Hello","refs":[],` +
				`"event_uuid":"` + eventUUID + `","created_at":"2026-03-01T10:00:00Z","acknowledged_at":null,"expires_at":"2027-03-01T10:00:00Z"}]}`},

		{"create a trigger", "POST", "/v1/triggers", 201, plainJSON, trig},
		{"create a trigger without a path or events", "POST", "/v1/triggers", 201, plainJSON, omapi},
		{"list triggers", "GET", "/v1/triggers", 200, plainJSON, `{"items":[` + placeholder + `],"next_cursor":""}`},
		{"get a missing trigger", "GET", "/v1/triggers/" + triggerID, 404, problemJSON,
			`{"type":"urn:herald:problem:not-found","title":"not found","status":404,"detail":"no such trigger"}`},
		{"test a trigger", "POST", "/v1/triggers/" + triggerID + "/test", 200, plainJSON,
			`{"matched":false,"enabled":true,"explain":[` +
				`{"field":"events","path":"event","operator":"any-of","operand":["job.JobFinished"],"found":["job.JobFinished"],"matched":true},` +
				`{"field":"data.jobType","path":"data.jobType","operator":"any-of","operand":["TRANSCODE","PROXY"],"found":null,"matched":false},` +
				`{"field":"$or","operator":"$or","found":null,"matched":true}]}`},
		{"enable a trigger", "POST", "/v1/triggers/" + triggerID + "/enable", 200, plainJSON, placeholder},
		{"fire a trigger", "POST", "/v1/triggers/" + triggerID + "/fire", 202, plainJSON,
			`{"delivery_id":"` + deliveryID + `","event_uuid":"` + eventUUID + `"}`},
		{"list deliveries", "GET", "/v1/triggers/" + triggerID + "/deliveries?status=retrying", 200, plainJSON,
			`{"items":[{"trigger_id":"` + triggerID + `","id":"` + deliveryID + `","event_uuid":"` + eventUUID + `","status":"retrying","attempts":1,` +
				`"log":[{"at":"2026-03-01T10:00:01Z","status_code":502,"duration_ms":120,"error":"status 502","response":"<html>bad gateway"}],` +
				`"next_attempt_at":"2026-03-01T10:00:06Z","created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:01Z"}],` +
				`"next_cursor":"eyJpZCI6IlM6MDFKIn0"}`},
		{"retry a delivery", "POST", "/v1/triggers/" + triggerID + "/deliveries/" + deliveryID + "/retry", 202, plainJSON,
			`{"delivery_id":"` + deliveryID + `","status":"queued"}`},
		{"replay", "POST", "/v1/triggers/" + triggerID + "/replay", 202, plainJSON,
			`{"scanned":10000,"matched":12,"queued":10,"next_sequence":10043}`},
		{"replay a placeholder", "POST", "/v1/triggers/" + triggerID + "/replay", 409, problemJSON,
			`{"type":"urn:herald:problem:conflict","title":"conflict","status":409,"detail":"a placeholder trigger matches no published event; use fire"}`},
	}
}

// encodedExamples are responses made with the handlers' own types and encoders (package
// apigw), so that a field renamed in Go and not in openapi.yaml fails the test.
func encodedExamples(t *testing.T) []example {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 123000000, time.UTC)
	var exs []example
	add := func(name, method, target string, r awsevents.APIGatewayV2HTTPResponse) {
		exs = append(exs, example{name, method, target, r.StatusCode, r.Headers["Content-Type"], r.Body})
	}

	add("catalog (encoded)", "GET", "/v1/catalog", apigw.JSON(http.StatusOK, map[string]any{"types": event.Catalog()}))
	for _, typ := range []string{"job.JobFinished", "item.ItemAccessChanged", "system.Announcement"} {
		e, ok := event.CatalogEntry(typ)
		if !ok {
			t.Fatalf("the catalog has no %s", typ)
		}
		add("catalog: "+typ+" (encoded)", "GET", "/v1/catalog/"+typ, apigw.JSON(http.StatusOK, e))
	}

	// A consumer, as Store.Create makes it.
	spec := consumer.Spec{Target: consumer.Target{Resources: []consumer.ResourceTarget{{Path: "projects/p1", IncludeSubresources: true}}}}
	if err := spec.Normalize(); err != nil {
		t.Fatal(err)
	}
	rec := &consumer.Record{ID: consumerID, Owner: "u1", Spec: spec, FilterSubjects: spec.FilterSubjects(),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(spec.IdleExpiryDuration()).Truncate(time.Second)}
	add("create a consumer (encoded)", "POST", "/v1/consumers", apigw.JSON(http.StatusCreated, consumer.Created{Record: rec}))
	add("create a consumer with warnings (encoded)", "POST", "/v1/consumers", apigw.JSON(http.StatusCreated, consumer.Created{Record: rec,
		Warnings: apigw.EventTypeWarnings("event_types", []string{"item.*", "job.JobFinishd"}, []int{1})}))
	add("list consumers (encoded)", "GET", "/v1/consumers", apigw.Items([]*consumer.Record{rec}, ""))
	add("list no consumers (encoded)", "GET", "/v1/consumers", apigw.Items([]*consumer.Record(nil), ""))

	// A batch of one message with a genuinely signed reply.
	keys, err := reply.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	msg := consumer.Message{Sequence: 42, Delivered: 1, Subject: "herald.events.system.Announcement.system._",
		Event: consumer.EventJSON([]byte(`{"event":"system.Announcement"}`)),
		Reply: keys.Sign("$JS.ACK.HERALD_EVENTS."+consumerID+".1.42.42.1772359200000000000.0", consumerID)}
	add("fetch a batch (encoded)", "GET", "/v1/consumers/"+consumerID+"/batch",
		apigw.JSON(http.StatusOK, map[string]any{"messages": []consumer.Message{msg}}))

	// Notifications: one unacknowledged with a safety-net expiry, one kept until
	// acknowledged (no expiry, the default), one acknowledged.
	acked := now.Add(time.Hour)
	content := inbox.Content{Variant: inbox.Announcement, Message: "Maintenance tonight", Refs: []inbox.Ref{}}
	n1 := &inbox.Notification{ID: notifID, UserID: "u1", Content: content, EventUUID: eventUUID, CreatedAt: now, ExpiresAt: now.AddDate(1, 0, 0)}
	n2 := &inbox.Notification{ID: notifID, UserID: "u1", Content: content, EventUUID: eventUUID2, CreatedAt: now, AcknowledgedAt: &acked, ExpiresAt: now.AddDate(0, 1, 0)}
	kept := &inbox.Notification{ID: notifID, UserID: "u1", Content: content, EventUUID: eventUUID, CreatedAt: now}
	add("my notifications (encoded)", "GET", "/v1/me/notifications", apigw.Items([]*inbox.Notification{n1, kept, n2}, "next"))
	add("create notifications (encoded)", "POST", "/v1/notifications",
		apigw.JSON(http.StatusCreated, map[string]any{"event_uuid": eventUUID, "items": []*inbox.Notification{n1}}))

	// A trigger, as created (with the secret) and as shown afterwards.
	ts := trigger.Spec{Name: "hook", Resource: trigger.Resource{Path: "projects/p1"}, Events: []string{"item.*"},
		Action: json.RawMessage(`{"type":"http","url":"https://example.org/hook"}`)}
	if err := ts.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := ts.EnsureSecret(nil); err != nil {
		t.Fatal(err)
	}
	tr := &trigger.Trigger{ID: triggerID, Owner: "u1", Spec: ts, CreatedAt: now, UpdatedAt: now}
	add("create a trigger (encoded)", "POST", "/v1/triggers", apigw.JSON(http.StatusCreated, trigger.Created{Trigger: tr}))
	add("create a trigger with warnings (encoded)", "POST", "/v1/triggers", apigw.JSON(http.StatusCreated, trigger.Created{Trigger: tr,
		Warnings: apigw.EventTypeWarnings("events", []string{"jbo.*"}, []int{0})}))
	add("get a trigger (encoded)", "GET", "/v1/triggers/"+triggerID, apigw.JSON(http.StatusOK, tr.View()))
	add("list triggers (encoded)", "GET", "/v1/triggers", apigw.Items([]*trigger.Trigger{tr.View()}, ""))

	// A dry run, with the handler's steps and a filter's explanation.
	filter, err := match.Compile(json.RawMessage(`{"data.jobType":["TRANSCODE"],"$or":[{"event":"item.*"},{"resource.type":"job"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	mev, err := match.ParseEvent([]byte(`{"event":"item.ItemCreated","uuid":"` + eventUUID + `","resource":{"type":"item","path":"projects/p1/i"}}`))
	if err != nil {
		t.Fatal(err)
	}
	x := filter.Explain(mev)
	typeStep := match.Step{Field: "events", Path: "event", Operator: "any-of", Operand: json.RawMessage(`["item.*"]`),
		Found: []json.RawMessage{json.RawMessage(`"item.ItemCreated"`)}, Matched: true}
	add("test a trigger (encoded)", "POST", "/v1/triggers/"+triggerID+"/test", apigw.JSON(http.StatusOK, map[string]any{
		"matched": x.Matched, "enabled": tr.IsEnabled(), "explain": append([]match.Step{typeStep}, x.Steps...)}))

	// A sync answer with the Verdict type.
	add("publish sync approved (encoded)", "POST", "/v1/events?mode=sync", apigw.JSON(http.StatusCreated, map[string]any{
		"approved": true, "uuid": eventUUID, "sequence": uint64(7), "duplicate": false, "cataloged": true,
		"verdicts": []action.Verdict{{TriggerID: triggerID, Approve: true}}}))

	// A delivery log page.
	next := now.Add(5 * time.Second)
	d := &delivery.Record{TriggerID: triggerID, ID: deliveryID, EventUUID: eventUUID, Status: delivery.StatusRetrying, Attempts: 1,
		Log: []delivery.Attempt{{At: now, StatusCode: 500, DurationMS: 40, Error: "status 500"}}, NextAttemptAt: &next, CreatedAt: now, UpdatedAt: now}
	queued := &delivery.Record{TriggerID: triggerID, ID: deliveryID, EventUUID: eventUUID, Status: delivery.StatusQueued, Log: []delivery.Attempt{}, CreatedAt: now, UpdatedAt: now}
	add("list deliveries (encoded)", "GET", "/v1/triggers/"+triggerID+"/deliveries", apigw.Items([]*delivery.Record{d, queued}, ""))

	// The administrators' routes: any owner's things, disabled ones saying why.
	adminTr := tr.View()
	adminTr.Enabled, adminTr.DisabledReason = new(false), "disabled by an administrator"
	add("admin: list triggers (encoded)", "GET", "/v1/admin/triggers?owner=u1", apigw.Items([]*trigger.Trigger{tr.View()}, "next"))
	add("admin: disable a trigger (encoded)", "POST", "/v1/admin/triggers/"+triggerID+"/disable", apigw.JSON(http.StatusOK, adminTr))
	add("admin: delete a trigger (encoded)", "DELETE", "/v1/admin/triggers/"+triggerID, apigw.NoContent())
	disabledRec := *rec
	disabledRec.DisabledReason = "disabled by an administrator"
	add("admin: list consumers (encoded)", "GET", "/v1/admin/consumers?owner=u1", apigw.Items([]*consumer.Record{rec, &disabledRec}, ""))
	add("admin: disable a consumer (encoded)", "POST", "/v1/admin/consumers/"+consumerID+"/disable", apigw.JSON(http.StatusOK, &disabledRec))
	add("admin: delete a consumer (encoded)", "DELETE", "/v1/admin/consumers/"+consumerID, apigw.NoContent())
	for _, q := range []struct{ method, target, name string }{
		{"POST", "/v1/triggers", trigger.QuotaName}, {"POST", "/v1/consumers", consumer.QuotaName},
	} {
		add("over quota "+q.target+" (encoded)", q.method, q.target, apigw.Error(ctx, fault.OverLimit(fault.Quota{Name: q.name, Limit: 25, Current: 25})))
	}
	add("admin: not an administrator (encoded)", "GET", "/v1/admin/triggers", apigw.Error(ctx, fault.New(fault.Forbidden, "this route is for administrators")))
	add("admin: no owner (encoded)", "GET", "/v1/admin/consumers", apigw.Error(ctx, fault.Field("owner", "is required")))
	add("admin: no such consumer (encoded)", "DELETE", "/v1/admin/consumers/"+consumerID, apigw.Error(ctx, fault.New(fault.NotFound, "no such consumer")))
	add("a disabled consumer's batch (encoded)", "GET", "/v1/consumers/"+consumerID+"/batch", apigw.Error(ctx, fault.New(fault.Conflict, "the consumer is disabled by an administrator")))

	// A trigger without a path, of someone without the admin role: a 403 naming the field.
	wide := trigger.Spec{Name: "all", Events: []string{"resource.*"}, Action: json.RawMessage(`{"type":"nats","subject":"s"}`)}
	if err := wide.Normalize(); err != nil {
		t.Fatal(err)
	}
	wideErr := wide.Authorize(&auth.Claims{Subject: "u1", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Admin}})
	if !fault.Is(wideErr, fault.Forbidden) {
		t.Fatalf("a user's trigger without a path: %v, want Forbidden", wideErr)
	}

	// Problems from apigw.Error, one per kind a handler can answer.
	problems := []struct {
		method, target string
		err            error
	}{
		{"GET", "/v1/consumers?limit=0", fault.Field("limit", "must be an integer from 1 to 100")},
		{"POST", "/v1/acknowledge", fault.Fields([]fault.FieldError{{Field: "replies[0]", Message: "unknown key_id"}, {Field: "replies[1]", Message: "malformed salt"}})},
		{"GET", "/v1/catalog", fault.New(fault.Unauthorized, "a bearer token is required")},
		{"POST", "/v1/triggers", fault.New(fault.Forbidden, `a sync trigger on projects/p1 needs WRITE on it`)},
		{"POST", "/v1/triggers", wideErr},
		{"GET", "/v1/consumers/" + consumerID + "/stream", fault.New(fault.Forbidden, "READ permission on \"projects/p1\" is required")},
		{"DELETE", "/v1/triggers/" + triggerID, fault.New(fault.NotFound, "no such trigger")},
		{"POST", "/v1/triggers/" + triggerID + "/replay", fault.New(fault.Conflict, "a placeholder trigger matches no published event; use fire")},
		{"POST", "/v1/notifications", &fault.Error{Kind: fault.TooLarge, Detail: "the body exceeds 524288 bytes", Fields: []fault.FieldError{{Message: "at most 524288 bytes"}}}},
		{"PUT", "/v1/triggers/" + triggerID, fault.Newf(fault.Unsupported, "Content-Type must be application/json, not %q", "text/plain")},
		{"GET", "/v1/consumers/" + consumerID + "/batch", fault.Wrap(fault.Unavailable, errors.New("timeout"), "the event bus failed fetching messages; try again")},
		{"GET", "/v1/triggers", errors.New("dynamodb: boom")},
		{"GET", "/v1/consumers/" + consumerID + "/stream", fault.OverLimit(fault.Quota{Name: "streams", Limit: 10, Current: 10})},
		{"POST", "/v1/triggers/" + triggerID + "/fire", fault.Field("event.resource.path", `must be "projects/p1" or under it, the trigger's scope`)},
	}
	// apigw.Error logs the 5xx ones; the log has nothing to say here.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	defer slog.SetDefault(prev)
	for _, p := range problems {
		r := apigw.Error(ctx, p.err)
		add(fmt.Sprintf("%d from %s %s (encoded)", r.StatusCode, p.method, p.target), p.method, p.target, r)
	}
	return append(exs, ticketExamples(t)...)
}

// wrongExamples are responses that break openapi.yaml; each must be refused.
func wrongExamples() []example {
	return []example{
		{"notification without acknowledged_at", "GET", "/v1/me/notifications", 200, plainJSON,
			`{"items":[{"id":"` + notifID + `","user_id":"u1","variant":"ANNOUNCEMENT","message":"Hi","refs":[],` +
				`"event_uuid":"` + eventUUID + `","created_at":"2026-03-01T10:00:00Z","expires_at":"2027-03-01T10:00:00Z"}],"next_cursor":""}`},
		{"next_cursor null", "GET", "/v1/triggers", 200, plainJSON, `{"items":[],"next_cursor":null}`},
		{"quota problem without its quota", "POST", "/v1/triggers", 429, problemJSON,
			`{"type":"urn:herald:problem:quota-exceeded","title":"quota exceeded","status":429}`},
		{"quota problem with a count as a string", "POST", "/v1/consumers", 429, problemJSON,
			`{"type":"urn:herald:problem:quota-exceeded","title":"quota exceeded","status":429,"quota":{"name":"consumers","limit":25,"current":"25"}}`},
		{"page without next_cursor", "GET", "/v1/consumers", 200, plainJSON, `{"items":[]}`},
		{"consumer with ack_wait_ms as a string", "POST", "/v1/consumers", 201, plainJSON,
			`{"id":"` + consumerID + `","owner":"u1","target":{"all":true},"deliver_policy":"all","ack_wait_ms":"30s","max_deliver":-1,` +
				`"idle_expiry":"168h","filter_subjects":["herald.events.*.*.>"],"created_at":"2026-03-01T10:00:00Z",` +
				`"last_used_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-08T10:00:00Z"}`},
		{"consumer with an unknown field", "POST", "/v1/consumers", 201, plainJSON,
			`{"id":"` + consumerID + `","owner":"u1","target":{"all":true},"deliver_policy":"all","ack_wait_ms":30000,"max_deliver":-1,` +
				`"idle_expiry":"168h","filter_subjects":["herald.events.*.*.>"],"created_at":"2026-03-01T10:00:00Z",` +
				`"last_used_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-08T10:00:00Z","secret":"x"}`},
		{"consumer view without num_pending", "GET", "/v1/consumers/" + consumerID, 200, plainJSON,
			`{"id":"` + consumerID + `","owner":"u1","target":{"all":true},"deliver_policy":"all","ack_wait_ms":30000,"max_deliver":-1,` +
				`"idle_expiry":"168h","filter_subjects":["herald.events.*.*.>"],"created_at":"2026-03-01T10:00:00Z",` +
				`"last_used_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-08T10:00:00Z","num_ack_pending":0}`},
		{"sync answer that did not approve", "POST", "/v1/events?mode=sync", 201, plainJSON,
			`{"approved":false,"uuid":"` + eventUUID + `","sequence":1,"duplicate":false,"verdicts":[]}`},
		{"veto without denials", "POST", "/v1/events?mode=sync", 422, problemJSON,
			`{"type":"urn:herald:problem:vetoed","title":"vetoed","status":422,"approved":false}`},
		{"batch result without uuid", "POST", "/v1/events", 202, plainJSON, `{"results":[{"sequence":3,"cataloged":true}]}`},
		{"an ack without cataloged", "POST", "/v1/events", 202, plainJSON, `{"uuid":"` + eventUUID + `","sequence":1}`},
		{"a catalog entry without its schema", "GET", "/v1/catalog/job.JobFinished", 200, plainJSON,
			`{"event":"job.JobFinished","description":"A job finished successfully.","example":{"event":"job.JobFinished"}}`},
		{"warnings on a consumer read back", "GET", "/v1/consumers/" + consumerID, 200, plainJSON,
			`{"id":"` + consumerID + `","owner":"u1","target":{"all":true},"deliver_policy":"all","ack_wait_ms":30000,"max_deliver":-1,` +
				`"idle_expiry":"168h","filter_subjects":["herald.events.*.*.>"],"created_at":"2026-03-01T10:00:00Z",` +
				`"last_used_at":"2026-03-01T10:00:00Z","expires_at":"2026-03-08T10:00:00Z","num_pending":0,"num_ack_pending":0,` +
				`"warnings":[{"field":"event_types[0]","message":"x"}]}`},
		{"a warning without its field", "POST", "/v1/triggers", 201, plainJSON,
			`{"id":"` + triggerID + `","owner":"u1","name":"x","resource":{"path":"projects/p1","include_subresources":false},` +
				`"events":["jbo.*"],"action":{"type":"nats","subject":"x"},"mode":"async","retry":{"schedule":["5s"]},"enabled":true,` +
				`"exhausted_in_row":0,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z","warnings":[{"message":"x"}]}`},
		{"trigger with events as a string", "GET", "/v1/triggers/" + triggerID, 200, plainJSON,
			`{"id":"` + triggerID + `","owner":"u1","name":"x","resource":{"path":"projects/p1","include_subresources":false},` +
				`"events":"job.*","action":{"type":"nats","subject":"x"},"mode":"async","retry":{"schedule":["5s"]},"enabled":true,` +
				`"exhausted_in_row":0,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}`},
		{"delivery with an unknown status", "GET", "/v1/triggers/" + triggerID + "/deliveries", 200, plainJSON,
			`{"items":[{"trigger_id":"` + triggerID + `","id":"` + deliveryID + `","event_uuid":"` + eventUUID + `","status":"pending","attempts":0,` +
				`"log":[],"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}],"next_cursor":""}`},
		{"problem with the status of another kind", "GET", "/v1/consumers/" + consumerID, 404, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400}`},
		{"problem without a title", "POST", "/v1/triggers", 400, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","status":400}`},
		{"field error without a message", "POST", "/v1/triggers", 400, problemJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400,"errors":[{"field":"name"}]}`},
		{"error as plain JSON", "POST", "/v1/triggers", 400, plainJSON,
			`{"type":"urn:herald:problem:invalid-request","title":"invalid request","status":400}`},
		{"gateway message with the wrong shape", "GET", "/v1/catalog", 401, plainJSON, `{"error":"Unauthorized"}`},
		{"a status the operation does not list", "GET", "/v1/health", 201, plainJSON, `{"status":"ok"}`},
		{"a 409 where none can happen", "DELETE", "/v1/consumers/" + consumerID, 409, problemJSON,
			`{"type":"urn:herald:problem:conflict","title":"conflict","status":409}`},
		{"count as a string", "GET", "/v1/me/notifications/count", 200, plainJSON, `{"unacknowledged":"3"}`},
		{"acknowledge all answering ids and a count", "POST", "/v1/me/notifications/acknowledge", 200, plainJSON,
			`{"acknowledged":[],"not_found":[],"count":0,"more":false}`},
		{"acknowledge all without more", "POST", "/v1/me/notifications/acknowledge", 200, plainJSON, `{"count":3}`},
		{"my inbox's stream as JSON", "GET", "/v1/me/notifications/stream", 200, plainJSON, `{"unacknowledged":0}`},
		{"a timestamp that is not RFC 3339", "POST", "/v1/triggers/" + triggerID + "/enable", 200, plainJSON,
			`{"id":"` + triggerID + `","owner":"u1","name":"x","resource":{"path":"projects/p1","include_subresources":false},` +
				`"events":["job.*"],"action":{"type":"nats","subject":"x"},"mode":"async","retry":{"schedule":["5s"]},"enabled":true,` +
				`"exhausted_in_row":0,"created_at":"2026-03-01 10:00","updated_at":"2026-03-01T10:00:00Z"}`},
		{"an ack with a uuid that is not one", "POST", "/v1/events", 202, plainJSON, `{"uuid":"not-a-uuid","sequence":1}`},
		{"an http action without its url", "POST", "/v1/triggers", 201, plainJSON,
			`{"id":"` + triggerID + `","owner":"u1","name":"x","resource":{"path":"projects/p1","include_subresources":false},` +
				`"events":["job.*"],"action":{"type":"http","secret":"whsec_eA=="},"mode":"async","retry":{"schedule":["5s"]},"enabled":true,` +
				`"exhausted_in_row":0,"created_at":"2026-03-01T10:00:00Z","updated_at":"2026-03-01T10:00:00Z"}`},
		{"replay without next_sequence", "POST", "/v1/triggers/" + triggerID + "/replay", 202, plainJSON,
			`{"scanned":1,"matched":1,"queued":1}`},
		{"a route that does not exist", "GET", "/v1/nothing", 200, plainJSON, `{}`},
		{"a quota problem without its quota", "GET", "/v1/consumers/" + consumerID + "/stream", 429, problemJSON,
			`{"type":"urn:herald:problem:quota-exceeded","title":"quota exceeded","status":429}`},
		{"a quota without its limit", "GET", "/v1/consumers/" + consumerID + "/stream", 429, problemJSON,
			`{"type":"urn:herald:problem:quota-exceeded","title":"quota exceeded","status":429,"quota":{"name":"streams","current":10}}`},
	}
}

// The examples must cover every operation of the description, so that a route added to
// it without an example is noticed.
func TestExamplesCoverEveryOperation(t *testing.T) {
	doc, err := apidoc.Load()
	if err != nil {
		t.Fatal(err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[route]bool{}
	for _, ex := range append(literalExamples(), encodedExamples(t)...) {
		covered[route{ex.method, templateOf(model.Model.Paths.PathItems.KeysFromOldest(), strings.SplitN(ex.target, "?", 2)[0])}] = true
	}
	var missing []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().KeysFromOldest() {
			if r := (route{strings.ToUpper(method), path}); !covered[r] {
				missing = append(missing, r.String())
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("operations without a valid example:\n  %s", strings.Join(missing, "\n  "))
	}
}

// templateOf returns the path template of paths that matches path, or path itself.
func templateOf(paths iter.Seq[string], path string) string {
	segs := strings.Split(path, "/")
	for tmpl := range paths {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		ok := true
		for i := range ts {
			if ts[i] != segs[i] && !(strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}")) {
				ok = false
				break
			}
		}
		if ok {
			return tmpl
		}
	}
	return path
}
