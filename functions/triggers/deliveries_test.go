package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
)

// waiting returns how many tasks the handler's queue holds.
func waiting(t *testing.T, h *Handler) int {
	t.Helper()
	out, err := env.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(h.Queue.URL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages},
	})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	return n
}

// storeEvent publishes an event on path straight to the stream and returns it.
func storeEvent(t *testing.T, h *Handler, resType, path string) *event.Event {
	t.Helper()
	ev := &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC(), Resource: &event.Resource{Type: resType, Path: path}}
	raw, _ := json.Marshal(ev)
	if _, err := h.JS.Publish(context.Background(), ev.Subject(), raw); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestReplayAfterExhaustion: events whose deliveries were exhausted, or never made (the
// trigger was disabled), are queued again by a replay; one delivered successfully and
// one that does not match are not.
func TestReplayAfterExhaustion(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	ctx := context.Background()
	exhausted := storeEvent(t, h, "itemsvc.Item", "projects/p1/items/a")
	storeEvent(t, h, "itemsvc.Item", "projects/p1/items/b") // missed: never routed (the trigger was disabled, say)
	delivered := storeEvent(t, h, "itemsvc.Item", "projects/p1/items/c")
	storeEvent(t, h, "collection", "projects/p1/collections/x") // does not match
	storeEvent(t, h, "itemsvc.Item", "projects/p2/items/x")     // out of scope
	for ev, status := range map[*event.Event]string{exhausted: delivery.StatusExhausted, delivered: delivery.StatusSucceeded} {
		raw, _ := json.Marshal(ev)
		task := &delivery.Task{TriggerID: tr.ID, DeliveryID: delivery.ID(ev.UUID, tr.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
		if _, err := h.Deliveries.Claim(ctx, task); err != nil {
			t.Fatal(err)
		}
		r, _ := h.Deliveries.Get(ctx, tr.ID, task.DeliveryID)
		if err := h.Deliveries.Record(ctx, r, delivery.Attempt{At: time.Now(), StatusCode: 500}, status, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	var res replayResult
	resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/replay", tr.ID, `{"start_sequence":1}`, alice, nil), &res)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("replay: %d %s", resp.StatusCode, resp.Body)
	}
	if res.Scanned != 4 || res.Matched != 3 || res.Queued != 2 || res.NextSequence != 0 {
		t.Errorf("replay %+v, want 4 scanned (the scope's), 3 matched, 2 queued, done", res)
	}
	if n := waiting(t, h); n != 2 {
		t.Errorf("%d tasks queued, want 2 (the exhausted and the missed event)", n)
	}
	r, err := h.Deliveries.Get(ctx, tr.ID, delivery.ID(exhausted.UUID, tr.ID, exhausted.Timestamp))
	if err != nil || r.Status != delivery.StatusQueued {
		t.Errorf("the exhausted delivery after the replay: %+v, %v; want queued", r, err)
	}
}

// TestDeliveryRoutes lists deliveries by status, retries one, and fires a placeholder.
func TestDeliveryRoutes(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	ctx := context.Background()
	var ids []string
	for i := range 3 {
		ev := &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC().Add(time.Duration(i) * time.Millisecond), Resource: &event.Resource{Type: "itemsvc.Item", Path: "projects/p1/i"}}
		raw, _ := json.Marshal(ev)
		task := &delivery.Task{TriggerID: tr.ID, DeliveryID: delivery.ID(ev.UUID, tr.ID, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
		h.Deliveries.Claim(ctx, task)
		if i == 0 {
			r, _ := h.Deliveries.Get(ctx, tr.ID, task.DeliveryID)
			h.Deliveries.Record(ctx, r, delivery.Attempt{At: time.Now(), StatusCode: 500, Error: "boom"}, delivery.StatusExhausted, time.Time{})
		}
		ids = append(ids, task.DeliveryID)
	}
	var list struct {
		Items []delivery.Record `json:"items"`
	}
	do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}/deliveries", tr.ID, "", alice, map[string]string{"status": "exhausted"}), &list)
	if len(list.Items) != 1 || list.Items[0].ID != ids[0] || len(list.Items[0].Log) != 1 || list.Items[0].Log[0].Error != "boom" {
		t.Fatalf("exhausted deliveries %+v", list.Items)
	}
	do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}/deliveries", tr.ID, "", alice, nil), &list)
	if len(list.Items) != 3 || list.Items[0].ID != ids[2] {
		t.Errorf("all deliveries: %d, first %s; want 3, newest first", len(list.Items), list.Items[0].ID)
	}
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}/deliveries", tr.ID, "", alice, map[string]string{"status": "lost"}), nil), http.StatusBadRequest, "status")

	retry := apigwtest.Request("POST", "/v1/triggers/{id}/deliveries/{delivery_id}/retry", tr.ID, "", alice, nil)
	retry.PathParameters["delivery_id"] = ids[0]
	retry.RawPath = fmt.Sprintf("/v1/triggers/%s/deliveries/%s/retry", tr.ID, ids[0])
	if resp := do(t, h, retry, nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("retry: %d %s", resp.StatusCode, resp.Body)
	}
	if r, _ := h.Deliveries.Get(ctx, tr.ID, ids[0]); r.Status != delivery.StatusQueued || r.RoundAttempts() != 0 {
		t.Errorf("after retry: %+v, want queued with a fresh schedule", r)
	}
	retry.PathParameters["delivery_id"] = "01JD0000000000000000000000"
	apigwtest.WantProblem(t, do(t, h, retry, nil), http.StatusNotFound, "")

	placeholder := createTrigger(t, h, alice, `{"name":"p","resource":{"path":"projects/p1","include_subresources":true},"action":{"type":"nats","subject":"herald.actions.s"}}`)
	var fired struct {
		DeliveryID string `json:"delivery_id"`
	}
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/fire", placeholder.ID, `{"event":{"event":"job.JobFinished","resource":{"type":"job","path":"projects/p1/jobs/j1"}}}`, alice, nil), &fired); resp.StatusCode != http.StatusAccepted || fired.DeliveryID == "" {
		t.Fatalf("fire: %d %s", resp.StatusCode, resp.Body)
	}
	if n := waiting(t, h); n != 2 {
		t.Errorf("%d tasks queued (the retried one and the fired one), want 2", n)
	}
}

// TestFireOutsideScope: fire refuses an event outside the trigger's scope, naming the
// field, and queues nothing; an event inside it is fired.
func TestFireOutsideScope(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	typed := createTrigger(t, h, alice, `{"name":"jobs","resource":{"path":"projects/p1","include_subresources":true,"type":"job*"},"action":{"type":"nats","subject":"herald.actions.s"}}`)
	exact := createTrigger(t, h, alice, `{"name":"one","resource":{"path":"projects/p1/jobs/j1"},"action":{"type":"nats","subject":"herald.actions.s"}}`)
	before := waiting(t, h)
	tests := []struct {
		name, trigger, resource string
		field                   string // "" when the event is in scope
	}{
		{"another project", typed.ID, `{"type":"job","path":"projects/p2/jobs/j1"}`, "event.resource.path"},
		{"a sibling sharing a prefix", typed.ID, `{"type":"job","path":"projects/p10/jobs/j1"}`, "event.resource.path"},
		{"a parent of the scope", typed.ID, `{"type":"project","path":"projects"}`, "event.resource.path"},
		{"a type the pattern refuses", typed.ID, `{"type":"collection","path":"projects/p1/c/c1"}`, "event.resource.type"},
		{"under a path without subresources", exact.ID, `{"type":"job","path":"projects/p1/jobs/j1/steps/s1"}`, "event.resource.path"},
		{"the type pattern matches", typed.ID, `{"type":"jobsvc.Job","path":"projects/p1/jobs/j2"}`, ""},
		{"the exact path", exact.ID, `{"type":"anything","path":"projects/p1/jobs/j1"}`, ""},
	}
	fired := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"event":{"event":"job.JobFinished","resource":` + tt.resource + `}}`
			resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/fire", tt.trigger, body, alice, nil), nil)
			if tt.field != "" {
				apigwtest.WantProblem(t, resp, http.StatusBadRequest, tt.field)
				return
			}
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("fire in scope: %d %s", resp.StatusCode, resp.Body)
			}
			fired++
		})
	}
	if n := waiting(t, h); n != before+fired {
		t.Errorf("%d tasks queued, want %d: only the events in scope", n-before, fired)
	}
}

// TestReplayStopsBeforeDeadline: a replay whose invocation nears its deadline answers
// with what it did and next_sequence where to go on, instead of running into the HTTP
// API's 30 s limit; going on from there finishes the range.
func TestReplayStopsBeforeDeadline(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)
	for _, name := range []string{"a", "b", "c"} {
		storeEvent(t, h, "itemsvc.Item", "projects/p1/items/"+name)
	}
	stored, err := h.Store.Lookup(t.Context(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	// A deadline already within the margin: one event, then the answer.
	h.ReplayMargin = time.Hour
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	first, err := h.replayRange(ctx, stored, replayBody{StartSequence: 1}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if first.Scanned != 1 || first.NextSequence == 0 {
		t.Fatalf("replay near the deadline: %+v, want one event scanned and a next_sequence", first)
	}
	h.ReplayMargin = 0
	rest, err := h.replayRange(t.Context(), stored, replayBody{StartSequence: first.NextSequence}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if rest.Scanned != 2 || rest.NextSequence != 0 {
		t.Errorf("going on from next_sequence %d: %+v, want the other 2 events and done", first.NextSequence, rest)
	}
}
