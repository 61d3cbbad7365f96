package actions

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/webhook"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the suite's tests of what actions deliver besides the event itself:
// form webhooks, the message attributes of sqs actions, nats actions acknowledged by a
// stream and deduplicated by it, nats actions that require a listener, and lambda
// actions that decide sync triggers or fail; and the attacks on them.

// partnerFunction is the ARN of a function of the stack's -lambda-targets.
func partnerFunction(name string) string {
	return "arn:aws:lambda:us-east-1:000000000000:function:" + name
}

// partnerStream is a stream of a partner's on a part of the action namespace, which nats
// actions publish into.
const (
	partnerStream   = "PARTNER_ORDERS"
	partnerSubjects = "herald.actions.orders.>"
)

// partnerOrders makes (or finds) the partner's stream, as the stack's operator would,
// connected as Herald's NATS user.
func partnerOrders(t *testing.T, js jetstream.JetStream) jetstream.Stream {
	t.Helper()
	s, err := js.CreateOrUpdateStream(context.Background(), jetstream.StreamConfig{Name: partnerStream, Subjects: []string{partnerSubjects}, Duplicates: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fired is what firing a trigger answers.
type fired struct {
	DeliveryID string `json:"delivery_id"`
	EventUUID  string `json:"event_uuid"`
}

// fire runs trigger's action on event (JSON) and returns the delivery's and the event's
// ids.
func fire(t *testing.T, u stacktest.Tenant, trigger, event string) fired {
	t.Helper()
	var f fired
	u.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + trigger + "/fire", Token: u.Token, Body: `{"event":` + event + `}`}, http.StatusAccepted, &f)
	return f
}

// delivery waits until trigger's delivery id has status and attempts attempts, and
// returns it.
func delivery(t *testing.T, u stacktest.Tenant, trigger, id, status string, attempts int) stacktest.DeliveryView {
	t.Helper()
	var page struct {
		Items []stacktest.DeliveryView `json:"items"`
	}
	var d stacktest.DeliveryView
	testenv.WaitFor(t, 90*time.Second, func() bool {
		u.AC.OK(t, stacktest.Call{Method: "GET", Path: "/v1/triggers/" + trigger + "/deliveries", Token: u.Token}, http.StatusOK, &page)
		i := slices.IndexFunc(page.Items, func(d stacktest.DeliveryView) bool { return d.ID == id })
		if i < 0 {
			return false
		}
		d = page.Items[i]
		return d.Status == status && len(d.Log) == attempts
	}, "delivery "+id+" "+status+" after attempts")
	return d
}

// capabilities tests what actions deliver, as a tenant with WRITE on projects/cap uses
// them.
func capabilities(t *testing.T, p *stacktest.Stack, ac *stacktest.APIClient, js jetstream.JetStream) {
	const scope = "projects/cap"
	u := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "capable", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Write}})}
	ctx := context.Background()
	stream := partnerOrders(t, js)

	t.Run("a form webhook", func(t *testing.T) {
		hook := stacktest.NewHookReceiver(t)
		var created struct {
			ID     string `json:"id"`
			Action struct {
				Secret string `json:"secret"`
			} `json:"action"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: u.Token,
			Body: spec(scope, `["*"]`, `{"type":"http","url":"`+hook.URL+`/form","format":"form"}`)}, http.StatusCreated, &created)
		f := fire(t, u, created.ID, `{"event":"job.JobFinished","resource":{"type":"job","id":"j1","path":"`+scope+`/j1","namespaces":["media","a,b"]},"data":{"metadata":{"title":"Final cut"},"tags":["x","y"],"count":3}}`)
		delivery(t, u, created.ID, f.DeliveryID, "succeeded", 1)
		headers, bodies := hook.Received()
		if len(bodies) != 1 {
			t.Fatalf("the webhook got %d requests", len(bodies))
		}
		if ct := headers[0].Get("Content-Type"); ct != webhook.FormContentType {
			t.Errorf("Content-Type %q, want %q", ct, webhook.FormContentType)
		}
		secret, err := webhook.ParseSecret(created.Action.Secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := webhook.Verify(secret, headers[0], bodies[0], time.Minute, time.Now()); err != nil {
			t.Errorf("the form body's signature: %v", err)
		}
		form, err := url.ParseQuery(string(bodies[0]))
		if err != nil {
			t.Fatalf("the body %q does not parse: %v", bodies[0], err)
		}
		want := url.Values{
			"event": {"job.JobFinished"}, "uuid": {f.EventUUID}, "resource.type": {"job"}, "resource.id": {"j1"}, "resource.path": {scope + "/j1"},
			"resource.namespaces": {"media", "a,b"}, "data.metadata.title": {"Final cut"}, "data.tags": {"x", "y"}, "data.count": {"3"},
		}
		for k, v := range want {
			if !reflect.DeepEqual(form[k], v) {
				t.Errorf("%s = %q, want %q (body %s)", k, form[k], v, bodies[0])
			}
		}
		if form.Get("timestamp") == "" {
			t.Errorf("no timestamp in %s", bodies[0])
		}
	})

	t.Run("sqs message attributes", func(t *testing.T) {
		sqsc, _ := p.AWSClients()
		q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("partner-attributes")})
		if err != nil {
			t.Fatal(err)
		}
		id := u.Trigger(t, spec(scope, `["*"]`, `{"type":"sqs","queue_url":"`+aws.ToString(q.QueueUrl)+`"}`))
		f := fire(t, u, id, `{"event":"job.JobFinished","resource":{"type":"job","id":"j2","path":"`+scope+`/j2","namespaces":["media","a,b"]}}`)
		delivery(t, u, id, f.DeliveryID, "succeeded", 1)
		var got map[string]string
		var types map[string]string
		testenv.WaitFor(t, 30*time.Second, func() bool {
			out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
			if err != nil || len(out.Messages) == 0 {
				return false
			}
			got, types = map[string]string{}, map[string]string{}
			for k, v := range out.Messages[0].MessageAttributes {
				got[k], types[k] = aws.ToString(v.StringValue), aws.ToString(v.DataType)
			}
			return true
		}, "the message in the partner's queue")
		want := map[string]string{"event": "job.JobFinished", "domain": "job", "uuid": f.EventUUID, "resource_type": "job", "resource_id": "j2",
			"resource_path": scope + "/j2", "namespaces": `["media","a,b"]`, "has_recipients": "false"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("attribute %s = %q, want %q", k, got[k], v)
			}
		}
		if types["namespaces"] != "String.Array" {
			t.Errorf("namespaces is a %s, want String.Array", types["namespaces"])
		}
		if len(got) > 10 {
			t.Errorf("%d attributes, more than SQS takes", len(got))
		}
	})

	t.Run("a nats action acknowledged by a stream", func(t *testing.T) {
		id := u.Trigger(t, spec(scope, `["*"]`, `{"type":"nats","subject":"herald.actions.orders.cap"}`))
		f := fire(t, u, id, `{"event":"job.JobFinished","resource":{"type":"job","path":"`+scope+`/j3"}}`)
		d := delivery(t, u, id, f.DeliveryID, "succeeded", 1)
		if d.Log[0].Response != "stored by a stream that captures the subject" {
			t.Errorf("the attempt %+v does not say the stream stored it", d.Log[0])
		}
		m, err := stream.GetLastMsgForSubject(ctx, "herald.actions.orders.cap")
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"Nats-Msg-Id": f.DeliveryID, "Herald-Event": "job.JobFinished", "Herald-Trigger": id} {
			if got := m.Header.Get(name); got != want {
				t.Errorf("header %s = %q, want %q", name, got, want)
			}
		}
		// A redelivery of the same delivery is dropped by the stream, by its message id.
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + id + "/deliveries/" + f.DeliveryID + "/retry", Token: u.Token}, http.StatusAccepted, nil)
		d = delivery(t, u, id, f.DeliveryID, "succeeded", 2)
		if !strings.Contains(d.Log[1].Response, "duplicate") {
			t.Errorf("the redelivery %+v is not a duplicate", d.Log[1])
		}
		again, err := stream.GetLastMsgForSubject(ctx, "herald.actions.orders.cap")
		if err != nil || again.Sequence != m.Sequence {
			t.Errorf("after the redelivery the subject's last message is %v (%v), want sequence %d still", again, err, m.Sequence)
		}
	})

	t.Run("require_listener", func(t *testing.T) {
		required := u.Trigger(t, spec(scope, `["*"]`, `{"type":"nats","subject":"herald.actions.nobody.cap","require_listener":true}`))
		f := fire(t, u, required, `{"event":"job.JobFinished","resource":{"type":"job","path":"`+scope+`/j4"}}`)
		d := delivery(t, u, required, f.DeliveryID, "exhausted", 2)
		for _, a := range d.Log {
			if !strings.Contains(a.Error, "nothing listens") {
				t.Errorf("attempt %+v, want it failed as nothing listens", a)
			}
		}
		optional := u.Trigger(t, spec(scope, `["*"]`, `{"type":"nats","subject":"herald.actions.nobody.cap"}`))
		f = fire(t, u, optional, `{"event":"job.JobFinished","resource":{"type":"job","path":"`+scope+`/j4"}}`)
		if d := delivery(t, u, optional, f.DeliveryID, "succeeded", 1); !strings.Contains(d.Log[0].Response, "nothing listens") {
			t.Errorf("without require_listener: %+v, want a success that says nothing listens", d.Log[0])
		}
	})

	t.Run("a sync lambda vetoes", func(t *testing.T) {
		publisher := stacktest.MintToken(t, auth.Claims{Subject: "cap-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
		id := u.Trigger(t, `{"name":"judge","mode":"sync","resource":{"path":"`+scope+`/vet","include_subresources":true},"events":["*"],"action":{"type":"lambda","function":"`+partnerFunction("partner-judge")+`"}}`)
		publish := func(ok bool) stacktest.Answer {
			data, _ := json.Marshal(map[string]any{"ok": ok, "jobType": "TRANSCODE", "state": "READY"})
			return ac.Do(t, stacktest.Call{Method: "POST", Path: "/v1/events?mode=sync", Token: publisher,
				Body: `{"event":"job.JobCreated","resource":{"type":"job","id":"j1","path":"` + scope + `/vet/j1"},"data":` + string(data) + `}`})
		}
		// EventsApi learns of the new sync trigger within seconds: until then the event
		// has no sync trigger to pass and is published.
		var ans stacktest.Answer
		testenv.Poll(30*time.Second, func() bool {
			ans = publish(false)
			return ans.Status != http.StatusCreated
		})
		stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/events?mode=sync"}, ans, stacktest.Want{Status: http.StatusUnprocessableEntity})
		if !strings.Contains(string(ans.Body), "the partner's judge requires data.ok") || !strings.Contains(string(ans.Body), id) {
			t.Errorf("the veto %s does not carry the function's reason", ans)
		}
		if ans := publish(true); ans.Status != http.StatusCreated || !strings.Contains(string(ans.Body), `"approve":true`) {
			t.Errorf("an event the function approves: %s", ans)
		}
		u.Deliveries(t, id, "denied", 1)
		u.Deliveries(t, id, "approved", 1)
	})

	t.Run("an async lambda that fails", func(t *testing.T) {
		id := u.Trigger(t, spec(scope, `["*"]`, `{"type":"lambda","function":"`+partnerFunction("partner-fail")+`","invocation_type":"RequestResponse"}`))
		f := fire(t, u, id, `{"event":"job.JobFinished","resource":{"type":"job","path":"`+scope+`/j5"}}`)
		d := delivery(t, u, id, f.DeliveryID, "exhausted", 2)
		for _, a := range d.Log {
			if !strings.Contains(a.Error, "the function failed") || !strings.Contains(a.Response, "the partner is down") {
				t.Errorf("attempt %+v, want the function's failure", a)
			}
		}
		ok := u.Trigger(t, spec(scope, `["*"]`, `{"type":"lambda","function":"`+partnerFunction("partner-judge")+`","invocation_type":"RequestResponse"}`))
		f = fire(t, u, ok, `{"event":"job.JobFinished","resource":{"type":"job","path":"`+scope+`/j5"}}`)
		delivery(t, u, ok, f.DeliveryID, "succeeded", 1)
	})
}

// capabilityAttacks tries, as tenants, to turn the new fields against others: a nats
// action's message id colliding with another tenant's delivery in a shared stream, a
// message id set by the trigger's owner, and answers forged to the actions' own inbox.
func capabilityAttacks(t *testing.T, p *stacktest.Stack, ac *stacktest.APIClient, js jetstream.JetStream) {
	ctx := context.Background()
	victim := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "orders-victim", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/ov": auth.Read}})}
	mallory := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "orders-mallory", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/om": auth.Read}})}
	stream := partnerOrders(t, js)

	t.Run("a message id of another tenant's delivery", func(t *testing.T) {
		// Mallory fires the victim's event (the same uuid and time) to a trigger of hers
		// on the same stream, hoping the stream drops the victim's copy as a duplicate.
		// Delivery ids are derived from the trigger too: both are stored.
		const event = `"uuid":"7d444840-9dc0-11d1-b245-5ffdce74fad2","timestamp":"2026-03-01T10:00:00Z"`
		v := victim.Trigger(t, spec("projects/ov", `["*"]`, `{"type":"nats","subject":"herald.actions.orders.ov"}`))
		vf := fire(t, victim, v, `{"event":"job.JobFinished",`+event+`,"resource":{"type":"job","path":"projects/ov/j1"}}`)
		m := mallory.Trigger(t, spec("projects/om", `["*"]`, `{"type":"nats","subject":"herald.actions.orders.om"}`))
		mf := fire(t, mallory, m, `{"event":"job.JobFinished",`+event+`,"resource":{"type":"job","path":"projects/om/j1"}}`)
		if vf.DeliveryID == mf.DeliveryID {
			t.Fatalf("two triggers' deliveries of one event share the id %s", vf.DeliveryID)
		}
		for _, c := range []struct {
			u             stacktest.Tenant
			trigger, subj string
			f             fired
		}{{victim, v, "herald.actions.orders.ov", vf}, {mallory, m, "herald.actions.orders.om", mf}} {
			d := delivery(t, c.u, c.trigger, c.f.DeliveryID, "succeeded", 1)
			if strings.Contains(d.Log[0].Response, "duplicate") {
				t.Errorf("%s's delivery was dropped as a duplicate: %+v", c.subj, d.Log[0])
			}
			msg, err := stream.GetLastMsgForSubject(ctx, c.subj)
			if err != nil || msg.Header.Get("Nats-Msg-Id") != c.f.DeliveryID {
				t.Errorf("%s: %v (%v), want the message with id %s", c.subj, msg, err, c.f.DeliveryID)
			}
		}
	})

	t.Run("a message id chosen by the owner", func(t *testing.T) {
		// There is no headers field to set one, and a transform shapes the payload only.
		ans := mallory.CreateTrigger(t, spec("projects/om", `["*"]`, `{"type":"nats","subject":"herald.actions.orders.om","headers":{"Nats-Msg-Id":"x"}}`))
		stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{"action.headers"}})
		id := mallory.Trigger(t, spec("projects/om", `["*"]`, `{"type":"nats","subject":"herald.actions.orders.om2","transform":"function transform(e){ return {headers:{'Nats-Msg-Id':'forged'}, 'Nats-Msg-Id':'forged'} }"}`))
		f := fire(t, mallory, id, `{"event":"job.JobFinished","resource":{"type":"job","path":"projects/om/j2"}}`)
		delivery(t, mallory, id, f.DeliveryID, "succeeded", 1)
		msg, err := stream.GetLastMsgForSubject(ctx, "herald.actions.orders.om2")
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get("Nats-Msg-Id"); got != f.DeliveryID || len(msg.Header.Values("Nats-Msg-Id")) != 1 {
			t.Errorf("Nats-Msg-Id %q, want the delivery id %s only", msg.Header.Values("Nats-Msg-Id"), f.DeliveryID)
		}
	})

	t.Run("forge answers or reach Herald's streams", func(t *testing.T) {
		for _, subject := range []string{"_INBOX.herald-actions.x", "_INBOX.x", "herald.deadletter.events", "$JS.API.STREAM.MSG.DELETE." + partnerStream, "$JS.ACK.HERALD_EVENTS.x.1.1.1.1.0"} {
			ans := mallory.CreateTrigger(t, spec("projects/om", `["*"]`, `{"type":"nats","subject":"`+subject+`","require_listener":true}`))
			stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{"action.subject"}})
		}
		// The server confines the actions' NATS user to its own answers: it reads no
		// other connection's replies (Herald's JetStream API answers among them) and
		// publishes no answer.
		b, err := os.ReadFile(localstack.ActionsPasswordFile(p.State))
		if err != nil {
			t.Fatal(err)
		}
		actionsURL, err := localnats.ActionsURL(p.Banner["NATS"], strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatal(err)
		}
		var refusals stacktest.Refusals
		nc, err := nats.Connect(actionsURL, refusals.Option())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if _, err := nc.SubscribeSync("_INBOX.>"); err != nil {
			t.Fatal(err)
		}
		if err := nc.Publish("_INBOX.herald-actions.forged", []byte(`{"stream":"`+partnerStream+`","seq":1}`)); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		refusals.WaitFor(t, "permission violations for reading every inbox and for a forged answer", `"_INBOX.>"`, `"_INBOX.herald-actions.forged"`)
	})
}
