package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/trigger"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// newHandler returns a Router on the template's tables, a queue of the test's own, and
// a clock.
func newHandler(t *testing.T) (*Handler, string, *clock) {
	t.Helper()
	triggers, err := env.Stack.Ref("TriggersTable")
	if err != nil {
		t.Fatal(err)
	}
	deliveries, err := env.Stack.Ref("DeliveriesTable")
	if err != nil {
		t.Fatal(err)
	}
	url, _ := env.NewQueue(t, "deliveries")
	c := &clock{t: time.Now()}
	return &Handler{
		Triggers:   &trigger.Index{Store: &trigger.Store{DB: env.DynamoDB, Table: triggers}, Select: trigger.IsAsync, Now: c.now},
		Deliveries: &delivery.Store{DB: env.DynamoDB, Table: deliveries, Retention: delivery.DefaultRetention},
		Queue:      &delivery.Queue{SQS: env.SQS, URL: url},
	}, url, c
}

// create stores a trigger of spec (a JSON body) for a user of the test's own.
func create(t *testing.T, h *Handler, spec string) *trigger.Trigger {
	t.Helper()
	var s trigger.Spec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	tr, err := h.Triggers.Store.Create(context.Background(), s, "owner-"+uuid.NewString()[:8])
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// eventOn returns a message carrying an event of eventType on a resource of resType at
// path, and the event's uuid.
func eventOn(eventType, resType, path string) (awsevents.SQSMessage, string) {
	id := uuid.NewString()
	body := fmt.Sprintf(`{"uuid":%q,"event":%q,"timestamp":"2026-11-22T18:00:00Z","resource":{"type":%q,"path":%q}}`, id, eventType, resType, path)
	return awsevents.SQSMessage{MessageId: "m-" + id[:8], Body: body}, id
}

func handle(t *testing.T, h *Handler, msgs ...awsevents.SQSMessage) []string {
	t.Helper()
	resp, err := h.Handle(context.Background(), awsevents.SQSEvent{Records: msgs})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	return failed
}

// waiting returns how many messages the queue holds.
func waiting(t *testing.T, url string) int {
	t.Helper()
	out, err := env.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	return n
}

// tasks receives the n tasks waiting on url.
func tasks(t *testing.T, url string, n int) []delivery.Task {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []delivery.Task
	for _, m := range env.Receive(ctx, t, url, n) {
		var task delivery.Task
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &task); err != nil {
			t.Fatal(err)
		}
		out = append(out, task)
	}
	return out
}

// TestOneTaskPerMatch is the scenario at the Router: a trigger on projects/p1
// for resource types itemsvc.*; a matching and a non-matching event make exactly one
// task, and routing the matching event again makes none.
func TestOneTaskPerMatch(t *testing.T) {
	h, url, _ := newHandler(t)
	tr := create(t, h, `{"name":"items","resource":{"path":"projects/p1","include_subresources":true},"events":["resource.*"],
		"filter":{"resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"out.items"}}`)
	match, uuid := eventOn("resource.ResourceCreated", "itemsvc.Item", "projects/p1/items/i1")
	other, _ := eventOn("resource.ResourceCreated", "collection", "projects/p1/collections/c1")
	elsewhere, _ := eventOn("resource.ResourceCreated", "itemsvc.Item", "projects/p2/items/i1")
	if failed := handle(t, h, match, other, elsewhere); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	got := tasks(t, url, 1)
	if len(got) != 1 || got[0].TriggerID != tr.ID || got[0].EventUUID != uuid || got[0].DeliveryID != delivery.ID(uuid, tr.ID, time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)) {
		t.Fatalf("tasks %+v", got)
	}
	var ev struct {
		UUID string `json:"uuid"`
	}
	if json.Unmarshal(got[0].Event, &ev) != nil || ev.UUID != uuid {
		t.Errorf("task event %s", got[0].Event)
	}
	// The event again (SQS delivers at least once): no second task.
	if failed := handle(t, h, match); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	if n := waiting(t, url); n != 0 {
		t.Errorf("%d tasks after routing the same event again, want 0", n)
	}
}

// TestChangesTakeEffect checks that creating, disabling and deleting a trigger reach
// the Router within trigger.RefreshEvery (5 s, inside the 10 s promised), on its clock.
func TestChangesTakeEffect(t *testing.T) {
	h, url, c := newHandler(t)
	path := "projects/" + uuid.NewString()[:8]
	handle(t, h) // the first batch loads every trigger
	tr := create(t, h, `{"name":"t","resource":{"path":"`+path+`"},"events":["job.JobFinished"],"action":{"type":"nats","subject":"s"}}`)
	routed := func() int {
		m, _ := eventOn("job.JobFinished", "job", path)
		if failed := handle(t, h, m); len(failed) != 0 {
			t.Fatalf("failures %v", failed)
		}
		n := waiting(t, url)
		tasks(t, url, n)
		return n
	}
	c.t = c.t.Add(trigger.RefreshEvery + time.Second)
	if n := routed(); n != 1 {
		t.Fatalf("after creation: %d tasks, want 1", n)
	}
	if _, err := h.Triggers.Store.SetEnabled(context.Background(), tr.ID, tr.Owner, false, ""); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(trigger.RefreshEvery + time.Second)
	if n := routed(); n != 0 {
		t.Fatalf("after disabling: %d tasks, want 0", n)
	}
	if _, err := h.Triggers.Store.SetEnabled(context.Background(), tr.ID, tr.Owner, true, ""); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(trigger.RefreshEvery + time.Second)
	if n := routed(); n != 1 {
		t.Fatalf("after enabling: %d tasks, want 1", n)
	}
	if err := h.Triggers.Store.Delete(context.Background(), tr.ID, tr.Owner); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(trigger.RefreshEvery + time.Second)
	if n := routed(); n != 0 {
		t.Fatalf("after deletion: %d tasks, want 0", n)
	}
}

// TestPlaceholderAndSyncNeverRoute checks that a trigger without events, and a sync
// trigger (run at publish time instead), get no tasks.
func TestPlaceholderAndSyncNeverRoute(t *testing.T) {
	h, url, _ := newHandler(t)
	path := "projects/" + uuid.NewString()[:8]
	create(t, h, `{"name":"p","resource":{"path":"`+path+`"},"action":{"type":"nats","subject":"s"}}`)
	create(t, h, `{"name":"s","mode":"sync","resource":{"path":"`+path+`"},"events":["*"],"action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}}`)
	m, _ := eventOn("resource.ResourceCreated", "collection", path)
	if failed := handle(t, h, m); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	if n := waiting(t, url); n != 0 {
		t.Errorf("%d tasks, want 0", n)
	}
}

// TestPoisonMessages checks that unreadable events are batch item failures while the
// good message of the batch is routed.
func TestPoisonMessages(t *testing.T) {
	h, url, _ := newHandler(t)
	path := "projects/" + uuid.NewString()[:8]
	create(t, h, `{"name":"t","resource":{"path":"`+path+`"},"events":["*"],"action":{"type":"nats","subject":"s"}}`)
	good, _ := eventOn("resource.ResourceCreated", "collection", path)
	failed := handle(t, h,
		awsevents.SQSMessage{MessageId: "not-json", Body: `{"uuid":`},
		good,
		awsevents.SQSMessage{MessageId: "invalid", Body: `{"event":"resource.ResourceCreated"}`},
	)
	if !slices.Equal(failed, []string{"not-json", "invalid"}) {
		t.Errorf("failures %v, want the two bad messages", failed)
	}
	if n := waiting(t, url); n != 1 {
		t.Errorf("%d tasks, want 1 for the good event", n)
	}
}

// TestOwnEventsNeverMatch: an event a trigger's action made (its origin names the
// trigger) is not routed back to that trigger, while another matching trigger gets it.
func TestOwnEventsNeverMatch(t *testing.T) {
	h, url, _ := newHandler(t)
	spec := `{"name":"made","resource":{"path":"projects/p9","include_subresources":true},"events":["job.*"],"action":{"type":"nats","subject":"out.jobs"}}`
	maker := create(t, h, spec)
	other := create(t, h, spec)
	id := uuid.NewString()
	body := fmt.Sprintf(`{"uuid":%q,"event":"job.JobCreated","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"job","path":"projects/p9/j1"},"origin":{"trigger":%q,"hop":1}}`, id, maker.ID)
	if failed := handle(t, h, awsevents.SQSMessage{MessageId: "m-" + id[:8], Body: body}); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	got := tasks(t, url, 1)
	if len(got) != 1 || got[0].TriggerID != other.ID {
		t.Fatalf("tasks %+v, want one for %s only", got, other.ID)
	}
	if n := waiting(t, url); n != 0 {
		t.Errorf("%d more tasks, want none for the trigger that made the event", n)
	}
}
