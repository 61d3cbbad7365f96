package queues

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// The queue consumers' bad-input suite: every function template.yaml feeds from SQS gets
// batches mixing poison records with good ones, through its real binary against a
// running stack, and so does the Bridge through the NATS stream it consumes.

// TestQueueConsumersBadInput checks, for every queue consumer of template.yaml, that a
// batch mixing poison with good records neither crashes the function nor costs a good
// record, that poison gets what the design gives it (a batch item failure for Inbox and
// Router, the dead-letter queue for Deliver), and that poison changes nothing. It then
// checks that garbage published straight onto Herald's subjects is dead-lettered by the
// Bridge, which goes on relaying the good events published after it.
func TestQueueConsumersBadInput(t *testing.T) {
	s := newSuite(t)
	consumers := []struct {
		fn  string
		run func(*testing.T, *suite)
	}{
		{"Inbox", testInbox},
		{"Router", testRouter},
		{"Deliver", testDeliver},
	}
	covered := map[string]bool{}
	for _, c := range consumers {
		covered[c.fn] = true
	}
	// A consumer added to the template without a case here fails the suite.
	stacktest.CheckCovers(t, "queue consumers", stacktest.LoadTemplate(t).QueueConsumers(), covered)
	for _, c := range consumers {
		t.Run(c.fn, func(t *testing.T) { c.run(t, s) })
	}
	t.Run("Bridge", func(t *testing.T) { testBridge(t, s) })
	// The Bridge runs as a daemon: had garbage crashed it, herald-local restarts it and
	// says so.
	if logs := s.p.Text(); strings.Contains(logs, "daemon exited; restarting") || strings.Contains(logs, "bridge loop ended; restarting") {
		t.Errorf("the Bridge stopped during the suite:\n%s", logs)
	}
}

// suite is what the consumers' subtests share: one stack, and names unique to the
// run so that nothing another test made is counted.
type suite struct {
	p     *stacktest.Stack
	api   string
	run   string // in every user, path and trigger the suite makes
	owner string // the triggers' owner
	token string // the owner's personal token
	sqs   *sqs.Client
}

func newSuite(t *testing.T) *suite {
	p := stacktest.Start(t)
	s := &suite{p: p, api: p.Banner["HTTP API"], run: uuid.NewString()[:8]}
	if s.api == "" || p.Banner["SNS/SQS"] == "" || p.Banner["NATS"] == "" || p.Banner["Events topic"] == "" {
		t.Fatalf("banner lacks URLs: %v", p.Banner)
	}
	s.owner = "qowner-" + s.run
	s.token = stacktest.MintToken(t, auth.Claims{Subject: s.owner, TokenType: auth.Personal, Perms: map[string]auth.Level{s.scope(): auth.Write}})
	s.sqs, _ = p.AWSClients()
	return s
}

// scope is the resource path under which the suite's events and triggers live.
func (s *suite) scope() string { return "projects/q" + s.run }

// call sends an API request with token and returns the status and body.
func (s *suite) call(t *testing.T, method, path, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.api+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// notice is a personal notification as the API lists it.
type notice struct {
	Variant   string `json:"variant"`
	EventUUID string `json:"event_uuid"`
}

// inboxOf lists every notification of user, acknowledged or not.
func (s *suite) inboxOf(t *testing.T, user string) []notice {
	t.Helper()
	code, body := s.call(t, http.MethodGet, "/v1/me/notifications?state=all&limit=100", stacktest.MintToken(t, auth.Claims{Subject: user, TokenType: auth.Personal}), "")
	var page struct {
		Items []notice `json:"items"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
		t.Fatalf("listing %s's notifications: %d %s", user, code, body)
	}
	return page.Items
}

// newTrigger makes the owner's webhook trigger on resource events under path.
func (s *suite) newTrigger(t *testing.T, name, path, url string) string {
	t.Helper()
	code, body := s.call(t, http.MethodPost, "/v1/triggers", s.token,
		fmt.Sprintf(`{"name":%q,"resource":{"path":%q,"include_subresources":true},"events":["resource.*"],"action":{"type":"http","url":%q}}`, name, path, url))
	var tr struct {
		ID string `json:"id"`
	}
	if code != http.StatusCreated || json.Unmarshal(body, &tr) != nil || tr.ID == "" {
		t.Fatalf("creating trigger %s: %d %s", name, code, body)
	}
	return tr.ID
}

// deliveryLog is a trigger's delivery log as the API lists it.
func (s *suite) deliveryLog(t *testing.T, triggerID string) []delivery.Record {
	t.Helper()
	code, body := s.call(t, http.MethodGet, "/v1/triggers/"+triggerID+"/deliveries?limit=100", s.token, "")
	var page struct {
		Items []delivery.Record `json:"items"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
		t.Fatalf("delivery log of %s: %d %s", triggerID, code, body)
	}
	return page.Items
}

// record is one SQS message of a batch for a queue consumer.
type record struct {
	id, body string
	uuid     string // the event it carries or is made from, when it has one
}

// invalidByte stands for a raw 0xFF byte in a body until the body is sent:
// json.Marshal would replace the byte, and the point is to pass on what a broken
// producer sent.
const invalidByte = "@@xff@@"

// loneSurrogate stands for the JSON escape \ud800, which no Go string can hold,
// until a body is encoded.
const loneSurrogate = "@@ud800@@"

// encode encodes v as a record body, turning loneSurrogate into its JSON escape.
func encode(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), loneSurrogate, `\ud800`)
}

// asReceived is body as a Go function reads it from a Lambda event: the runtime
// decodes the event's JSON, which turns each invalid byte into U+FFFD.
func asReceived(body string) string { return strings.ReplaceAll(body, invalidByte, "\uFFFD") }

// invokeBatch invokes fn's real binary with recs as one SQS batch from queue and returns
// the ids the function reported as batch item failures. herald-local invoke fails the
// test if the function crashes or returns an error.
func (s *suite) invokeBatch(t *testing.T, fn, queue string, recs []record) map[string]bool {
	t.Helper()
	var ev awsevents.SQSEvent
	for _, r := range recs {
		ev.Records = append(ev.Records, awsevents.SQSMessage{
			MessageId: r.id, ReceiptHandle: "handle-" + r.id, Body: r.body,
			Attributes:  map[string]string{"ApproximateReceiveCount": "1"},
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:" + emulator.Region + ":000000000000:" + queue, AWSRegion: emulator.Region,
		})
	}
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte(invalidByte), []byte{0xff})
	file := filepath.Join(t.TempDir(), strings.ToLower(fn)+"-sqs-bad-input.json")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := s.p.Invoke(t, fn, file)
	var resp awsevents.SQSEventResponse
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("%s answered %q, not a batch response", fn, out)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	return failed
}

// checkFailures fails t unless failed holds exactly the ids in want.
func checkFailures(t *testing.T, failed map[string]bool, want []record) {
	t.Helper()
	wanted := map[string]bool{}
	var missing, extra []string
	for _, r := range want {
		wanted[r.id] = true
		if !failed[r.id] {
			missing = append(missing, r.id)
		}
	}
	for id := range failed {
		if !wanted[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("batch item failures wrong:\n  poison not reported: %q\n  reported but not poison: %q", missing, extra)
	}
}

// mix interleaves goods among poison, ending with a good one, so that every good
// record follows poison in the batch.
func mix(poison, goods []record) []record {
	out := make([]record, 0, len(poison)+len(goods))
	step := len(poison)/len(goods) + 1
	g := 0
	for i, p := range poison {
		if i%step == step-1 && g < len(goods)-1 {
			out = append(out, goods[g])
			g++
		}
		out = append(out, p)
	}
	return append(out, goods[g:]...)
}

// validEvent is a valid event: a resource event at path, or, with recipients, a
// permission granted to them, as the topic carries them.
func validEvent(path string, recipients ...string) map[string]any {
	e := map[string]any{
		"uuid": uuid.NewString(), "event": "resource.ResourceCreated", "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
		"requestId": uuid.NewString(), "user": map[string]any{"id": "queue-suite"},
		"resource": map[string]any{"type": "itemsvc.Item", "id": path[strings.LastIndex(path, "/")+1:], "path": path, "after": map[string]any{"title": "queued"}},
	}
	if len(recipients) > 0 {
		e["event"] = "user.PermissionGranted"
		e["resource"] = map[string]any{"type": "user", "id": recipients[0], "path": "users/" + recipients[0]}
		e["data"] = map[string]any{"resource": map[string]any{"type": "project", "path": "projects/demo"}, "permission": "WRITE"}
		e["recipients"] = slices.Clone(recipients)
	}
	return e
}

func resource(e map[string]any) map[string]any { return e["resource"].(map[string]any) }

// nested returns a value nested depth arrays deep.
func nested(depth int) json.RawMessage {
	return json.RawMessage(strings.Repeat("[", depth) + strings.Repeat("]", depth))
}

// eventCase changes a valid event.
type eventCase struct {
	name   string
	mutate func(e map[string]any)
}

// goodEvents are valid events in shapes a consumer must take: unknown and null
// members, deep and large values where the envelope allows any, notification fields
// that are derived when invalid.
var goodEvents = []eventCase{
	{"plain event", func(map[string]any) {}},
	{"unknown members at every level", func(e map[string]any) {
		e["x-tenant"] = map[string]any{"id": 7, "tags": []string{"a", "b"}}
		e["user"].(map[string]any)["x-display"] = "Ada"
		resource(e)["x-size"] = 12.5
	}},
	{"optional members null", func(e map[string]any) { e["requestId"] = nil; e["user"] = nil; resource(e)["namespaces"] = nil }},
	{"deeply nested unknown member", func(e map[string]any) { e["x-deep"] = nested(1000) }},
	{"large array in an unknown member", func(e map[string]any) { e["x-list"] = make([]int, 20_000) }},
	{"notification field with invalid parts", func(e map[string]any) {
		e["notification"] = map[string]any{"variant": "NOT_A_VARIANT", "refs": "not a list", "message": 42}
	}},
}

// poisonEvents break one rule of the envelope each: no consumer may act on them.
var poisonEvents = []eventCase{
	{"uuid missing", func(e map[string]any) { delete(e, "uuid") }},
	{"uuid a number", func(e map[string]any) { e["uuid"] = 42 }},
	{"uuid not a UUID", func(e map[string]any) { e["uuid"] = "not-a-uuid-" + e["uuid"].(string) }},
	{"event missing", func(e map[string]any) { delete(e, "event") }},
	{"event an object", func(e map[string]any) { e["event"] = map[string]any{"name": e["event"]} }},
	{"event type of one token", func(e map[string]any) { e["event"] = "ResourceCreated" }},
	{"event type with invalid UTF-8", func(e map[string]any) { e["event"] = e["event"].(string) + invalidByte }},
	{"event type with a lone surrogate escape", func(e map[string]any) { e["event"] = e["event"].(string) + loneSurrogate }},
	{"event type with a NUL", func(e map[string]any) { e["event"] = e["event"].(string) + "\x00" }},
	{"timestamp missing", func(e map[string]any) { delete(e, "timestamp") }},
	{"timestamp not RFC 3339", func(e map[string]any) { e["timestamp"] = "yesterday" }},
	{"timestamp a number", func(e map[string]any) { e["timestamp"] = 1795370400 }},
	{"resource missing", func(e map[string]any) { delete(e, "resource") }},
	{"resource a string", func(e map[string]any) { e["resource"] = resource(e)["path"] }},
	{"resource without type", func(e map[string]any) { delete(resource(e), "type") }},
	{"resource without id and path", func(e map[string]any) { delete(resource(e), "id"); delete(resource(e), "path") }},
	{"resource type with a control character", func(e map[string]any) { resource(e)["type"] = "item\asvc" }},
	{"resource path with forbidden characters", func(e map[string]any) {
		resource(e)["path"] = resource(e)["path"].(string) + "/../etc passwd"
	}},
	{"resource path deeper than 16 segments", func(e map[string]any) {
		resource(e)["path"] = resource(e)["path"].(string) + strings.Repeat("/s", 16)
	}},
	{"resource path longer than 512 bytes", func(e map[string]any) {
		resource(e)["path"] = resource(e)["path"].(string) + "/" + strings.Repeat("p", 512)
	}},
	{"namespaces a string", func(e map[string]any) { resource(e)["namespaces"] = "X" }},
	{"user a string", func(e map[string]any) { e["user"] = "admin" }},
	{"recipients a string", func(e map[string]any) { e["recipients"] = recipientsOf(e)[0] }},
	{"recipients holding a number", func(e map[string]any) { e["recipients"] = []any{recipientsOf(e)[0], 42} }},
	{"recipients with an empty id", func(e map[string]any) { e["recipients"] = append(recipientsOf(e), "") }},
	{"recipient longer than 256 bytes", func(e map[string]any) { e["recipients"] = append(recipientsOf(e), strings.Repeat("r", 257)) }},
	{"more than 1000 recipients", func(e map[string]any) {
		rs := recipientsOf(e)
		for i := range event.MaxRecipients {
			rs = append(rs, fmt.Sprintf("filler-%d", i))
		}
		e["recipients"] = rs
	}},
	{"notification a string", func(e map[string]any) { e["notification"] = "hello" }},
	{"data an array", func(e map[string]any) { e["data"] = []any{1, 2, 3} }},
	{"known members in the wrong case", func(e map[string]any) {
		for k, v := range e {
			delete(e, k)
			e[strings.ToUpper(k[:1])+k[1:]] = v
		}
	}},
}

// recipientsOf returns the event's recipients, or one who exists for no other reason.
func recipientsOf(e map[string]any) []any {
	var out []any
	if rs, ok := e["recipients"].([]string); ok {
		for _, r := range rs {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		out = append(out, "nobody")
	}
	return out
}

// oversize pads a valid event past event.MaxSize.
func oversize(e map[string]any) { e["x-padding"] = strings.Repeat("x", event.MaxSize) }

// garbageBodies are bodies no consumer can read, made from a body good that it would
// act on, so that acting on any of them would show.
func garbageBodies(good string) []garbageBody {
	return []garbageBody{
		{"truncated JSON", good[:len(good)/2]},
		{"trailing data after the object", good + ` {"uuid":1}`},
		{"JSON array around the record", "[" + good + "]"},
		{"JSON string holding the record", jsonString(good)},
		{"JSON null", "null"},
		{"JSON number", "42"},
		{"empty body", ""},
		{"only whitespace", " \n\t "},
		{"invalid UTF-8 before the record", invalidByte + good},
		{"huge array", "[" + strings.Repeat("0,", 100_000) + "0]"},
		{"nesting deeper than JSON decoders allow", good[:len(good)-1] + `,"x-deep":` + string(nested(20_000)) + "}"},
		{"SNS envelope around garbage", snsEnvelope(good[:len(good)/2])},
		// The consumers' subscriptions deliver raw messages: an envelope is not their input.
		{"SNS envelope around the record", snsEnvelope(good)},
	}
}

type garbageBody struct{ name, body string }

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// snsEnvelope wraps message as SNS delivers it when raw delivery is off.
func snsEnvelope(message string) string {
	b, _ := json.Marshal(map[string]string{
		"Type": "Notification", "MessageId": uuid.NewString(), "TopicArn": "arn:aws:sns:" + emulator.Region + ":000000000000:EventsTopic",
		"Message": message, "Timestamp": time.Now().UTC().Format(time.RFC3339), "SignatureVersion": "1", "Signature": "AAAA",
	})
	return string(b)
}

// poisonOf returns the poison of an event consumer: every garbage body and every
// poison event, plus an oversized event, each made from its own valid event, which
// newEvent(i) returns for the i-th record.
func poisonOf(t *testing.T, newEvent func(i int) map[string]any) []record {
	var recs []record
	add := func(name string, e map[string]any, body string) {
		u, _ := e["uuid"].(string)
		recs = append(recs, record{id: fmt.Sprintf("poison %02d: %s", len(recs), name), body: body, uuid: u})
	}
	for i := range garbageBodies("{}") {
		e := newEvent(len(recs))
		g := garbageBodies(encode(t, e))[i]
		add(g.name, e, g.body)
	}
	for _, c := range poisonEvents {
		e := newEvent(len(recs))
		c.mutate(e)
		add(c.name, e, encode(t, e))
	}
	e := newEvent(len(recs))
	oversize(e)
	add("event larger than the limit", e, encode(t, e))
	return recs
}

// testInbox: Inbox reports every poison record as a batch item failure (SQS
// then retries it and moves it to the inbox dead-letter queue), writes each good
// record's notification, and writes none for poison.
func testInbox(t *testing.T, s *suite) {
	poisonUser := func(i int) string { return fmt.Sprintf("qpoison-%02d-%s", i, s.run) }
	poison := poisonOf(t, func(i int) map[string]any { return validEvent("", poisonUser(i)) })
	var goods []record
	for i, c := range goodEvents {
		e := validEvent("", fmt.Sprintf("qgood-%02d-%s", i, s.run))
		c.mutate(e)
		goods = append(goods, record{id: "good: " + c.name, body: encode(t, e), uuid: e["uuid"].(string)})
	}
	// An event without recipients has nothing for Inbox to write, and is done.
	e := validEvent(s.scope() + "/inbox/no-recipients")
	batch := mix(poison, append(slices.Clone(goods), record{id: "good: no recipients", body: encode(t, e), uuid: e["uuid"].(string)}))
	t.Logf("Inbox: %d poison and %d good records in one batch", len(poison), len(batch)-len(poison))
	checkFailures(t, s.invokeBatch(t, "Inbox", "InboxQueue", batch), poison)

	for i, g := range goods {
		ns := s.inboxOf(t, fmt.Sprintf("qgood-%02d-%s", i, s.run))
		if len(ns) != 1 || ns[0].EventUUID != g.uuid || ns[0].Variant != "PERMISSION_GRANTED" {
			t.Errorf("%s: the recipient's notifications are %+v, want one PERMISSION_GRANTED for %s", g.id, ns, g.uuid)
		}
	}
	for i := range len(poison) + len(goods) {
		if ns := s.inboxOf(t, poisonUser(i)); len(ns) != 0 {
			t.Errorf("poison record for %s made notifications %+v", poisonUser(i), ns)
		}
	}
	for _, u := range []string{"nobody", "filler-0", "filler-999"} {
		if ns := s.inboxOf(t, u); len(ns) != 0 {
			t.Errorf("poison record made notifications for %s: %+v", u, ns)
		}
	}
}

// testRouter: Router reports every poison record as a batch item failure and
// queues one delivery per good record, which reaches the trigger's webhook; nothing is
// recorded, queued or delivered for poison.
func testRouter(t *testing.T, s *suite) {
	hook := stacktest.NewHookReceiver(t)
	base := s.scope() + "/route"
	// Made before the invocation: the Router loads the triggers when it starts.
	trig := s.newTrigger(t, "route-bad-input", base, hook.URL+"/route")
	poison := poisonOf(t, func(i int) map[string]any { return validEvent(fmt.Sprintf("%s/poison-%02d", base, i)) })
	var goods []record
	for i, c := range goodEvents {
		e := validEvent(fmt.Sprintf("%s/good-%02d", base, i))
		c.mutate(e)
		goods = append(goods, record{id: "good: " + c.name, body: encode(t, e), uuid: e["uuid"].(string)})
	}
	t.Logf("Router: %d poison and %d good records in one batch", len(poison), len(goods))
	checkFailures(t, s.invokeBatch(t, "Router", "RouteQueue", mix(poison, goods)), poison)

	// The Router recorded its deliveries before it answered.
	var logged []string
	for _, d := range s.deliveryLog(t, trig) {
		logged = append(logged, d.EventUUID)
	}
	checkUUIDs(t, "the trigger's delivery log", logged, goods)

	// The stack's Deliver takes the queued tasks to the webhook.
	testenv.WaitFor(t, 60*time.Second, func() bool {
		_, bodies := hook.Received()
		return len(bodies) >= len(goods)
	}, "a webhook for every good record")
	_, bodies := hook.Received()
	checkUUIDs(t, "the webhook requests", bodyUUIDs(bodies), goods)
}

// bodyUUIDs returns the uuid of each event body ("" for a body without one).
func bodyUUIDs(bodies [][]byte) []string {
	out := make([]string, len(bodies))
	for i, b := range bodies {
		out[i] = stacktest.EventUUID(b)
	}
	return out
}

// checkUUIDs fails t unless got holds each good record's uuid exactly once, and
// nothing else.
func checkUUIDs(t *testing.T, what string, got []string, goods []record) {
	t.Helper()
	var want []string
	for _, g := range goods {
		want = append(want, g.uuid)
	}
	sort.Strings(want)
	got = slices.Clone(got)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s hold the events %q, want exactly the good records' %q", what, got, want)
	}
}

// task is a delivery task for trigger with event e, as the Router makes it.
func task(triggerID string, e map[string]any) map[string]any {
	ts, _ := time.Parse(time.RFC3339Nano, e["timestamp"].(string))
	u := e["uuid"].(string)
	return map[string]any{"trigger_id": triggerID, "delivery_id": delivery.ID(u, triggerID, ts), "event_uuid": u, "event": e}
}

// taskCase changes a valid delivery task.
type taskCase struct {
	name   string
	mutate func(tk map[string]any)
}

// missingTrigger is a trigger id in the right form that names no trigger.
const missingTrigger = "01JQ0000000000000000000000"

// poisonTasks break the task format, or carry an event no trigger may get. (Task
// members are matched as encoding/json matches them, ignoring case: unlike an event's,
// their case is no poison.)
var poisonTasks = []taskCase{
	{"trigger_id missing", func(tk map[string]any) { delete(tk, "trigger_id") }},
	{"trigger_id empty", func(tk map[string]any) { tk["trigger_id"] = "" }},
	{"trigger_id a number", func(tk map[string]any) { tk["trigger_id"] = 7 }},
	{"trigger_id not an id", func(tk map[string]any) { tk["trigger_id"] = "../" + tk["trigger_id"].(string) }},
	{"trigger_id longer than a key may be", func(tk map[string]any) { tk["trigger_id"] = strings.Repeat("T", 4096) }},
	{"delivery_id missing", func(tk map[string]any) { delete(tk, "delivery_id") }},
	{"delivery_id a number", func(tk map[string]any) { tk["delivery_id"] = 7 }},
	{"delivery_id longer than a key may be", func(tk map[string]any) { tk["delivery_id"] = strings.Repeat("D", 4096) }},
	{"event_uuid a number", func(tk map[string]any) { tk["event_uuid"] = 7 }},
	{"event_uuid not the event's", func(tk map[string]any) { tk["event_uuid"] = uuid.NewString() }},
	{"event missing", func(tk map[string]any) { delete(tk, "event") }},
	{"event null", func(tk map[string]any) { tk["event"] = nil }},
	{"event a string", func(tk map[string]any) { tk["event"] = "resource.ResourceCreated" }},
	{"event an array", func(tk map[string]any) { tk["event"] = []any{tk["event"]} }},
	{"event empty", func(tk map[string]any) { tk["event"] = map[string]any{} }},
}

// testDeliver: Deliver runs every good task (the webhook gets it) and settles
// poison without retrying it: a task it cannot read, or whose event the Router would
// not have routed, goes to the deliveries dead-letter queue; a task naming no trigger is
// skipped. Poison delivers nothing, and costs the
// trigger's owner nothing: no notice, no exhausted count, no disabling.
func testDeliver(t *testing.T, s *suite) {
	hook := stacktest.NewHookReceiver(t)
	base := s.scope() + "/deliver"
	trig := s.newTrigger(t, "deliver-bad-input", base, hook.URL+"/deliver")
	dlq := s.queueURL(t, "DeliveriesDeadLetterQueue")
	s.drain(t, dlq)

	tasks := 0
	// Each task carries its own event, at a path of its own.
	newTask := func() (map[string]any, map[string]any) {
		tasks++
		e := validEvent(fmt.Sprintf("%s/t-%02d", base, tasks))
		return e, task(trig, e)
	}
	type poisonTask struct {
		record
		// Else it is settled without a copy: a task naming no trigger is skipped, and an
		// empty body (which SQS would not even take) holds nothing to keep.
		deadLettered bool
	}
	var poison []poisonTask
	add := func(name, body string, e map[string]any, deadLettered bool) {
		id := fmt.Sprintf("poison %02d: %s", len(poison), name)
		u, _ := e["uuid"].(string)
		poison = append(poison, poisonTask{record{id: id, body: body, uuid: u}, deadLettered})
	}
	for i := range garbageBodies("{}") {
		e, tk := newTask()
		g := garbageBodies(encode(t, tk))[i]
		add(g.name, g.body, e, g.body != "")
	}
	for _, c := range poisonTasks {
		e, tk := newTask()
		c.mutate(tk)
		add(c.name, encode(t, tk), e, true)
	}
	// The task's event must be one the Router would have routed.
	for _, c := range poisonEvents {
		e, tk := newTask()
		c.mutate(e)
		add("event with "+c.name, encode(t, tk), e, true)
	}
	e, tk := newTask()
	oversize(e)
	add("event larger than the limit", encode(t, tk), e, true)
	// A trigger deleted after routing: its tasks have nothing left to do.
	e, tk = newTask()
	tk["trigger_id"] = missingTrigger
	add("trigger that does not exist", encode(t, tk), e, false)

	var goods []record
	for _, c := range goodEvents {
		e, tk := newTask()
		c.mutate(e)
		goods = append(goods, record{id: "good: " + c.name, body: encode(t, tk), uuid: e["uuid"].(string)})
	}
	// A newer Router's task may carry members this Deliver does not know.
	e, tk = newTask()
	tk["x-priority"] = 1
	tk["x-trace"] = map[string]any{"id": "abc"}
	goods = append(goods, record{id: "good: unknown task members", body: encode(t, tk), uuid: e["uuid"].(string)})

	poisonRecs := make([]record, len(poison))
	for i, p := range poison {
		poisonRecs[i] = p.record
	}
	t.Logf("Deliver: %d poison and %d good records in one batch", len(poisonRecs), len(goods))
	// Poison is settled, never retried: no batch item failures.
	checkFailures(t, s.invokeBatch(t, "Deliver", "DeliveriesQueue", mix(poisonRecs, goods)), nil)

	// Deliver ran every task before it answered.
	_, bodies := hook.Received()
	checkUUIDs(t, "the webhook requests", bodyUUIDs(bodies), goods)
	var succeeded []string
	for _, d := range s.deliveryLog(t, trig) {
		if d.Status == delivery.StatusSucceeded {
			succeeded = append(succeeded, d.EventUUID)
		} else {
			t.Errorf("delivery %s of event %s is %s: only the good records' deliveries belong in the log", d.ID, d.EventUUID, d.Status)
		}
	}
	checkUUIDs(t, "the trigger's succeeded deliveries", succeeded, goods)

	// Every unreadable task is in the dead-letter queue, with a reason, as Deliver read it.
	dead := s.drain(t, dlq)
	for _, p := range poison {
		if !p.deadLettered {
			continue
		}
		if reason, ok := dead[asReceived(p.body)]; !ok || reason == "" {
			t.Errorf("%s: not in the dead-letter queue with a reason (reason %q)", p.id, reason)
		}
	}
	for body := range dead {
		for _, g := range goods {
			if strings.Contains(body, g.uuid) {
				t.Errorf("%s is in the dead-letter queue", g.id)
			}
		}
	}

	// Poison is not the trigger's fault: its owner hears nothing, and it stays enabled.
	if ns := s.inboxOf(t, s.owner); len(ns) != 0 {
		t.Errorf("the trigger's owner got notifications %+v", ns)
	}
	code, body := s.call(t, http.MethodGet, "/v1/triggers/"+trig, s.token, "")
	var tr struct {
		Enabled        *bool  `json:"enabled"`
		DisabledReason string `json:"disabled_reason"`
		ExhaustedInRow int    `json:"exhausted_in_row"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &tr) != nil {
		t.Fatalf("reading the trigger: %d %s", code, body)
	}
	if (tr.Enabled != nil && !*tr.Enabled) || tr.ExhaustedInRow != 0 {
		t.Errorf("after poison tasks the trigger is %s", body)
	}
}

// queueURL returns the URL of the stack's queue name.
func (s *suite) queueURL(t *testing.T, name string) string {
	t.Helper()
	out, err := s.sqs.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// drain receives and deletes every message of the queue at url, returning each body
// with its "reason" attribute.
func (s *suite) drain(t *testing.T, url string) map[string]string {
	t.Helper()
	ctx := context.Background()
	got := map[string]string{}
	for {
		out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			t.Fatalf("receiving from %s: %v", url, err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			got[aws.ToString(m.Body)] = aws.ToString(m.MessageAttributes["reason"].StringValue)
			if _, err := s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// testBridge publishes garbage straight onto Herald's subjects, each piece
// followed by a good event: the Bridge dead-letters every piece of garbage (copied to
// the dead-letter stream with the reason) and relays every good event to the topic,
// where a downstream queue gets the good events and no garbage.
func testBridge(t *testing.T, s *suite) {
	ctx := context.Background()
	downstream := s.p.SubscribeQueue(t, "qbridge-"+s.run, nil)
	js := stacktest.ConnectJetStream(t, s.p.Banner["NATS"])

	base := s.scope() + "/bridge"
	subjectOf := func(e map[string]any) string {
		ev, err := event.Decode([]byte(encode(t, e)))
		if err != nil {
			t.Fatal(err)
		}
		return ev.Subject()
	}
	type garbage struct {
		name, subject, body, uuid string
	}
	var junk []garbage
	add := func(name string, e map[string]any, subject, body string) {
		u, _ := e["uuid"].(string)
		junk = append(junk, garbage{name: name, subject: subject, body: strings.ReplaceAll(body, invalidByte, "\xff"), uuid: u})
	}
	for i := range garbageBodies("{}") {
		e := validEvent(fmt.Sprintf("%s/garbage-%02d", base, i))
		g := garbageBodies(encode(t, e))[i]
		add(g.name, e, subjectOf(e), g.body)
	}
	for i, c := range poisonEvents {
		e := validEvent(fmt.Sprintf("%s/poison-%02d", base, i))
		// On the subject the event had before it was broken.
		subject := subjectOf(e)
		c.mutate(e)
		add(c.name, e, subject, encode(t, e))
	}
	e := validEvent(base + "/oversized")
	subject := subjectOf(e)
	oversize(e)
	add("event larger than the limit", e, subject, encode(t, e))
	// Nothing decodes bytes on NATS for the Bridge: invalid UTF-8 anywhere is its to catch.
	e = validEvent(base + "/utf8")
	e["data"] = map[string]any{"title": "caf" + invalidByte}
	add("invalid UTF-8 in a free-text member", e, subjectOf(e), encode(t, e))
	e = validEvent(base + "/wrong-subject")
	add("valid event on another resource's subject", e, subjectOf(validEvent(base+"/elsewhere")), encode(t, e))
	e = validEvent(base + "/short-subject")
	add("valid event on a subject without its path", e, event.SubjectRoot+".resource.ResourceCreated", encode(t, e))

	t.Logf("Bridge: %d pieces of garbage, each followed by a good event", len(junk))
	var goods []string
	seqs := map[uint64]garbage{}
	for i, g := range junk {
		ack, err := js.Publish(ctx, g.subject, []byte(g.body))
		if err != nil {
			t.Fatalf("publishing %s: %v", g.name, err)
		}
		seqs[ack.Sequence] = g
		good := validEvent(fmt.Sprintf("%s/good-%02d", base, i))
		goodEvents[i%len(goodEvents)].mutate(good)
		if _, err := js.Publish(ctx, subjectOf(good), []byte(encode(t, good)), jetstream.WithMsgID(good["uuid"].(string))); err != nil {
			t.Fatalf("publishing good event %d: %v", i, err)
		}
		goods = append(goods, good["uuid"].(string))
	}

	// Every piece of garbage reaches the dead-letter stream as it was published, with
	// its subject and the reason.
	dls, err := js.Stream(ctx, bus.DeadLetterStream)
	if err != nil {
		t.Fatal(err)
	}
	dead := map[uint64]*jetstream.RawStreamMsg{}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		info, err := dls.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
			m, err := dls.GetMsg(ctx, seq)
			if err != nil {
				continue
			}
			var orig uint64
			if _, err := fmt.Sscan(m.Header.Get("Herald-Sequence"), &orig); err == nil {
				if _, ok := seqs[orig]; ok {
					dead[orig] = m
				}
			}
		}
		return len(dead) == len(seqs)
	}, "every piece of garbage in the dead-letter stream")
	for seq, g := range seqs {
		m := dead[seq]
		if string(m.Data) != g.body || m.Header.Get("Herald-Subject") != g.subject || m.Header.Get(bus.ErrorHeader) == "" {
			t.Errorf("%s: dead letter on %s with %q, subject %q, error %q", g.name, m.Subject, clip(m.Data), m.Header.Get("Herald-Subject"), m.Header.Get(bus.ErrorHeader))
		}
	}

	// Every good event reaches the downstream queue, and nothing else does.
	got := map[string]bool{}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(downstream), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			body := aws.ToString(m.Body)
			for _, g := range junk {
				if g.uuid != "" && strings.Contains(body, g.uuid) {
					t.Errorf("%s reached the topic: %s", g.name, clip([]byte(body)))
				}
			}
			ev, err := event.Decode([]byte(body))
			if err != nil || ev.Validate() != nil {
				t.Errorf("the topic carried something that is not an event: %s", clip([]byte(body)))
				continue
			}
			got[ev.UUID] = true
		}
		for _, u := range goods {
			if !got[u] {
				return false
			}
		}
		return true
	}, "every good event on the downstream queue")
	if len(got) != len(goods) {
		t.Errorf("the downstream queue got %d events, want the %d good ones", len(got), len(goods))
	}
}

// clip shortens a body for a failure message.
func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
