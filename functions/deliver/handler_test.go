package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/internal/webhook"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// harness is a Deliver handler on the template's tables, queues of the test's own, a
// JetStream server of its own, and webhooks allowed to reach loopback.
type harness struct {
	h        *Handler
	js       jetstream.JetStream
	queueURL string
	dlqURL   string
	owner    string
}

func newHarness(t testing.TB, allowLoopback bool) *harness {
	t.Helper()
	ref := func(name string) string {
		v, err := env.Stack.Ref(name)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	js, _ := env.JetStream(t)
	// nats actions publish as the confined actions user, as deployed.
	actions, err := nats.Connect(env.ActionsURL(t, js.Conn().ConnectedUrl()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(actions.Close)
	queue, _ := env.NewQueue(t, "deliveries")
	dlq, _ := env.NewQueue(t, "deliveries-dlq")
	var allow []netip.Prefix
	if allowLoopback {
		allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	}
	h := &Handler{
		Triggers:   &trigger.Store{DB: env.DynamoDB, Table: ref("TriggersTable")},
		Deliveries: &delivery.Store{DB: env.DynamoDB, Table: ref("DeliveriesTable"), Retention: delivery.DefaultRetention},
		// Herald's notices are announced on its connection, as deployed.
		Inbox: &inbox.Store{DB: env.DynamoDB, Table: ref("NotificationsTable"), UnackedRetention: inbox.DefaultUnackedRetention, AckedRetention: inbox.DefaultAckedRetention,
			Feed: inbox.NewFeed(js.Conn())},
		Runner: &action.Runner{Webhooks: action.NewWebhooks(webhook.ClientOptions{Allow: allow}), SQS: env.SQS, SNS: env.SNS, JS: js, Actions: actions,
			Policy: testPolicy(t)},
		SQS: env.SQS, QueueURL: queue, DeadLetterURL: dlq, DisableAfter: 2,
		Rand: func() float64 { return 0 }, // the shortest jitter: 80 % of each step
	}
	return &harness{h: h, js: js, queueURL: queue, dlqURL: dlq, owner: "owner-" + uuid.NewString()[:8]}
}

// testPolicy allows the targets the tests make (queues named target-…, topics and
// functions named partner-…, subjects in the default action namespace) and names Herald's
// own queues and topic, as the template does.
func testPolicy(t testing.TB) actionspec.Policy {
	t.Helper()
	own := []string{"arn:aws:lambda:*:*:function:*Api"}
	for _, q := range []string{"RouteQueue", "InboxQueue", "DeliveriesQueue"} {
		arn, err := env.Stack.GetAtt(q, "Arn")
		if err != nil {
			t.Fatal(err)
		}
		own = append(own, arn)
	}
	return actionspec.Policy{
		NATS: true, Region: emulator.Region,
		Targets: []string{"arn:aws:sqs:*:*:target*", "arn:aws:sqs:*:*:RouteQueue", "arn:aws:sns:*:*:partner-*", "arn:aws:lambda:*:*:function:partner-*"}, Own: own,
	}
}

// trigger stores a trigger on projects/p1 with action (JSON) and schedule.
func (x *harness) trigger(t testing.TB, actionJSON string, schedule ...string) *trigger.Trigger {
	t.Helper()
	spec := trigger.Spec{Name: "t", Resource: trigger.Resource{Path: "projects/p1", IncludeSubresources: true}, Events: []string{"*"}, Action: json.RawMessage(actionJSON)}
	if len(schedule) > 0 {
		spec.Retry = &trigger.Retry{Schedule: schedule}
	}
	if err := spec.Normalize(); err != nil {
		t.Fatal(err)
	}
	if err := spec.EnsureSecret(nil); err != nil {
		t.Fatal(err)
	}
	// The owner holds WRITE on the scope: a javascript action may publish inside it.
	spec.SetWritable(&auth.Claims{Subject: x.owner, Perms: map[string]auth.Level{"projects/p1": auth.Write}})
	tr, err := x.h.Triggers.Create(context.Background(), spec, x.owner)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// queue routes a new event to tr as the Router does and returns the task.
func (x *harness) queue(t *testing.T, tr *trigger.Trigger) *delivery.Task {
	t.Helper()
	ev := &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC(), Resource: &event.Resource{Type: "collection", Path: "projects/p1/collections/c1"}}
	raw, _ := json.Marshal(ev)
	task := &delivery.Task{TriggerID: tr.ID, DeliveryID: delivery.ID(ev.UUID, tr.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
	if _, err := x.h.Deliveries.Enqueue(context.Background(), &delivery.Queue{SQS: env.SQS, URL: x.queueURL}, task); err != nil {
		t.Fatal(err)
	}
	return task
}

// run receives the queue's messages as Lambda's poller does (without deleting them) and
// hands them to the handler, deleting those it did not report as failures, until the
// delivery is settled (succeeded or exhausted) or the timeout passes.
func (x *harness) run(t *testing.T, task *delivery.Task, timeout time.Duration) *delivery.Record {
	t.Helper()
	var rec *delivery.Record
	testenv.WaitFor(t, timeout, func() bool {
		x.pass(t)
		var err error
		rec, err = x.h.Deliveries.Get(context.Background(), task.TriggerID, task.DeliveryID)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Status == delivery.StatusSucceeded || rec.Status == delivery.StatusExhausted || rec.Status == delivery.StatusSkipped
	}, "the delivery to settle")
	return rec
}

// pass receives what the queue holds, as Lambda's poller does (without deleting), hands
// it to the handler, deletes what it did not report as failures, and returns how many
// messages it handled.
func (x *harness) pass(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	out, err := env.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(x.queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	batch := awsevents.SQSEvent{}
	for _, m := range out.Messages {
		batch.Records = append(batch.Records, awsevents.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
	}
	if len(batch.Records) == 0 {
		return 0
	}
	resp, err := x.h.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	for _, m := range batch.Records {
		if !failed[m.MessageId] {
			if _, err := env.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(x.queueURL), ReceiptHandle: aws.String(m.ReceiptHandle)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return len(batch.Records)
}

// receiver is a webhook endpoint on loopback that answers with the statuses given, one
// per request (the last one repeating), and records what it received.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   [][]byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, req)
		r.bodies = append(r.bodies, body)
		status := r.statuses[min(len(r.got), len(r.statuses))-1]
		w.WriteHeader(status)
		fmt.Fprintf(w, "attempt %d", len(r.got))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() ([]*http.Request, [][]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.got...), append([][]byte(nil), r.bodies...)
}

func (x *harness) secret(t *testing.T, tr *trigger.Trigger) []byte {
	t.Helper()
	cfg, err := action.ParseConfig(tr.Action)
	if err != nil {
		t.Fatal(err)
	}
	k, err := webhook.ParseSecret(cfg.Secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestWebhookRetries: a receiver failing twice then succeeding gets the event, every
// attempt signed with the trigger's secret under the same webhook-id; the log shows
// three attempts.
func TestWebhookRetries(t *testing.T) {
	x := newHarness(t, true)
	rcv := newReceiver(t, 500, 503, 200)
	tr := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`/hook"}`, "1s", "1s", "1s")
	task := x.queue(t, tr)
	rec := x.run(t, task, 30*time.Second)
	if rec.Status != delivery.StatusSucceeded || rec.Attempts != 3 || len(rec.Log) != 3 {
		t.Fatalf("delivery %+v, want succeeded after 3 attempts", rec)
	}
	if rec.Log[0].StatusCode != 500 || rec.Log[1].StatusCode != 503 || rec.Log[2].StatusCode != 200 || rec.Log[2].Response != "attempt 3" {
		t.Errorf("log %+v", rec.Log)
	}
	reqs, bodies := rcv.requests()
	key := x.secret(t, tr)
	for i, req := range reqs {
		if id := req.Header.Get("webhook-id"); id != task.DeliveryID {
			t.Errorf("attempt %d webhook-id %q, want the delivery id %s", i+1, id, task.DeliveryID)
		}
		if err := webhook.Verify(key, req.Header, bodies[i], time.Minute, time.Now()); err != nil {
			t.Errorf("attempt %d does not verify with the trigger's secret: %v", i+1, err)
		}
		if string(bodies[i]) != string(task.Event) {
			t.Errorf("attempt %d body %s, want the event", i+1, bodies[i])
		}
	}
}

// TestExhaustion: a receiver that always fails exhausts a short schedule; the delivery
// goes to the dead-letter queue, the owner is told, and after DisableAfter (2) exhausted
// deliveries the trigger is disabled, and told too.
func TestExhaustion(t *testing.T) {
	x := newHarness(t, true)
	rcv := newReceiver(t, 500)
	tr := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`"}`, "1s")
	// The owner's live streams hear of every notice.
	live, err := inbox.NewFeed(x.js.Conn()).Subscribe(t.Context(), x.owner)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for i := range 2 {
		rec := x.run(t, x.queue(t, tr), 30*time.Second)
		if rec.Status != delivery.StatusExhausted || rec.Attempts != 2 {
			t.Fatalf("delivery %d: %+v, want exhausted after 2 attempts", i+1, rec)
		}
	}
	ctx := context.Background()
	dead := env.Receive(ctx, t, x.dlqURL, 2)
	if len(dead) != 2 {
		t.Fatalf("%d tasks in the dead-letter queue, want 2", len(dead))
	}
	got, err := x.h.Triggers.Lookup(ctx, tr.ID)
	if err != nil || got.IsEnabled() || !strings.Contains(got.DisabledReason, "2 deliveries") {
		t.Fatalf("trigger after two exhausted deliveries: %+v, %v", got, err)
	}
	page, err := x.h.Inbox.List(ctx, x.owner, inbox.Unacknowledged, inbox.Filter{}, 10, "")
	if err != nil {
		t.Fatal(err)
	}
	count := map[inbox.Variant]int{}
	for _, n := range page.Items {
		count[n.Variant]++
	}
	if count[inbox.DeliveryExhausted] != 2 || count[inbox.TriggerDisabled] != 1 {
		t.Errorf("owner's inbox %v, want 2 DELIVERY_EXHAUSTED and 1 TRIGGER_DISABLED", count)
	}
	announced := map[inbox.Variant]int{}
	for range 3 {
		select {
		case m := <-live.C():
			c, err := inbox.ReadChange(m.Data)
			if err != nil || c.Notification == nil {
				t.Fatalf("announced %s: %v, want a notification", m.Data, err)
			}
			announced[c.Notification.Variant]++
		case <-time.After(10 * time.Second):
			t.Fatalf("announced %v, want the 3 notices", announced)
		}
	}
	if !maps.Equal(announced, count) {
		t.Errorf("announced %v, want what the inbox holds, %v", announced, count)
	}
	// Disabled: the next delivery is skipped, not attempted.
	before, _ := rcv.requests()
	if rec := x.run(t, x.queue(t, tr), 30*time.Second); rec.Status != delivery.StatusSkipped {
		t.Errorf("delivery to a disabled trigger: %+v, want skipped", rec)
	}
	if after, _ := rcv.requests(); len(after) != len(before) {
		t.Errorf("a disabled trigger's delivery reached the receiver")
	}
}

// TestGone: a 410 answer disables the trigger at once, without retrying.
func TestGone(t *testing.T) {
	x := newHarness(t, true)
	rcv := newReceiver(t, 410)
	tr := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`"}`, "1s", "1s")
	if rec := x.run(t, x.queue(t, tr), 30*time.Second); rec.Status != delivery.StatusExhausted || rec.Attempts != 1 {
		t.Fatalf("delivery %+v, want exhausted after one attempt", rec)
	}
	if got, _ := x.h.Triggers.Lookup(context.Background(), tr.ID); got.IsEnabled() || !strings.Contains(got.DisabledReason, "410") {
		t.Errorf("trigger %+v, want disabled for the 410", got)
	}
}

// TestRefusedTargets: internal addresses are refused without retrying, and the log says
// why; nothing connects.
func TestRefusedTargets(t *testing.T) {
	x := newHarness(t, false)
	rcv := newReceiver(t, 200)
	port := rcv.URL[strings.LastIndex(rcv.URL, ":"):]
	for _, target := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "http://[::1]" + port + "/", "http://localhost" + port + "/", rcv.URL} {
		t.Run(target, func(t *testing.T) {
			tr := x.trigger(t, `{"type":"http","url":"`+target+`"}`, "1s")
			rec := x.run(t, x.queue(t, tr), 30*time.Second)
			if rec.Status != delivery.StatusExhausted || rec.Attempts != 1 || !strings.Contains(rec.Log[0].Error, "refused") {
				t.Errorf("delivery %+v, want exhausted at once with the refusal in the log", rec)
			}
		})
	}
	if reqs, _ := rcv.requests(); len(reqs) != 0 {
		t.Errorf("the loopback receiver got %d requests", len(reqs))
	}
}

// TestSQSAction delivers the event to a queue made in the emulator.
func TestSQSAction(t *testing.T) {
	x := newHarness(t, true)
	target, _ := env.NewQueue(t, "target")
	tr := x.trigger(t, `{"type":"sqs","queue_url":"`+target+`"}`)
	task := x.queue(t, tr)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs := env.Receive(ctx, t, target, 1)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != string(task.Event) {
		t.Fatalf("target queue got %v", msgs)
	}
	// The event's identifying fields travel as message attributes.
	want := map[string]string{"event": "resource.ResourceCreated", "uuid": task.EventUUID, "resource_type": "collection", "resource_path": "projects/p1/collections/c1"}
	for name, v := range want {
		if got := aws.ToString(msgs[0].MessageAttributes[name].StringValue); got != v {
			t.Errorf("attribute %s = %q, want %q", name, got, v)
		}
	}
}

// TestNATSAction publishes the event on a subject.
func TestNATSAction(t *testing.T) {
	x := newHarness(t, true)
	sub, err := x.js.Conn().SubscribeSync("herald.actions.partner.items")
	if err != nil {
		t.Fatal(err)
	}
	tr := x.trigger(t, `{"type":"nats","subject":"herald.actions.partner.items"}`)
	task := x.queue(t, tr)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil || string(m.Data) != string(task.Event) {
		t.Fatalf("subject got %v, %v", m, err)
	}
	for name, want := range map[string]string{"Nats-Msg-Id": task.DeliveryID, "Herald-Event": "resource.ResourceCreated", "Herald-Trigger": tr.ID} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
}

// TestJavaScriptAction: handle(event) returns a derived event, which is published; a
// transform reshapes what a webhook receives.
func TestJavaScriptAction(t *testing.T) {
	x := newHarness(t, true)
	tr := x.trigger(t, `{"type":"javascript","script":"function handle(e){ return {event:'job.JobCreated', resource:{type:'job', path:e.resource.path+'/jobs/thumb'}, data:{from:e.uuid}} }"}`)
	task := x.queue(t, tr)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	stream, err := x.js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stream.GetLastMsgForSubject(context.Background(), event.Subject("job.JobCreated", "projects/p1/collections/c1/jobs/thumb"))
	if err != nil {
		t.Fatalf("the derived event is not on the stream: %v", err)
	}
	if !strings.Contains(string(msg.Data), task.EventUUID) {
		t.Errorf("derived event %s does not carry the source uuid", msg.Data)
	}

	rcv := newReceiver(t, 200)
	shaped := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`","transform":"function transform(e){ return {id: e.uuid, kind: e.event} }"}`)
	task = x.queue(t, shaped)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	_, bodies := rcv.requests()
	if want := fmt.Sprintf(`{"id":%q,"kind":"resource.ResourceCreated"}`, task.EventUUID); len(bodies) != 1 || string(bodies[0]) != want {
		t.Errorf("transformed body %q, want %s", bodies, want)
	}
}

// TestScriptLimit: a script that loops forever is stopped at its limit, and the delivery
// fails for good with the reason in the log.
func TestScriptLimit(t *testing.T) {
	x := newHarness(t, true)
	tr := x.trigger(t, `{"type":"javascript","script":"function handle(e){ while(true){} }"}`, "1s")
	rec := x.run(t, x.queue(t, tr), 30*time.Second)
	if rec.Status != delivery.StatusExhausted || rec.Attempts != 1 || rec.Log[0].DurationMS > 5000 {
		t.Fatalf("delivery %+v, want exhausted after one stopped attempt", rec)
	}
}

// TestPoisonTask: a message that is not a task goes to the dead-letter queue and does
// not hold up the good task beside it.
func TestPoisonTask(t *testing.T) {
	x := newHarness(t, true)
	rcv := newReceiver(t, 200)
	tr := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`"}`)
	task := x.queue(t, tr)
	if _, err := env.SQS.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(x.queueURL), MessageBody: aws.String("not a task")}); err != nil {
		t.Fatal(err)
	}
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	testenv.WaitFor(t, 10*time.Second, func() bool { return x.pass(t) == 0 }, "the queue to be drained")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if dead := env.Receive(ctx, t, x.dlqURL, 1); len(dead) != 1 || aws.ToString(dead[0].Body) != "not a task" {
		t.Errorf("dead-letter queue %v", dead)
	}
}

// TestSNSAction publishes the event to a topic with its message attributes: a queue
// subscribed with a filter on them receives it.
func TestSNSAction(t *testing.T) {
	x := newHarness(t, true)
	ctx := context.Background()
	topic, err := env.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("partner-" + uuid.NewString()[:8])})
	if err != nil {
		t.Fatal(err)
	}
	queue, arn := env.NewQueue(t, "partner")
	env.Subscribe(t, aws.ToString(topic.TopicArn), arn, `{"event":["resource.ResourceCreated"]}`, true)
	tr := x.trigger(t, `{"type":"sns","topic_arn":"`+aws.ToString(topic.TopicArn)+`"}`)
	task := x.queue(t, tr)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	msgs := env.Receive(rctx, t, queue, 1)
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != string(task.Event) {
		t.Fatalf("the filtered subscription got %v", msgs)
	}
}

// TestPolicyAtSend: a trigger stored before the policy refused its target (written
// straight to the table, as an old trigger would be) is refused before its action runs:
// Herald's own queue even where an allow pattern names it, a queue outside the
// allow-list, a subject outside the action namespace. Nothing reaches them.
func TestPolicyAtSend(t *testing.T) {
	x := newHarness(t, true)
	route, err := env.Stack.Ref("RouteQueue")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := env.NewQueue(t, "other")
	sub, err := x.js.Conn().SubscribeSync("herald.deadletter.events")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ action, reason string }{
		{`{"type":"sqs","queue_url":"` + route + `"}`, "Herald's own"},
		{`{"type":"sqs","queue_url":"` + other + `"}`, "not allowed by the operator"},
		{`{"type":"nats","subject":"herald.deadletter.events"}`, "Herald's own subjects"},
		{`{"type":"nats","subject":"elsewhere.items"}`, "action namespace"},
	} {
		t.Run(tt.action, func(t *testing.T) {
			rec := x.run(t, x.queue(t, x.trigger(t, tt.action, "1s")), 30*time.Second)
			if rec.Status != delivery.StatusExhausted || rec.Attempts != 1 || !strings.Contains(rec.Log[0].Error, tt.reason) {
				t.Errorf("delivery %+v, want exhausted at once because %q", rec, tt.reason)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if msgs := env.Receive(ctx, t, other, 1); len(msgs) != 0 {
		t.Errorf("the queue outside the allow-list got %d messages", len(msgs))
	}
	if m, err := sub.NextMsg(100 * time.Millisecond); err == nil {
		t.Errorf("a refused nats action published %s", m.Data)
	}
}

// TestScriptEventsAsOwner: the events a javascript action returns are published as the
// trigger's owner with their origin, and refused whole when one of them is not the
// owner's to publish.
func TestScriptEventsAsOwner(t *testing.T) {
	x := newHarness(t, true)
	tr := x.trigger(t, `{"type":"javascript","script":"function handle(e){ return {event:'job.JobCreated', user:{id:'someone-else'}, resource:{type:'job', path:'projects/p1/jobs/'+e.uuid}} }"}`)
	task := x.queue(t, tr)
	if rec := x.run(t, task, 30*time.Second); rec.Status != delivery.StatusSucceeded {
		t.Fatalf("delivery %+v", rec)
	}
	stream, err := x.js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := stream.GetLastMsgForSubject(context.Background(), event.Subject("job.JobCreated", "projects/p1/jobs/"+task.EventUUID))
	if err != nil {
		t.Fatalf("the script's event is not on the stream: %v", err)
	}
	ev, err := event.Decode(msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if o, ok := ev.Origin(); ev.User == nil || ev.User.ID != x.owner || !ok || o.Trigger != tr.ID || o.Hop != 1 {
		t.Errorf("published %s, want user.id %s and origin {trigger %s, hop 1}", msg.Data, x.owner, tr.ID)
	}

	for _, tt := range []struct{ name, returns, reason string }{
		{"a permission grant about another user", `{event:'user.PermissionGranted', resource:{type:'user', path:'users/victim'}, recipients:['victim']}`, "user.* events"},
		{"a recipient other than the owner", `{event:'job.JobCreated', resource:{type:'job', path:'projects/p1/j'}, recipients:['victim']}`, "recipients"},
		{"outside the scope", `{event:'job.JobCreated', resource:{type:'job', path:'projects/p2/j'}}`, "outside the trigger's scope"},
		{"an announcement", `{event:'system.Announcement'}`, "system.* events"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := stream.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			tr := x.trigger(t, `{"type":"javascript","script":"function handle(e){ return [{event:'job.JobCreated', resource:{type:'job', path:'projects/p1/ok'}}, `+tt.returns+`] }"}`, "1s")
			rec := x.run(t, x.queue(t, tr), 30*time.Second)
			if rec.Status != delivery.StatusExhausted || !strings.Contains(rec.Log[0].Error, "refused") || !strings.Contains(rec.Log[0].Error, tt.reason) {
				t.Errorf("delivery %+v, want exhausted with the refusal (%s) in the log", rec, tt.reason)
			}
			after, err := stream.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if after.State.LastSeq != before.State.LastSeq {
				t.Errorf("the stream went from sequence %d to %d: a refused script published", before.State.LastSeq, after.State.LastSeq)
			}
		})
	}
}

// TestSyncTriggerTaskSkipped: a task for a sync trigger (a retry made after its mode
// changed) never runs its action from the queue.
func TestSyncTriggerTaskSkipped(t *testing.T) {
	x := newHarness(t, true)
	rcv := newReceiver(t, 200)
	tr := x.trigger(t, `{"type":"http","url":"`+rcv.URL+`"}`)
	tr.Mode = trigger.Sync
	if _, err := x.h.Triggers.Replace(context.Background(), tr.ID, x.owner, tr.Spec); err != nil {
		t.Fatal(err)
	}
	if rec := x.run(t, x.queue(t, tr), 30*time.Second); rec.Status != delivery.StatusSkipped {
		t.Errorf("delivery %+v, want skipped", rec)
	}
	if reqs, _ := rcv.requests(); len(reqs) != 0 {
		t.Errorf("the sync trigger's webhook got %d requests from the queue", len(reqs))
	}
}

// TestServerRefusesNATSAction: where Herald's own check would let a subject through (an
// operator set a wider namespace than the NATS user allows), the server refuses the
// publish, and the delivery fails for good instead of counting as delivered.
func TestServerRefusesNATSAction(t *testing.T) {
	x := newHarness(t, true)
	x.h.Runner.Policy.Subjects = []string{"partner.>"}
	sub, err := x.js.Conn().SubscribeSync("partner.items")
	if err != nil {
		t.Fatal(err)
	}
	tr := x.trigger(t, `{"type":"nats","subject":"partner.items"}`, "1s")
	rec := x.run(t, x.queue(t, tr), 30*time.Second)
	if rec.Status != delivery.StatusExhausted || !strings.Contains(rec.Log[0].Error, "refused by the NATS server") {
		t.Errorf("delivery %+v, want exhausted because the server refused it", rec)
	}
	if m, err := sub.NextMsg(200 * time.Millisecond); err == nil {
		t.Errorf("the refused publish arrived: %s", m.Data)
	}
}

// fakeLambda serves the Lambda Invoke API for the functions named partner-ok, which
// answers, and partner-fail, whose every run fails; it records each invocation's payload.
func fakeLambda(t *testing.T) (*awslambda.Client, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var payloads []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		payloads = append(payloads, string(body))
		mu.Unlock()
		switch {
		case strings.Contains(r.URL.Path, "function:partner-ok/"):
			w.Write([]byte(`{"done":true}`))
		case strings.Contains(r.URL.Path, "function:partner-fail/"):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Write([]byte(`{"errorMessage":"the partner is down","errorType":"Error"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	client := awslambda.New(awslambda.Options{Region: emulator.Region, BaseEndpoint: aws.String(srv.URL), Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	return client, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), payloads...)
	}
}

// TestLambdaAction: a function that ran delivers; a function error (FunctionError in the
// answer of a RequestResponse invocation) is a failed attempt, retried on the schedule
// and then exhausted, with the function's error in the log.
func TestLambdaAction(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:"
	tests := []struct {
		function string
		status   string
		attempts int
		err      string
	}{
		{"partner-ok", delivery.StatusSucceeded, 1, ""},
		{"partner-fail", delivery.StatusExhausted, 2, "the function failed: Unhandled"},
	}
	for _, tt := range tests {
		t.Run(tt.function, func(t *testing.T) {
			x := newHarness(t, true)
			client, payloads := fakeLambda(t)
			x.h.Runner.Lambda = client
			tr := x.trigger(t, `{"type":"lambda","function":"`+fn+tt.function+`","invocation_type":"RequestResponse"}`, "1s")
			task := x.queue(t, tr)
			rec := x.run(t, task, 30*time.Second)
			if rec.Status != tt.status || len(rec.Log) != tt.attempts {
				t.Fatalf("delivery %+v, want %s after %d attempts", rec, tt.status, tt.attempts)
			}
			for _, a := range rec.Log {
				if !strings.Contains(a.Error, tt.err) || (tt.err == "") != (a.Error == "") {
					t.Errorf("attempt %+v, want the error %q", a, tt.err)
				}
			}
			got := payloads()
			if len(got) != tt.attempts || got[0] != string(task.Event) {
				t.Errorf("the function was invoked with %q, want the event %d times", got, tt.attempts)
			}
		})
	}
}
