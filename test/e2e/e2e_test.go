package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/webhook"
	"github.com/heraldhq/herald/test/stacktest"
)

// TestLocalStackEndToEnd starts herald-local as a user would, runs the banner's curl
// commands as printed, checks that a published event reaches a downstream queue
// subscribed to the topic, invokes a function once as make invoke does, and stops the
// stack with SIGINT, leaving nothing running.
func TestLocalStackEndToEnd(t *testing.T) {
	// lambdaAction's target, allowed by name (ActionTargets allows none by default).
	p := stacktest.Start(t, "-action-targets", lambdaActionTarget)
	api, sqsURL, topic := p.Banner["HTTP API"], p.Banner["SNS/SQS"], p.Banner["Events topic"]
	if api == "" || sqsURL == "" || topic == "" || p.Banner["NATS"] == "" || p.Banner["DynamoDB"] == "" {
		t.Fatalf("banner lacks URLs: %v\n%s", p.Banner, p.Text())
	}
	// Every request below goes through a proxy that checks the answers against
	// openapi.yaml, the banner's commands included.
	stackAPI := api
	api = stacktest.CheckedAPI(t, stackAPI)
	p.Rewrite = func(cmd string) string { return strings.ReplaceAll(cmd, stackAPI, api) }
	ctx := context.Background()
	sqsc, _ := p.AWSClients()

	// A downstream system subscribes its own queue to the topic, filtering on the event type.
	downstream := p.SubscribeQueue(t, "downstream-e2e", map[string]string{"FilterPolicy": `{"event":["resource.ResourceCreated"]}`})

	// A trigger for item events under projects/demo, made before any event flows so that
	// the Router's first load has it.
	hook := stacktest.NewHookReceiver(t)
	_, secret := stacktest.CreateTrigger(t, p, api, hook.URL)

	// The banner's commands, exactly as printed.
	var commands []string
	for _, l := range strings.Split(p.Text(), "\n") {
		if strings.HasPrefix(l, "  curl ") || strings.HasPrefix(l, "  export CONSUMER=") {
			commands = append(commands, strings.TrimSpace(l))
		}
	}
	if len(commands) != 5 {
		t.Fatalf("banner has %d commands, want 5", len(commands))
	}
	if out := p.Shell(t, commands[0]); !strings.Contains(out, `"status":"ok"`) {
		t.Fatalf("health: %s", out)
	}
	var ack struct {
		UUID     string `json:"uuid"`
		Sequence uint64 `json:"sequence"`
	}
	out := p.Shell(t, commands[1])
	if err := json.Unmarshal([]byte(out), &ack); err != nil || ack.UUID == "" || ack.Sequence == 0 {
		t.Fatalf("publish: %s", out)
	}
	if out := p.Shell(t, commands[2]); !strings.HasPrefix(out, "consumer 0") {
		t.Fatalf("create consumer: %s", out)
	}
	// The fetch uses the consumer the previous command exported, as in one shell.
	var batch struct {
		Messages []struct {
			Event struct {
				UUID string `json:"uuid"`
			} `json:"event"`
			Reply struct {
				HMAC string `json:"hmac"`
			} `json:"reply"`
		} `json:"messages"`
	}
	out = p.Shell(t, commands[2], commands[3])
	if err := json.Unmarshal([]byte(out), &batch); err != nil || len(batch.Messages) != 1 ||
		batch.Messages[0].Event.UUID != ack.UUID || batch.Messages[0].Reply.HMAC == "" {
		t.Fatalf("fetch: want the published event with a signed reply, got %s", out)
	}
	streamEvent(t, api, p.Shell(t, commands[2], `printf '%s %s' "$CONSUMER" "$DEMO_TOKEN"`), ack.UUID)
	if out := p.Shell(t, commands[4]); !strings.Contains(out, `"resource.ResourceCreated"`) {
		t.Fatalf("catalog: %s", out)
	}

	// The event flows NATS → bridge → SNS → the downstream queue.
	deadline := time.Now().Add(30 * time.Second)
	var got *event.Event
	for got == nil && time.Now().Before(deadline) {
		msgs, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(downstream), WaitTimeSeconds: 1, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs.Messages {
			e, err := event.Decode([]byte(aws.ToString(m.Body)))
			if err != nil {
				t.Fatalf("downstream message is not an event: %v", err)
			}
			if e.UUID == ack.UUID {
				got = e
			}
		}
	}
	if got == nil {
		t.Fatalf("event %s did not reach the downstream queue within 30s\n%s", ack.UUID, p.Text())
	}
	if got.Path() != "projects/demo/collections/c1" {
		t.Fatalf("downstream event %+v", got)
	}

	// An event with recipients reaches each recipient's inbox (NATS → bridge → SNS →
	// inbox queue → Inbox), once, and nobody else's.
	inboxEvent(t, p, api)

	// The banner's event (a collection) does not match the trigger; an item event does:
	// exactly one signed webhook.
	triggerDelivery(t, p, api, hook, secret, ack.UUID)
	// The webhook secret, shown once at creation, appears in no function's log line.
	if strings.Contains(p.Text(), strings.TrimPrefix(secret, "whsec_")) {
		t.Errorf("the webhook secret appears in the stack's logs")
	}
	lambdaAction(t, p, api)
	exhaustAndReplay(t, p, api)

	// No token: the gateway answers as API Gateway does; unknown routes are problem+json.
	resp, err := http.Post(api+"/v1/events", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("publish without token: %d", resp.StatusCode)
	}
	// An unknown route has no place in the document: asked of the stack directly.
	resp, err = http.Get(stackAPI + "/v1/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("unknown route: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	// make invoke: one invocation of the real binary against the running stack.
	invoke := p.Invoke(t, "EventsApi", "events/events-httpapi-health.json")
	var health struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(invoke), &health); err != nil || health.StatusCode != 200 || !strings.Contains(health.Body, `"ok"`) {
		t.Fatalf("invoke printed %q", invoke)
	}

	// Ctrl-C stops everything: the process exits, and nothing listens on its ports.
	if err := p.Cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.Exited:
		if err != nil {
			t.Fatalf("herald-local exited with %v\n%s", err, p.Text())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("herald-local did not stop within 30s of SIGINT\n%s", p.Text())
	}
	for what, url := range map[string]string{"API": stackAPI, "SNS/SQS": sqsURL, "DynamoDB": p.Banner["DynamoDB"], "NATS": p.Banner["NATS"]} {
		host := url[strings.Index(url, "://")+3:]
		if c, err := net.DialTimeout("tcp", host, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still listening on %s after stop", what, host)
		}
	}
	if !strings.Contains(p.Text(), "herald-local: stopped") {
		t.Errorf("no clean stop message:\n%s", p.Text())
	}
}

// streamEvent checks that the stream of a consumer (creds: "<consumer id> <token>")
// delivers the event uuid as an SSE message frame within ten seconds.
func streamEvent(t *testing.T, api, creds, uuid string) {
	t.Helper()
	id, token, ok := strings.Cut(strings.TrimSpace(creds), " ")
	if !ok || id == "" || token == "" {
		t.Fatalf("consumer and token: %q", creds)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/v1/consumers/"+id+"/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Closing ends the stream: the function sees its client gone.
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	sc := bufio.NewScanner(resp.Body)
	inMessage := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "event: message":
			inMessage = true
		case inMessage && strings.HasPrefix(line, "data: "):
			var m struct {
				Event struct {
					UUID string `json:"uuid"`
				} `json:"event"`
			}
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m); err != nil || m.Event.UUID != uuid {
				t.Fatalf("stream: first message %s, want the event %s", line, uuid)
			}
			return
		}
	}
	t.Fatalf("stream: no message frame within 10s: %v", sc.Err())
}

// inboxEvent publishes a user.PermissionGranted event for the banner's demo user and
// waits for it in the demo user's inbox; the other user's inbox stays empty.
func inboxEvent(t *testing.T, p *stacktest.Stack, api string) {
	t.Helper()
	out := p.Shell(t, `curl -s -X POST `+api+`/v1/events -H "Authorization: Bearer $PUBLISHER_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"event":"user.PermissionGranted","resource":{"type":"user","id":"demo","path":"users/demo"},"data":{"resource":{"type":"project","path":"projects/demo"},"permission":"WRITE"},"recipients":["demo"]}'`)
	var published struct {
		UUID string `json:"uuid"`
	}
	if err := json.Unmarshal([]byte(out), &published); err != nil || published.UUID == "" {
		t.Fatalf("publish with recipients: %s", out)
	}
	type inbox struct {
		Items []struct {
			Variant   string `json:"variant"`
			EventUUID string `json:"event_uuid"`
		} `json:"items"`
	}
	list := `curl -s ` + api + `/v1/me/notifications -H "Authorization: Bearer $DEMO_TOKEN"`
	var got inbox
	testenv.WaitFor(t, 30*time.Second, func() bool {
		out = p.Shell(t, list)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("inbox: %s", out)
		}
		return len(got.Items) > 0
	}, "the notification in demo's inbox")
	if len(got.Items) != 1 || got.Items[0].EventUUID != published.UUID || got.Items[0].Variant != "PERMISSION_GRANTED" {
		t.Fatalf("demo's inbox: %s", out)
	}
	var other inbox
	if out := p.Shell(t, `curl -s `+api+`/v1/me/notifications?state=all -H "Authorization: Bearer $OTHER_TOKEN"`); json.Unmarshal([]byte(out), &other) != nil || len(other.Items) != 0 {
		t.Fatalf("the other user's inbox: %s", out)
	}
}

// triggerDelivery publishes an item event and checks that the trigger's webhook gets
// exactly that event, signed with the secret from the trigger's creation, and nothing
// for the banner's event (otherUUID), which the Router matched to no trigger.
func triggerDelivery(t *testing.T, p *stacktest.Stack, api string, hook *stacktest.HookReceiver, secret, otherUUID string) {
	t.Helper()
	out := p.Shell(t, `curl -s -X POST `+api+`/v1/events -H "Authorization: Bearer $PUBLISHER_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/demo/items/i1","after":{"title":"i1"}}}'`)
	var published struct {
		UUID string `json:"uuid"`
	}
	if err := json.Unmarshal([]byte(out), &published); err != nil || published.UUID == "" {
		t.Fatalf("publish item event: %s", out)
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		headers, _ := hook.Received()
		routedOther := strings.Contains(p.Text(), `"uuid":"`+otherUUID+`","event":"resource.ResourceCreated","triggers":0`)
		return len(headers) > 0 && routedOther
	}, "the item event's webhook and the banner event routed to no trigger")
	headers, bodies := hook.Received()
	if len(headers) != 1 || !strings.Contains(string(bodies[0]), published.UUID) {
		t.Fatalf("webhook requests %d (%q), want one carrying %s", len(headers), bodies, published.UUID)
	}
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := webhook.Verify(key, headers[0], bodies[0], time.Minute, time.Now()); err != nil {
		t.Errorf("the webhook does not verify with the secret from the trigger's creation: %v", err)
	}
}

// lambdaActionTarget is the function lambdaAction invokes: a partner's, allowed by the
// stack's ActionTargets.
const lambdaActionTarget = "arn:aws:lambda:eu-west-1:123456789012:function:partner-invoke"

// lambdaAction checks lambda actions through the Lambda Invoke API herald-local serves.
// It serves only the stack's functions, which are Herald's own: a trigger aimed at one is
// refused whatever account its ARN names, while an allowed partner function is invoked
// and, missing here, fails as it would in AWS.
func lambdaAction(t *testing.T, p *stacktest.Stack, api string) {
	t.Helper()
	create := func(function string) string {
		return p.Shell(t, `curl -s -X POST `+api+`/v1/triggers -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
			`-d '{"name":"invoke","resource":{"path":"projects/demo"},"action":{"type":"lambda","function":"`+function+`","invocation_type":"RequestResponse"},"retry":{"schedule":["1s"]}}'`)
	}
	if out := create("arn:aws:lambda:eu-west-1:123456789012:function:EventsApi"); !strings.Contains(out, `"status":400`) || !strings.Contains(out, `"field":"action.function"`) {
		t.Errorf("a lambda action aimed at EventsApi: %s, want 400 naming action.function", out)
	}
	out := create(lambdaActionTarget)
	var tr struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil || tr.ID == "" {
		t.Fatalf("create lambda trigger: %s", out)
	}
	out = p.Shell(t, `curl -s -X POST `+api+`/v1/triggers/`+tr.ID+`/fire -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"event":{"event":"job.JobFinished","resource":{"type":"project","path":"projects/demo"}}}'`)
	if !strings.Contains(out, "delivery_id") {
		t.Fatalf("fire: %s", out)
	}
	var log struct {
		Items []struct {
			Status string `json:"status"`
			Log    []struct {
				Error string `json:"error"`
			} `json:"log"`
		} `json:"items"`
	}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		out = p.Shell(t, `curl -s `+api+`/v1/triggers/`+tr.ID+`/deliveries -H "Authorization: Bearer $DEMO_TOKEN"`)
		return json.Unmarshal([]byte(out), &log) == nil && len(log.Items) == 1 && log.Items[0].Status == "exhausted"
	}, "the lambda delivery to be given up")
	if l := log.Items[0].Log; len(l) == 0 || !strings.Contains(l[0].Error, "not found") {
		t.Errorf("delivery log %s, want the invocation tried and the function not found", out)
	}
}

// exhaustAndReplay checks, through the whole stack, a receiver that fails: the delivery
// is retried on the trigger's schedule, exhausted, and its owner told
// (DELIVERY_EXHAUSTED in the inbox); once the receiver works, a replay of the stream
// delivers the event.
func exhaustAndReplay(t *testing.T, p *stacktest.Stack, api string) {
	t.Helper()
	var healthy atomicBool
	hook := stacktest.NewHookReceiver(t)
	hook.Config.Handler = failUnless(&healthy, hook.Config.Handler)
	out := p.Shell(t, `curl -s -X POST `+api+`/v1/triggers -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"name":"flaky","resource":{"path":"projects/demo/flaky","include_subresources":true},"events":["*"],"action":{"type":"http","url":"`+hook.URL+`"},"retry":{"schedule":["1s"]}}'`)
	var tr struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil || tr.ID == "" {
		t.Fatalf("create trigger: %s", out)
	}
	// The Router takes up to 5 s to see a new trigger: publish until an event is routed
	// to it, and follow that one.
	type publishedEvent struct {
		UUID     string `json:"uuid"`
		Sequence uint64 `json:"sequence"`
	}
	var sent []publishedEvent
	var published publishedEvent
	var last time.Time
	testenv.WaitFor(t, 30*time.Second, func() bool {
		for _, e := range sent {
			if strings.Contains(p.Text(), `"uuid":"`+e.UUID+`","event":"resource.ResourceCreated","triggers":1`) {
				published = e
				return true
			}
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			out := p.Shell(t, `curl -s -X POST `+api+`/v1/events -H "Authorization: Bearer $PUBLISHER_TOKEN" -H 'Content-Type: application/json' `+
				`-d '{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/flaky/c1","after":{"title":"c1"}}}'`)
			var e publishedEvent
			if err := json.Unmarshal([]byte(out), &e); err != nil || e.UUID == "" {
				t.Fatalf("publish: %s", out)
			}
			sent = append(sent, e)
		}
		return false
	}, "an event routed to the new trigger")
	deliveries := `curl -s "` + api + `/v1/triggers/` + tr.ID + `/deliveries?status=exhausted" -H "Authorization: Bearer $DEMO_TOKEN"`
	testenv.WaitFor(t, 60*time.Second, func() bool {
		return strings.Contains(p.Shell(t, deliveries), `"attempts":2`)
	}, "the delivery to be exhausted after two attempts")
	testenv.WaitFor(t, 30*time.Second, func() bool {
		return strings.Contains(p.Shell(t, `curl -s `+api+`/v1/me/notifications -H "Authorization: Bearer $DEMO_TOKEN"`), `"variant":"DELIVERY_EXHAUSTED"`)
	}, "DELIVERY_EXHAUSTED in the owner's inbox")

	healthy.set()
	before, _ := hook.Received()
	out = p.Shell(t, `curl -s -X POST `+api+`/v1/triggers/`+tr.ID+`/replay -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"start_sequence":`+strconv.FormatUint(published.Sequence, 10)+`}'`)
	if !strings.Contains(out, `"queued":`) || strings.Contains(out, `"queued":0`) {
		t.Fatalf("replay: %s", out)
	}
	testenv.WaitFor(t, 30*time.Second, func() bool {
		h, bodies := hook.Received()
		return len(h) > len(before) && strings.Contains(string(bodies[len(bodies)-1]), published.UUID)
	}, "the replayed event at the receiver")
}

// atomicBool is a flag the test flips while the receiver serves.
type atomicBool struct {
	mu sync.Mutex
	on bool
}

func (b *atomicBool) set() { b.mu.Lock(); b.on = true; b.mu.Unlock() }
func (b *atomicBool) get() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.on
}

// failUnless answers 500 until healthy is set, recording every request with next.
func failUnless(healthy *atomicBool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.get() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		next.ServeHTTP(w, r)
	})
}
