package actions

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the hostile-tenant suite of trigger actions: each attack that once
// turned Herald's own powers against Herald or another user, tried through the API as a
// tenant would, and the matrix of every action type against Herald's own resource, an
// allowed target and a target outside the operator's allow-list.

// confinementTargets is the stack's ActionTargets: partner resources, and patterns broad
// enough to name Herald's own queues, topic and functions, which must be refused all
// the same.
const confinementTargets = "arn:aws:sqs:*:*:partner-*,arn:aws:sns:*:*:partner-*,arn:aws:lambda:*:*:function:partner-*," +
	"arn:aws:sqs:*:*:*Queue,arn:aws:sns:*:*:*Topic,arn:aws:lambda:*:*:function:*Api"

// spec returns a trigger spec on path and its subtree for events with action.
func spec(path, events, action string) string {
	return `{"name":"t","resource":{"path":"` + path + `","include_subresources":true},"events":` + events + `,"action":` + action + `,"retry":{"schedule":["1s"]}}`
}

// stackQueueURL returns the URL of the stack's queue name.
func stackQueueURL(t *testing.T, p *stacktest.Stack, name string) string {
	t.Helper()
	sqsc, _ := p.AWSClients()
	out, err := sqsc.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// streamSurvives fails t unless HERALD_EVENTS still holds at least what it held.
func streamSurvives(t *testing.T, js jetstream.JetStream, before uint64) {
	t.Helper()
	s, err := js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatalf("the event stream is gone: %v", err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.LastSeq < before {
		t.Fatalf("the event stream went back from sequence %d to %d", before, info.State.LastSeq)
	}
}

func lastSeq(t *testing.T, js jetstream.JetStream) uint64 {
	t.Helper()
	s, err := js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.LastSeq
}

// TestActionConfinement runs the hostile-tenant attacks and the target matrix on one
// stack whose operator allowed partner targets, two of which are functions the stack
// runs (partner-judge and partner-fail, see testdata/partner); then what actions deliver
// besides the event, and the attacks on that.
func TestActionConfinement(t *testing.T) {
	partner := stacktest.LambdaBinary(t, "./test/actions/testdata/partner")
	p := stacktest.Start(t, "-action-targets", confinementTargets, "-lambda-targets", "partner-judge="+partner+",partner-fail="+partner)
	ac := stacktest.NewAPIClient(t, p)
	js := stacktest.ConnectJetStream(t, p.Banner["NATS"])
	t.Run("attacks", func(t *testing.T) { hostileTenant(t, p, ac, js) })
	t.Run("targets", func(t *testing.T) { targetMatrix(t, p, ac, js) })
	t.Run("loops", func(t *testing.T) { actionLoops(t, p, ac, js) })
	t.Run("sync", func(t *testing.T) { syncFailsClosed(t, ac) })
	t.Run("capabilities", func(t *testing.T) { capabilities(t, p, ac, js) })
	t.Run("capability attacks", func(t *testing.T) { capabilityAttacks(t, p, ac, js) })
}

// hostileTenant tries, as a user with READ on one project, each attack that once worked.
func hostileTenant(t *testing.T, p *stacktest.Stack, ac *stacktest.APIClient, js jetstream.JetStream) {
	mallory := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "mallory", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/m": auth.Read}})}
	victim := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "victim", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/v": auth.Read}})}
	before := lastSeq(t, js)

	var victimConsumer struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: victim.Token,
		Body: `{"target":{"resources":[{"path":"projects/v","include_subresources":true}]}}`}, http.StatusCreated, &victimConsumer)

	refused := []struct{ name, action, field string }{
		{"delete the event stream", `{"type":"nats","subject":"$JS.API.STREAM.DELETE.HERALD_EVENTS","transform":"function transform(e){return {}}"}`, "action.subject"},
		{"delete another user's consumer", `{"type":"nats","subject":"$JS.API.CONSUMER.DELETE.HERALD_EVENTS.` + victimConsumer.ID + `","transform":"function transform(e){return {}}"}`, "action.subject"},
		{"publish an event straight onto the stream", `{"type":"nats","subject":"herald.events.user.PermissionGranted.users.victim._"}`, "action.subject"},
		{"inject forged events into the route queue", `{"type":"sqs","queue_url":"` + stackQueueURL(t, p, "RouteQueue") + `"}`, "action.queue_url"},
		{"inject forged tasks into the deliveries queue", `{"type":"sqs","queue_url":"` + stackQueueURL(t, p, "DeliveriesQueue") + `"}`, "action.queue_url"},
		{"publish on Herald's topic", `{"type":"sns","topic_arn":"` + p.Banner["Events topic"] + `"}`, "action.topic_arn"},
		{"invoke EventsApi with forged claims", `{"type":"lambda","function":"arn:aws:lambda:us-east-1:000000000000:function:EventsApi","invocation_type":"RequestResponse",` +
			`"transform":"function transform(e){return {version:'2.0',routeKey:'POST /v1/events',requestContext:{authorizer:{lambda:{sub:'mallory',token_type:'service',roles:['admin']}}}}}"}`, "action.function"},
		{"invoke TriggersApi in another account's name", `{"type":"lambda","function":"arn:aws:lambda:eu-west-1:123456789012:function:TriggersApi"}`, "action.function"},
	}
	for _, a := range refused {
		t.Run(a.name, func(t *testing.T) {
			ans := mallory.CreateTrigger(t, spec("projects/m", `["*"]`, a.action))
			stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{a.field}})
		})
	}
	streamSurvives(t, js, before)
	ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + victimConsumer.ID, Token: victim.Token}, http.StatusOK, nil)

	// A trigger stored before the checks existed (written straight to the table) is
	// refused before its action runs, and the stream survives that too.
	t.Run("a stored trigger aimed at the stream", func(t *testing.T) {
		cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(p.Banner["DynamoDB"]) })
		s := trigger.Spec{Name: "old", Resource: trigger.Resource{Path: "projects/m", IncludeSubresources: true}, Events: []string{"*"},
			Action: json.RawMessage(`{"type":"nats","subject":"$JS.API.STREAM.DELETE.HERALD_EVENTS"}`), Retry: &trigger.Retry{Schedule: []string{"1s"}}}
		if err := s.Normalize(); err != nil {
			t.Fatal(err)
		}
		old, err := (&trigger.Store{DB: db, Table: "TriggersTable"}).Create(context.Background(), s, "mallory")
		if err != nil {
			t.Fatal(err)
		}
		mallory.Fire(t, old.ID, "job.JobFinished", "projects/m/j1")
		mallory.RefusedDelivery(t, old.ID, "refused")
		streamSurvives(t, js, before)
	})

	// A script's events are published as its owner, who holds READ only: a forged
	// permission grant for the victim is refused and reaches neither the stream nor the
	// victim's inbox.
	t.Run("forge a permission grant", func(t *testing.T) {
		id := mallory.Trigger(t, spec("projects/m", `["*"]`, `{"type":"javascript","script":"function handle(e){ return {event:'user.PermissionGranted', resource:{type:'user', path:'users/victim'}, recipients:['victim'], notification:{message:'you may now administer projects/v'}} }"}`))
		mallory.Fire(t, id, "job.JobFinished", "projects/m/j2")
		mallory.RefusedDelivery(t, id, "user.* events")
		st, err := js.Stream(context.Background(), event.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := st.GetLastMsgForSubject(context.Background(), event.Subject("user.PermissionGranted", "users/victim")); err == nil {
			t.Errorf("the forged grant is on the stream: %s", m.Data)
		}
		var inbox struct {
			Items []json.RawMessage `json:"items"`
		}
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/me/notifications?state=all", Token: victim.Token}, http.StatusOK, &inbox)
		if len(inbox.Items) != 0 {
			t.Errorf("the victim's inbox holds %s", inbox.Items)
		}
	})

	t.Run("fire outside the scope", func(t *testing.T) {
		id := mallory.Trigger(t, spec("projects/m", `["*"]`, `{"type":"nats","subject":"herald.actions.m"}`))
		ans := ac.Do(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + id + "/fire", Token: mallory.Token,
			Body: `{"event":{"event":"job.JobFinished","resource":{"type":"job","path":"projects/v/j1"}}}`})
		stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/{id}/fire"}, ans, stacktest.Want{Status: 400, Fields: []string{"event.resource.path"}})
	})
}

// matrixCase is one action type against one kind of target.
type matrixCase struct {
	action string
	// check proves the outcome once the trigger exists (nil: the create must be a 400
	// naming field).
	field string
	check func(t *testing.T, u stacktest.Tenant, id string)
}

// targetMatrix tries every action type against Herald's own resource, an allowed target
// and a target outside the allow-list.
func targetMatrix(t *testing.T, p *stacktest.Stack, ac *stacktest.APIClient, js jetstream.JetStream) {
	const scope = "projects/mx"
	u := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "matrix", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Write}})}
	ctx := context.Background()
	sqsc, snsc := p.AWSClients()
	hook := stacktest.NewHookReceiver(t)
	newQueue := func(name string) (url, arn string) {
		q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(q.QueueUrl), a.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	}
	received := func(queue string) func(t *testing.T, u stacktest.Tenant, id string) {
		return func(t *testing.T, u stacktest.Tenant, id string) {
			u.Fire(t, id, "job.JobFinished", scope+"/j1")
			u.Deliveries(t, id, "succeeded", 1)
			testenv.WaitFor(t, 30*time.Second, func() bool {
				out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queue), WaitTimeSeconds: 1})
				return err == nil && len(out.Messages) > 0
			}, "the message in "+queue)
		}
	}
	partnerQueue, _ := newQueue("partner-matrix")
	otherQueue, _ := newQueue("other-matrix")
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("partner-matrix")})
	if err != nil {
		t.Fatal(err)
	}
	topicQueue, topicQueueARN := newQueue("partner-matrix-topic")
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(topicQueueARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
		t.Fatal(err)
	}
	sub, err := js.Conn().SubscribeSync("herald.actions.matrix")
	if err != nil {
		t.Fatal(err)
	}
	refusedAtSend := func(reason string) func(t *testing.T, u stacktest.Tenant, id string) {
		return func(t *testing.T, u stacktest.Tenant, id string) {
			u.Fire(t, id, "job.JobFinished", scope+"/j1")
			u.RefusedDelivery(t, id, reason)
		}
	}
	script := func(returns string) string {
		return `{"type":"javascript","script":"function handle(e){ return ` + returns + ` }"}`
	}

	matrix := map[string]map[string]matrixCase{
		"http": {
			"Herald's own": {action: `{"type":"http","url":"http://169.254.169.254/latest/meta-data/iam/security-credentials/"}`, check: refusedAtSend("refused")},
			"allowed": {action: `{"type":"http","url":"` + hook.URL + `/matrix"}`, check: func(t *testing.T, u stacktest.Tenant, id string) {
				u.Fire(t, id, "job.JobFinished", scope+"/j1")
				u.Deliveries(t, id, "succeeded", 1)
				if _, bodies := hook.Received(); len(bodies) != 1 {
					t.Errorf("the webhook got %d requests", len(bodies))
				}
			}},
			"outside": {action: `{"type":"http","url":"http://10.0.0.1/hook"}`, check: refusedAtSend("refused")},
		},
		"sqs": {
			"Herald's own": {action: `{"type":"sqs","queue_url":"` + stackQueueURL(t, p, "InboxQueue") + `"}`, field: "action.queue_url"},
			"allowed":      {action: `{"type":"sqs","queue_url":"` + partnerQueue + `"}`, check: received(partnerQueue)},
			"outside":      {action: `{"type":"sqs","queue_url":"` + otherQueue + `"}`, field: "action.queue_url"},
		},
		"sns": {
			"Herald's own": {action: `{"type":"sns","topic_arn":"` + p.Banner["Events topic"] + `"}`, field: "action.topic_arn"},
			"allowed":      {action: `{"type":"sns","topic_arn":"` + aws.ToString(topic.TopicArn) + `"}`, check: received(topicQueue)},
			"outside":      {action: `{"type":"sns","topic_arn":"arn:aws:sns:us-east-1:000000000000:other-matrix"}`, field: "action.topic_arn"},
		},
		"lambda": {
			"Herald's own": {action: `{"type":"lambda","function":"arn:aws:lambda:us-east-1:000000000000:function:Deliver"}`, field: "action.function"},
			// Allowed, so Herald invokes it: the local stack has no such function, and the
			// delivery fails as it would in AWS, not as a refusal.
			"allowed": {action: `{"type":"lambda","function":"arn:aws:lambda:us-east-1:000000000000:function:partner-matrix"}`, check: func(t *testing.T, u stacktest.Tenant, id string) {
				u.Fire(t, id, "job.JobFinished", scope+"/j1")
				d := u.Deliveries(t, id, "exhausted", 1)[0]
				if last := d.Log[len(d.Log)-1].Error; !strings.Contains(last, "not found") || strings.Contains(last, "refused") {
					t.Errorf("delivery %+v, want the invocation tried and the function not found", d)
				}
			}},
			"outside": {action: `{"type":"lambda","function":"arn:aws:lambda:us-east-1:000000000000:function:other-matrix"}`, field: "action.function"},
		},
		"nats": {
			"Herald's own": {action: `{"type":"nats","subject":"$JS.API.STREAM.INFO.HERALD_EVENTS"}`, field: "action.subject"},
			"allowed": {action: `{"type":"nats","subject":"herald.actions.matrix"}`, check: func(t *testing.T, u stacktest.Tenant, id string) {
				u.Fire(t, id, "job.JobFinished", scope+"/j1")
				u.Deliveries(t, id, "succeeded", 1)
				if _, err := sub.NextMsg(30 * time.Second); err != nil {
					t.Errorf("nothing on herald.actions.matrix: %v", err)
				}
			}},
			"outside": {action: `{"type":"nats","subject":"partner.matrix"}`, field: "action.subject"},
		},
		"javascript": {
			"Herald's own": {action: script(`{event:'system.Announcement', data:{text:'from a tenant'}}`), check: refusedAtSend("system.* events")},
			"allowed": {action: script(`{event:'job.JobCreated', resource:{type:'job', path:'` + scope + `/made'}}`), check: func(t *testing.T, u stacktest.Tenant, id string) {
				u.Fire(t, id, "job.JobFinished", scope+"/j1")
				u.Deliveries(t, id, "succeeded", 1)
				st, err := js.Stream(ctx, event.StreamName)
				if err != nil {
					t.Fatal(err)
				}
				m, err := st.GetLastMsgForSubject(ctx, event.Subject("job.JobCreated", scope+"/made"))
				if err != nil {
					t.Fatalf("the script's event is not on the stream: %v", err)
				}
				ev, err := event.Decode(m.Data)
				if err != nil {
					t.Fatal(err)
				}
				if o, ok := ev.Origin(); ev.User == nil || ev.User.ID != "matrix" || !ok || o.Trigger != id {
					t.Errorf("published %s, want it as user matrix from trigger %s", m.Data, id)
				}
			}},
			"outside": {action: script(`{event:'job.JobCreated', resource:{type:'job', path:'projects/elsewhere/made'}}`), check: refusedAtSend("outside the trigger's scope")},
		},
	}
	for _, typ := range actionspec.Types {
		for _, col := range []string{"Herald's own", "allowed", "outside"} {
			if _, ok := matrix[typ][col]; !ok {
				t.Errorf("the target matrix has no %q case for %s actions", col, typ)
			}
		}
	}
	for typ, cols := range matrix {
		if !slices.Contains(actionspec.Types, typ) {
			t.Errorf("the target matrix names %s, which is no action type", typ)
		}
		for col, c := range cols {
			t.Run(typ+"/"+col, func(t *testing.T) {
				ans := u.CreateTrigger(t, spec(scope, `["*"]`, c.action))
				if c.check == nil {
					stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{c.field}})
					return
				}
				if ans.Status != http.StatusCreated {
					t.Fatalf("create: %s", ans)
				}
				var tr struct {
					ID string `json:"id"`
				}
				json.Unmarshal(ans.Body, &tr)
				c.check(t, u, tr.ID)
			})
		}
	}
}

// actionLoops: two triggers whose scripts answer each other stop at the hop limit, and
// a trigger never matches the events its own action made.
func actionLoops(t *testing.T, p *stacktest.Stack, ac *stacktest.APIClient, js jetstream.JetStream) {
	const scope = "projects/loop"
	u := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "looper", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Write}})}
	publisher := stacktest.MintToken(t, auth.Claims{Subject: "loop-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
	echo := func(to string) string {
		return `{"type":"javascript","script":"function handle(e){ return {event:'` + to + `', resource:{type:'job', path:e.resource.path}} }"}`
	}
	ping := u.Trigger(t, spec(scope+"/pp", `["job.JobCreated"]`, echo("job.JobFinished")))
	pong := u.Trigger(t, spec(scope+"/pp", `["job.JobFinished"]`, echo("job.JobCreated")))
	self := u.Trigger(t, spec(scope+"/self", `["job.JobUpdated"]`, echo("job.JobUpdated")))
	// The Router learns of new triggers within seconds; once it routes to the newest,
	// it knows the others.
	probe := u.Trigger(t, spec(scope+"/probe", `["job.JobStopped"]`, `{"type":"nats","subject":"herald.actions.loop.probe"}`))
	var page struct {
		Items []stacktest.DeliveryView `json:"items"`
	}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
			Body: `{"event":"job.JobStopped","resource":{"type":"job","id":"j1","path":"` + scope + `/probe/j1"},"data":{"jobType":"TRANSCODE","state":"ABORTED"}}`}, http.StatusAccepted, nil)
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/triggers/" + probe + "/deliveries", Token: u.Token}, http.StatusOK, &page)
		return len(page.Items) > 0
	}, "the router to know the new triggers")

	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
		Body: `{"event":"job.JobCreated","resource":{"type":"job","id":"j1","path":"` + scope + `/pp/j1"},"data":{"jobType":"TRANSCODE","state":"READY"}}`}, http.StatusAccepted, nil)
	// hop 1 (ping), 2 (pong), 3 (ping); pong's answer would be hop 4.
	u.RefusedDelivery(t, pong, "hop 4")
	if n := len(u.Deliveries(t, ping, "succeeded", 2)); n != 2 {
		t.Errorf("ping ran %d times, want 2", n)
	}
	if n := len(u.Deliveries(t, pong, "succeeded", 1)); n != 1 {
		t.Errorf("pong succeeded %d times, want 1", n)
	}

	var published struct {
		UUID string `json:"uuid"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
		Body: `{"event":"job.JobUpdated","resource":{"type":"job","id":"j1","path":"` + scope + `/self/j1"},"data":{"jobType":"TRANSCODE","state":"STARTED"}}`}, http.StatusAccepted, &published)
	u.Deliveries(t, self, "succeeded", 1)
	st, err := js.Stream(context.Background(), event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.GetLastMsgForSubject(context.Background(), event.Subject("job.JobUpdated", scope+"/self/j1"))
	if err != nil {
		t.Fatal(err)
	}
	made := stacktest.EventUUID(m.Data)
	if made == published.UUID {
		t.Fatalf("the trigger's own event is not on the stream")
	}
	// The Router saw the event the action made and matched no trigger to it.
	testenv.WaitFor(t, 60*time.Second, func() bool {
		return strings.Contains(p.Text(), `"uuid":"`+made+`","event":"job.JobUpdated","triggers":0`)
	}, "the router to route the action's own event to no trigger")
	if n := len(u.Deliveries(t, self, "", 1)); n != 1 {
		t.Errorf("the trigger ran %d times, want once", n)
	}
}

// syncFailsClosed: a long denial is a denial, and a sync trigger whose action cannot
// decide is refused when it is made.
func syncFailsClosed(t *testing.T, ac *stacktest.APIClient) {
	const scope = "projects/vet"
	u := stacktest.Tenant{AC: ac, Token: stacktest.MintToken(t, auth.Claims{Subject: "vetter", TokenType: auth.Personal, Perms: map[string]auth.Level{scope: auth.Write}})}
	publisher := stacktest.MintToken(t, auth.Claims{Subject: "vet-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}})
	judge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"approve":false,"reason":"` + strings.Repeat("no ", 367) + `"}`))
	}))
	t.Cleanup(judge.Close)
	id := u.Trigger(t, `{"name":"veto","mode":"sync","resource":{"path":"`+scope+`","include_subresources":true},"events":["*"],"action":{"type":"http","url":"`+judge.URL+`"}}`)
	// EventsApi learns of the new sync trigger within seconds: until then the event has
	// no sync trigger to pass and is published.
	var ans stacktest.Answer
	testenv.Poll(30*time.Second, func() bool {
		ans = ac.Do(t, stacktest.Call{Method: "POST", Path: "/v1/events?mode=sync", Token: publisher,
			Body: `{"event":"job.JobCreated","resource":{"type":"job","id":"j1","path":"` + scope + `/j1"},"data":{"jobType":"TRANSCODE","state":"READY"}}`})
		return ans.Status != http.StatusCreated
	})
	stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/events?mode=sync"}, ans, stacktest.Want{Status: http.StatusUnprocessableEntity})
	if d := u.Deliveries(t, id, "denied", 1); len(d) != 1 {
		t.Errorf("the verdict is not in the delivery log: %+v", d)
	}
	for _, typ := range []string{`{"type":"sqs","queue_url":"http://127.0.0.1:1/000000000000/partner-q"}`, `{"type":"nats","subject":"herald.actions.vet"}`} {
		ans := u.CreateTrigger(t, `{"name":"veto","mode":"sync","resource":{"path":"`+scope+`"},"events":["*"],"action":`+typ+`}`)
		stacktest.Expect(t, stacktest.Call{Method: "POST", Path: "/v1/triggers"}, ans, stacktest.Want{Status: 400, Fields: []string{"action.type"}})
	}
}
