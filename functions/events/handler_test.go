package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

var (
	publisher = &auth.Claims{Subject: "svc-1", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}
	personal  = &auth.Claims{Subject: "u-1", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Write}}
	// A service token without the publisher role may read, not publish.
	service = &auth.Claims{Subject: "svc-2", TokenType: auth.Service}
)

// newHandler returns a Handler on a fresh JetStream server with Herald's streams.
func newHandler(t *testing.T) (*Handler, jetstream.JetStream) {
	h, _ := newHandlerOn(t)
	return h, h.JS
}

// newHandlerOn is newHandler that also returns the server, for tests that stop it.
func newHandlerOn(t *testing.T) (*Handler, *server.Server) {
	t.Helper()
	js, s := env.JetStream(t)
	return &Handler{JS: js, Now: time.Now}, s
}

// request builds a request for path as API Gateway sends it (see apigwtest.Request).
func request(method, path, body string, claims *auth.Claims, query map[string]string) awsevents.APIGatewayV2HTTPRequest {
	return apigwtest.Request(method, path, "", body, claims, query)
}

func do(t *testing.T, h *Handler, req awsevents.APIGatewayV2HTTPRequest) (awsevents.APIGatewayV2HTTPResponse, map[string]any) {
	t.Helper()
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
	}
	var body map[string]any
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Fatalf("response body is not JSON: %q", resp.Body)
		}
	}
	return resp, body
}

// contractMembers are what the contracts of the catalog types the tests publish
// require besides the resource's type: more of the resource, and data.
var contractMembers = map[string]struct{ resource, data string }{
	"resource.ResourceCreated": {resource: `,"after":{"name":"c"}`},
	"resource.ResourceUpdated": {resource: `,"before":{"name":"c"},"after":{"name":"d"}`},
	"job.JobCreated":           {data: `,"data":{"jobType":"TRANSCODE","state":"READY"}`},
	"job.JobFinished":          {data: `,"data":{"jobType":"TRANSCODE","state":"FINISHED"}`},
	"item.ItemCreated":         {},
}

// eventJSON is an event of eventType about the resource at path, whose id is the
// path's last segment, with what the type's contract requires filled in. extra is
// added as it is, after the resource.
func eventJSON(eventType, path string, extra string) string {
	c := contractMembers[eventType]
	return fmt.Sprintf(`{"event":%q,"resource":{"type":"collection","id":%q,"path":%q%s}%s%s}`,
		eventType, path[strings.LastIndex(path, "/")+1:], path, c.resource, c.data, extra)
}

func streamCount(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// TestPublishReachesFilteredSubscriber publishes through the handler, relays with the
// bridge, and checks that a downstream queue whose subscription filters on "event" gets
// exactly the matching events, with every message attribute set.
func TestPublishReachesFilteredSubscriber(t *testing.T) {
	h, js := newHandler(t)
	ctx := context.Background()
	topic, err := env.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("events-api-" + uuid.NewString()[:8])})
	if err != nil {
		t.Fatal(err)
	}
	queueURL, queueARN := env.NewQueue(t, "downstream")
	env.Subscribe(t, *topic.TopicArn, queueARN, `{"event":["resource.ResourceCreated"]}`, true)

	var want []string
	for i := range 2 {
		resp, body := do(t, h, request("POST", "/v1/events", eventJSON("resource.ResourceCreated", fmt.Sprintf("projects/p1/collections/c%d", i), `,"user":{"id":"u-7"}`), publisher, nil))
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("publish: %d %s", resp.StatusCode, resp.Body)
		}
		if body["sequence"].(float64) < 1 {
			t.Fatalf("publish answered no sequence: %s", resp.Body)
		}
		want = append(want, body["uuid"].(string))
	}
	batch := fmt.Sprintf(`{"events":[%s,%s,%s]}`,
		eventJSON("resource.ResourceUpdated", "projects/p1", ""),
		eventJSON("resource.ResourceCreated", "projects/p2", `,"recipients":["u-9"]`),
		eventJSON("job.JobFinished", "projects/p1/jobs/j1", ""))
	resp, body := do(t, h, request("POST", "/v1/events", batch, publisher, nil))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("batch: %d %s", resp.StatusCode, resp.Body)
	}
	results := body["results"].([]any)
	if len(results) != 3 {
		t.Fatalf("batch answered %d results, want 3", len(results))
	}
	want = append(want, results[1].(map[string]any)["uuid"].(string))

	b := bridge.New(js, fanout.NewPublisher(env.SNS, *topic.TopicArn), bridge.Options{})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := b.Run(runCtx); done <- err }()
	testenv.WaitFor(t, 30*time.Second, func() bool {
		c, err := js.Consumer(ctx, event.StreamName, bridge.ConsumerName)
		if err != nil {
			return false
		}
		info, err := c.Info(ctx)
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 && info.Delivered.Stream == 5
	}, "the bridge to relay all five events")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// SNS has accepted everything, and fan-out to the queue is part of accepting: read
	// the queue until it is empty.
	got := map[string]map[string]string{}
	for {
		out, err := env.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			e, err := event.Decode([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatalf("queue message is not an event: %v", err)
			}
			attrs := map[string]string{}
			for k, v := range m.MessageAttributes {
				attrs[k] = aws.ToString(v.StringValue)
			}
			got[e.UUID] = attrs
			if _, err := env.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("queue received %d events, want exactly %d (the resource.ResourceCreated ones): %v", len(got), len(want), got)
	}
	for i, id := range want {
		attrs, ok := got[id]
		if !ok {
			t.Fatalf("event %s did not arrive", id)
		}
		for _, name := range []string{"event", "domain", "resource_type", "resource_path", "has_recipients", "sequence"} {
			if attrs[name] == "" {
				t.Errorf("event %s lacks attribute %s: %v", id, name, attrs)
			}
		}
		if i < 2 && attrs["user_id"] != "u-7" {
			t.Errorf("event %s user_id = %q, want u-7", id, attrs["user_id"])
		}
		if attrs["event"] != "resource.ResourceCreated" || attrs["domain"] != "resource" || attrs["resource_type"] != "collection" {
			t.Errorf("event %s attributes %v", id, attrs)
		}
	}
	if got[want[2]]["has_recipients"] != "true" || got[want[2]]["resource_path"] != "projects/p2" {
		t.Errorf("batch event attributes %v", got[want[2]])
	}
}

func TestPublishFillsDefaultsAndDeduplicates(t *testing.T) {
	h, js := newHandler(t)
	before := time.Now().UTC()
	resp, body := do(t, h, request("POST", "/v1/events", eventJSON("item.ItemCreated", "projects/p1/items/VX-1", `,"custom":{"kept":true}`), publisher, nil))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	id := body["uuid"].(string)
	if _, err := uuid.Parse(id); err != nil {
		t.Fatalf("filled uuid %q is not a UUID", id)
	}
	s, _ := js.Stream(context.Background(), event.StreamName)
	stored, err := s.GetMsg(context.Background(), uint64(body["sequence"].(float64)))
	if err != nil {
		t.Fatal(err)
	}
	if stored.Subject != "herald.events.item.ItemCreated.projects.p1.items.VX-1._" || stored.Header.Get(nats.MsgIdHdr) != id {
		t.Fatalf("stored on %s with Nats-Msg-Id %q", stored.Subject, stored.Header.Get(nats.MsgIdHdr))
	}
	e, err := event.Decode(stored.Data)
	if err != nil {
		t.Fatal(err)
	}
	if e.Timestamp.Before(before.Add(-time.Second)) || e.Timestamp.After(time.Now().Add(time.Second)) {
		t.Errorf("filled timestamp %v is not now", e.Timestamp)
	}
	if string(e.Extra["custom"]) != `{"kept":true}` {
		t.Errorf("unknown field not passed through: %v", e.Extra)
	}

	// The same uuid again is stored once and answered with the first sequence.
	withID := eventJSON("item.ItemCreated", "projects/p1/items/VX-2", `,"uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e"`)
	_, first := do(t, h, request("POST", "/v1/events", withID, publisher, nil))
	resp, second := do(t, h, request("POST", "/v1/events", withID, publisher, nil))
	if resp.StatusCode != http.StatusAccepted || second["duplicate"] != true || second["sequence"] != first["sequence"] {
		t.Fatalf("republish: %d %s (first %v)", resp.StatusCode, resp.Body, first)
	}
	if n := streamCount(t, js); n != 2 {
		t.Fatalf("stream holds %d events, want 2", n)
	}
}

func TestPublishRejectsBadInput(t *testing.T) {
	h, js := newHandler(t)
	huge := eventJSON("resource.ResourceCreated", "projects/p1", `,"data":{"blob":"`+strings.Repeat("x", event.MaxSize)+`"}`)
	tooMany := `{"events":[` + strings.TrimSuffix(strings.Repeat(eventJSON("job.JobCreated", "jobs/j1", "")+",", MaxBatch+1), ",") + `]}`
	tests := []struct {
		name   string
		req    awsevents.APIGatewayV2HTTPRequest
		status int
		field  string // a field the problem must name; "-" for none
	}{
		{"no token", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", ""), nil, nil), 401, "-"},
		{"personal token", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", ""), personal, nil), 403, "-"},
		{"service token without publisher role", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", ""), service, nil), 403, "-"},
		{"missing event", request("POST", "/v1/events", `{"resource":{"type":"job","id":"j1"}}`, publisher, nil), 400, "event"},
		{"invalid event type", request("POST", "/v1/events", eventJSON("JobCreated", "jobs/j1", ""), publisher, nil), 400, "event"},
		{"three-token event type", request("POST", "/v1/events", eventJSON("a.b.c", "jobs/j1", ""), publisher, nil), 400, "event"},
		{"bad path segment", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j 1", ""), publisher, nil), 400, "resource.path"},
		{"empty path segment", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs//j1", ""), publisher, nil), 400, "resource.path"},
		{"missing resource", request("POST", "/v1/events", `{"event":"job.JobCreated"}`, publisher, nil), 400, "resource"},
		{"bad uuid", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", `,"uuid":"nope"`), publisher, nil), 400, "uuid"},
		{"wrong type", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", `,"recipients":"u-1"`), publisher, nil), 400, "recipients"},
		{"too large", request("POST", "/v1/events", huge, publisher, nil), 413, "-"},
		{"malformed JSON", request("POST", "/v1/events", `{"event":`, publisher, nil), 400, "-"},
		{"not an object", request("POST", "/v1/events", `[1,2]`, publisher, nil), 400, "-"},
		{"unknown batch field", request("POST", "/v1/events", `{"events":[`+eventJSON("job.JobCreated", "jobs/j1", "")+`],"priority":1}`, publisher, nil), 400, "priority"},
		{"empty batch", request("POST", "/v1/events", `{"events":[]}`, publisher, nil), 400, "events"},
		{"batch too long", request("POST", "/v1/events", tooMany, publisher, nil), 400, "events"},
		{"invalid event in batch", request("POST", "/v1/events", `{"events":[`+eventJSON("job.JobCreated", "jobs/j1", "")+`,`+eventJSON("job.JobCreated", "jobs/j 2", "")+`]}`, publisher, nil), 400, "events[1].resource.path"},
		{"unknown mode", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", ""), publisher, map[string]string{"mode": "later"}), 400, "mode"},
		{"unknown query parameter", request("POST", "/v1/events", eventJSON("job.JobCreated", "jobs/j1", ""), publisher, map[string]string{"debug": "1"}), 400, "debug"},
	}
	form := request("POST", "/v1/events", "event=job.JobCreated", publisher, nil)
	form.Headers["content-type"] = "application/x-www-form-urlencoded"
	tests = append(tests, struct {
		name   string
		req    awsevents.APIGatewayV2HTTPRequest
		status int
		field  string
	}{"form body", form, 415, "-"})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := do(t, h, tt.req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if resp.Headers["Content-Type"] != apigw.ProblemContentType {
				t.Fatalf("content type %q, want problem+json", resp.Headers["Content-Type"])
			}
			var p apigw.Problem
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil || p.Status != tt.status || p.Title == "" {
				t.Fatalf("not a problem document: %s", resp.Body)
			}
			if tt.field != "-" {
				named := false
				for _, f := range p.Errors {
					named = named || f.Field == tt.field
				}
				if !named {
					t.Fatalf("problem does not name field %q: %s", tt.field, resp.Body)
				}
			}
		})
	}
	if n := streamCount(t, js); n != 0 {
		t.Fatalf("bad input published %d events", n)
	}
}

func TestHealthCatalogAndUnknownRoutes(t *testing.T) {
	h, _ := newHandler(t)
	resp, body := do(t, h, request("GET", "/v1/health", "", nil, nil))
	if resp.StatusCode != 200 || body["status"] != "ok" {
		t.Fatalf("health: %d %s", resp.StatusCode, resp.Body)
	}

	resp, _ = do(t, h, request("GET", "/v1/catalog", "", nil, nil))
	if resp.StatusCode != 401 {
		t.Fatalf("catalog without token: %d", resp.StatusCode)
	}
	resp, body = do(t, h, request("GET", "/v1/catalog", "", personal, nil))
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, `"resource.ResourceCreated"`) || !strings.Contains(resp.Body, `"system.Announcement"`) {
		t.Fatalf("catalog: %d %s", resp.StatusCode, resp.Body)
	}
	if len(body["types"].([]any)) != len(event.Catalog()) {
		t.Fatalf("catalog lists %d types, want %d", len(body["types"].([]any)), len(event.Catalog()))
	}

	resp, _ = do(t, h, request("GET", "/v1/nothing", "", publisher, nil))
	if resp.StatusCode != 404 || resp.Headers["Content-Type"] != apigw.ProblemContentType {
		t.Fatalf("unknown route: %d %s", resp.StatusCode, resp.Body)
	}
	// A known path with another method: 405, naming the methods it takes.
	resp, body = do(t, h, request("DELETE", "/v1/events", "", publisher, nil))
	if resp.StatusCode != 405 || resp.Headers["Content-Type"] != apigw.ProblemContentType || resp.Headers["Allow"] != "POST" || body["type"] != apigw.ProblemMethodNotAllowed {
		t.Fatalf("another method: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
}

func TestHealthReportsLostBus(t *testing.T) {
	h, s := newHandlerOn(t)
	s.Shutdown()
	testenv.WaitFor(t, 10*time.Second, func() bool { return !h.JS.Conn().IsConnected() }, "the client to notice")
	resp, body := do(t, h, request("GET", "/v1/health", "", nil, nil))
	if resp.StatusCode != http.StatusServiceUnavailable || body["status"] != "degraded" {
		t.Fatalf("health with NATS down: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestPublishWithBusDownIsUnavailable(t *testing.T) {
	h, s := newHandlerOn(t)
	s.Shutdown()
	for _, body := range []string{
		eventJSON("job.JobCreated", "jobs/j1", ""),
		`{"events":[` + eventJSON("job.JobCreated", "jobs/j1", "") + `]}`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := h.Handle(ctx, request("POST", "/v1/events", body, publisher, nil))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("publish with NATS down: %d %s", resp.StatusCode, resp.Body)
		}
	}
}

func TestBusFromTemplateEnvironment(t *testing.T) {
	env.Setenv(t, "EventsApi")
	_, url := env.NewNATS(t)
	t.Setenv("HERALD_NATS_URL", url)
	t.Setenv("HERALD_SHELF_LIFE", "2h")
	js, err := bus.Open(context.Background(), config.AWS, "test")
	if err != nil {
		t.Fatalf("cold start with the template's environment: %v", err)
	}
	t.Cleanup(js.Conn().Close)
	s, err := js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().Config.MaxAge; got != 2*time.Hour {
		t.Fatalf("stream MaxAge = %v, want the configured shelf life 2h", got)
	}
}

// TestPublishChecksContracts: an event of a catalog type that breaks its schema is 400
// naming the member, alone, in a batch (under its index) and in sync mode, and nothing is
// published; a type outside the catalog is published and answered "cataloged": false.
func TestPublishChecksContracts(t *testing.T) {
	h, js := newHandler(t)
	noState := `{"event":"job.JobFinished","resource":{"type":"job","id":"j1","path":"projects/p1/jobs/j1"},"data":{"jobType":"TRANSCODE"}}`
	badACL := `{"event":"item.ItemAccessChanged","resource":{"type":"item","id":"i1"},"data":{"before":[],"after":[{"principal":"user:u1","permission":"OWN"}]}}`
	tests := []struct {
		name  string
		body  string
		query map[string]string
		field string
	}{
		{"one event", noState, nil, "data.state"},
		{"an element of a list", badACL, nil, "data.after[0].permission"},
		{"in a batch", `{"events":[` + eventJSON("job.JobCreated", "projects/p1/jobs/j0", "") + `,` + noState + `]}`, nil, "events[1].data.state"},
		{"sync mode", noState, map[string]string{"mode": "sync"}, "data.state"},
		{"a required resource member", `{"event":"resource.ResourceUpdated","resource":{"type":"collection","path":"projects/p1","after":{"name":"d"}}}`, nil, "resource.before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, h, request("POST", "/v1/events", tt.body, publisher, tt.query))
			if resp.StatusCode != http.StatusBadRequest || body["type"] != apigw.ProblemInvalid {
				t.Fatalf("status %d, want 400 invalid-request: %s", resp.StatusCode, resp.Body)
			}
			var p apigw.Problem
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
			named := false
			for _, f := range p.Errors {
				named = named || f.Field == tt.field
			}
			if !named {
				t.Fatalf("problem does not name %q: %s", tt.field, resp.Body)
			}
		})
	}
	if n := streamCount(t, js); n != 0 {
		t.Fatalf("events that break their contract were published (%d)", n)
	}

	custom := `{"event":"my-svc.ThingHappened","resource":{"type":"thing","path":"projects/p1/things/t1"},"data":{"state":42}}`
	resp, body := do(t, h, request("POST", "/v1/events", custom, publisher, nil))
	if resp.StatusCode != http.StatusAccepted || body["cataloged"] != false || body["sequence"] == nil {
		t.Fatalf("a type outside the catalog: %d %s", resp.StatusCode, resp.Body)
	}
	resp, body = do(t, h, request("POST", "/v1/events", eventJSON("job.JobFinished", "projects/p1/jobs/j1", ""), publisher, nil))
	if resp.StatusCode != http.StatusAccepted || body["cataloged"] != true {
		t.Fatalf("a catalog type: %d %s", resp.StatusCode, resp.Body)
	}
	resp, body = do(t, h, request("POST", "/v1/events", `{"events":[`+custom+`,`+eventJSON("job.JobFinished", "projects/p1/jobs/j2", "")+`]}`, publisher, nil))
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("batch: %d %s", resp.StatusCode, resp.Body)
	}
	results := body["results"].([]any)
	if results[0].(map[string]any)["cataloged"] != false || results[1].(map[string]any)["cataloged"] != true {
		t.Fatalf("batch results %v, want cataloged false then true", results)
	}
}

// TestCatalogType: GET /v1/catalog/{type} answers one catalog entry with its schema and
// example, 404 problem for any other type; GET /v1/catalog lists every entry with both.
func TestCatalogType(t *testing.T) {
	h, _ := newHandler(t)
	// As API Gateway sends the route: its key, the raw path, and the parameter.
	catalogType := func(typ string, claims *auth.Claims) awsevents.APIGatewayV2HTTPRequest {
		req := apigwtest.Request("GET", "/v1/catalog/{type}", "", "", claims, nil)
		req.RawPath = "/v1/catalog/" + typ
		req.RequestContext.HTTP.Path = req.RawPath
		req.PathParameters = map[string]string{"type": typ}
		return req
	}
	resp, body := do(t, h, catalogType("job.JobFinished", personal))
	if resp.StatusCode != http.StatusOK || body["event"] != "job.JobFinished" || body["description"] == "" {
		t.Fatalf("catalog type: %d %s", resp.StatusCode, resp.Body)
	}
	schema, _ := body["schema"].(map[string]any)
	example, _ := body["example"].(map[string]any)
	if schema["$id"] != "urn:herald:event-schema:job.JobFinished" || example["event"] != "job.JobFinished" {
		t.Fatalf("catalog type schema %v, example %v", schema, example)
	}
	for _, tt := range []struct {
		name   string
		typ    string
		claims *auth.Claims
		status int
	}{
		{"a misspelt type", "job.JobFinishd", personal, http.StatusNotFound},
		{"not an event type", "job", personal, http.StatusNotFound},
		{"no token", "job.JobFinished", nil, http.StatusUnauthorized},
	} {
		resp, _ := do(t, h, catalogType(tt.typ, tt.claims))
		if resp.StatusCode != tt.status || resp.Headers["Content-Type"] != apigw.ProblemContentType {
			t.Errorf("%s: %d %s, want a %d problem", tt.name, resp.StatusCode, resp.Body, tt.status)
		}
	}

	// Without a route key, the router takes the type from the raw path.
	req := request("GET", "/v1/catalog/quota.QuotaWarning", "", personal, nil)
	req.RouteKey = ""
	if resp, body := do(t, h, req); resp.StatusCode != http.StatusOK || body["event"] != "quota.QuotaWarning" {
		t.Errorf("by the raw path: %d %s", resp.StatusCode, resp.Body)
	}

	resp, _ = do(t, h, request("GET", "/v1/catalog", "", personal, nil))
	var cat struct {
		Types []event.EntityType `json:"types"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &cat); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, et := range cat.Types {
		for _, ev := range et.Events {
			n++
			if len(ev.Schema) == 0 || len(ev.Example) == 0 {
				t.Errorf("the catalog lists %s without its schema or example", ev.Event)
			}
		}
	}
	if n < 44 {
		t.Errorf("the catalog lists %d event types, want the 44 at least", n)
	}
}
