package client

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/wire"
)

// Answers as the handlers write them.
const (
	consumerJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHJ","owner":"u1",
		"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"event_types":["job.*"],
		"deliver_policy":"all","ack_wait_ms":30000,"max_deliver":-1,"idle_expiry":"168h",
		"filter_subjects":["herald.events.job.*.projects.p1.>"],
		"created_at":"2026-01-02T03:04:05Z","last_used_at":"2026-01-02T03:04:05Z","expires_at":"2026-01-09T03:04:05Z"}`
	triggerJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHK","owner":"u1","name":"hook",
		"resource":{"path":"projects/p1","include_subresources":true},"events":["job.JobFinished"],
		"action":{"type":"http","url":"https://example.org/hook","secret":"whsec_abc"},"mode":"async",
		"exhausted_in_row":0,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}`
	messageJSON = `{"sequence":42,"delivered":1,"subject":"herald.events.job.JobFinished.projects.p1._",
		"event":{"event":"job.JobFinished","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		"reply":{"reply":"$JS.ACK.HERALD_EVENTS.c1.1.42.42.1700000000.0","salt":"c2FsdA","hmac":"aG1hYw==","key_id":"k1"}}`
	notificationJSON = `{"id":"01JD3N4V5W6X7Y8Z9ABCDEFGHM","user_id":"u1","variant":"ANNOUNCEMENT","message":"hello",
		"refs":[],"event_uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","created_at":"2026-01-02T03:04:05Z",
		"acknowledged_at":null,"expires_at":"2027-01-02T03:04:05Z"}`
	deliveryJSON = `{"trigger_id":"T1","id":"01JD3N4V5W6X7Y8Z9ABCDEFGHN","event_uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
		"status":"exhausted","attempts":2,"log":[{"at":"2026-01-02T03:04:05Z","status_code":500,"duration_ms":12,"response":"oops"}],
		"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:06Z"}`
	testUUID = "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"
)

func testEvent() *wire.Event {
	return &wire.Event{Event: "job.JobFinished", UUID: testUUID, Resource: &wire.Resource{Type: "job", Path: "projects/p1/jobs/j1"}}
}

const testEventJSON = `{"event":"job.JobFinished","uuid":"` + testUUID + `","resource":{"type":"job","path":"projects/p1/jobs/j1"}}`

func testTriggerSpec() wire.TriggerSpec {
	return wire.TriggerSpec{
		Name:     "hook",
		Resource: wire.TriggerResource{Path: "projects/p1", IncludeSubresources: true},
		Events:   []string{"job.JobFinished"},
		Action:   json.RawMessage(`{"type":"http","url":"https://example.org/hook"}`),
		Mode:     wire.ModeAsync,
	}
}

const testTriggerSpecJSON = `{"name":"hook","resource":{"path":"projects/p1","include_subresources":true},
	"events":["job.JobFinished"],"action":{"type":"http","url":"https://example.org/hook"},"mode":"async"}`

// TestRoutes checks, for every method, the request it sends (method, escaped path,
// query, body) and how it decodes the answer.
func TestRoutes(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		call   func(context.Context, *Client) (any, error)
		method string
		path   string
		query  string // encoded, keys sorted
		body   string // JSON; empty for none
		status int
		answer string
		check  func(*testing.T, any)
	}{
		{
			name:   "health",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Health(ctx) },
			method: "GET", path: "/v1/health", status: 200, answer: `{"status":"ok"}`,
			check: func(t *testing.T, got any) {
				if h := got.(*Health); h.Status != "ok" {
					t.Errorf("status %q", h.Status)
				}
			},
		},
		{
			name:   "catalog",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Catalog(ctx) },
			method: "GET", path: "/v1/catalog", status: 200,
			answer: `{"types":[{"type":"job","description":"A job.","events":[{"event":"job.JobFinished","description":"Done."}]}]}`,
			check: func(t *testing.T, got any) {
				types := got.([]wire.EntityType)
				if len(types) != 1 || types[0].Type != "job" || types[0].Events[0].Event != "job.JobFinished" {
					t.Errorf("types %+v", types)
				}
			},
		},
		{
			name:   "catalog event",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CatalogEvent(ctx, "job.JobFinished") },
			method: "GET", path: "/v1/catalog/job.JobFinished", status: 200,
			answer: `{"event":"job.JobFinished","description":"Done.","schema":{"$id":"urn:herald:event-schema:job.JobFinished"},"example":{"event":"job.JobFinished"}}`,
			check: func(t *testing.T, got any) {
				e := got.(*wire.CatalogEvent)
				if e.Event != "job.JobFinished" || !jsonEqual(t, e.Schema, `{"$id":"urn:herald:event-schema:job.JobFinished"}`) || !jsonEqual(t, e.Example, `{"event":"job.JobFinished"}`) {
					t.Errorf("entry %+v", e)
				}
			},
		},
		{
			name:   "catalog event escapes the type",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CatalogEvent(ctx, "a/b c") },
			method: "GET", path: "/v1/catalog/a%2Fb%20c", status: 200, answer: `{"event":"x"}`,
		},
		{
			name:   "publish",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Publish(ctx, testEvent()) },
			method: "POST", path: "/v1/events", body: testEventJSON,
			status: 202, answer: `{"uuid":"` + testUUID + `","sequence":7,"cataloged":true}`,
			check: func(t *testing.T, got any) {
				if r := got.(*PublishResult); *r != (PublishResult{UUID: testUUID, Sequence: 7, Cataloged: true}) {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name:   "publish sync",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.PublishSync(ctx, testEvent()) },
			method: "POST", path: "/v1/events", query: "mode=sync", body: testEventJSON,
			status: 201, answer: `{"approved":true,"uuid":"` + testUUID + `","sequence":8,"duplicate":false,"cataloged":true,"verdicts":[{"trigger_id":"T1","approve":true}]}`,
			check: func(t *testing.T, got any) {
				r := got.(*SyncResult)
				if !r.Approved || r.Sequence != 8 || !r.Cataloged || len(r.Verdicts) != 1 || r.Verdicts[0].TriggerID != "T1" || !r.Verdicts[0].Approve {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name: "create consumer",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateConsumer(ctx, wire.ConsumerSpec{
					Target:     wire.Target{Resources: []wire.ResourceTarget{{Path: "projects/p1", IncludeSubresources: true}}},
					EventTypes: []string{"job.*"},
				})
			},
			method: "POST", path: "/v1/consumers",
			body:   `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]},"event_types":["job.*"]}`,
			status: 201, answer: consumerJSON,
			check: func(t *testing.T, got any) {
				r := got.(*wire.Consumer)
				if r.ID != "01JD3N4V5W6X7Y8Z9ABCDEFGHJ" || r.IdleExpiry != "168h" || *r.MaxDeliver != -1 || !r.ExpiresAt.Equal(t0.Add(7*24*time.Hour)) {
					t.Errorf("record %+v", r)
				}
			},
		},
		{
			name: "list consumers",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListConsumers(ctx, ListOptions{Limit: 5, Cursor: "abc"})
			},
			method: "GET", path: "/v1/consumers", query: "cursor=abc&limit=5",
			status: 200, answer: `{"items":[` + consumerJSON + `],"next_cursor":"def"}`,
			check: func(t *testing.T, got any) {
				p := got.(*Page[*wire.Consumer])
				if len(p.Items) != 1 || p.Items[0].Owner != "u1" || p.NextCursor != "def" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name: "get consumer",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetConsumer(ctx, "01JD3N4V5W6X7Y8Z9ABCDEFGHJ")
			},
			method: "GET", path: "/v1/consumers/01JD3N4V5W6X7Y8Z9ABCDEFGHJ",
			status: 200, answer: consumerJSON[:len(consumerJSON)-1] + `,"num_pending":3,"num_ack_pending":2}`,
			check: func(t *testing.T, got any) {
				r := got.(*ConsumerInfo)
				if r.ID != "01JD3N4V5W6X7Y8Z9ABCDEFGHJ" || r.NumPending != 3 || r.NumAckPending != 2 || len(r.Target.Resources) != 1 {
					t.Errorf("info %+v", r)
				}
			},
		},
		{
			name:   "get consumer escapes the id",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.GetConsumer(ctx, "a/b c") },
			method: "GET", path: "/v1/consumers/a%2Fb%20c",
			status: 200, answer: consumerJSON,
		},
		{
			name: "update consumer",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateConsumer(ctx, "C1", wire.ConsumerChanges{AckWaitMS: new(int64(2000)), BackOff: []string{"1s", "3s"}, Reset: []string{"filter"}})
			},
			method: "PUT", path: "/v1/consumers/C1", body: `{"ack_wait_ms":2000,"back_off":["1s","3s"],"filter":null}`,
			status: 200, answer: consumerJSON[:len(consumerJSON)-1] + `,"back_off":["1s","3s"],"num_pending":0,"num_ack_pending":0,"paused":false}`,
			check: func(t *testing.T, got any) {
				if r := got.(*ConsumerInfo); len(r.BackOff) != 2 || r.Paused {
					t.Errorf("info %+v", r)
				}
			},
		},
		{
			name: "pause consumer until",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.PauseConsumer(ctx, "C1", t0.Add(time.Hour))
			},
			method: "POST", path: "/v1/consumers/C1/pause", body: `{"until":"2026-01-02T04:04:05Z"}`,
			status: 200, answer: consumerJSON[:len(consumerJSON)-1] + `,"num_pending":0,"num_ack_pending":0,"paused":true,"paused_until":"2026-01-02T04:04:05Z"}`,
			check: func(t *testing.T, got any) {
				if r := got.(*ConsumerInfo); !r.Paused || r.PausedUntil == nil || !r.PausedUntil.Equal(t0.Add(time.Hour)) {
					t.Errorf("info %+v", r)
				}
			},
		},
		{
			name:   "pause consumer for good",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.PauseConsumer(ctx, "C1", time.Time{}) },
			method: "POST", path: "/v1/consumers/C1/pause",
			status: 200, answer: consumerJSON[:len(consumerJSON)-1] + `,"num_pending":0,"num_ack_pending":0,"paused":true,"paused_until":"2126-01-02T04:04:05Z"}`,
		},
		{
			name:   "resume consumer",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ResumeConsumer(ctx, "C1") },
			method: "POST", path: "/v1/consumers/C1/resume",
			status: 200, answer: consumerJSON[:len(consumerJSON)-1] + `,"num_pending":0,"num_ack_pending":0,"paused":false}`,
			check: func(t *testing.T, got any) {
				if r := got.(*ConsumerInfo); r.Paused || r.PausedUntil != nil {
					t.Errorf("info %+v", r)
				}
			},
		},
		{
			name:   "delete consumer",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteConsumer(ctx, "C1") },
			method: "DELETE", path: "/v1/consumers/C1", status: 204,
		},
		{
			name: "fetch",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Fetch(ctx, "C1", FetchOptions{BatchSize: 50, Wait: 1500 * time.Millisecond})
			},
			method: "GET", path: "/v1/consumers/C1/batch", query: "batch_size=50&wait_ms=1500",
			status: 200, answer: `{"messages":[` + messageJSON + `]}`,
			check: func(t *testing.T, got any) {
				ms := got.([]wire.Message)
				if len(ms) != 1 || ms[0].Sequence != 42 || ms[0].Reply.KeyID != "k1" || !jsonEqual(t, ms[0].Event, `{"event":"job.JobFinished","uuid":"`+testUUID+`"}`) {
					t.Errorf("messages %+v", ms)
				}
			},
		},
		{
			name:   "fetch with defaults sends no parameters",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.Fetch(ctx, "C1", FetchOptions{}) },
			method: "GET", path: "/v1/consumers/C1/batch",
			status: 200, answer: `{"messages":[]}`,
		},
		{
			name: "acknowledge",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Acknowledge(ctx, []wire.Reply{{Reply: "r1", Salt: "s", HMAC: "h", KeyID: "k1"}}, "", 0)
			},
			method: "POST", path: "/v1/acknowledge",
			body:   `{"replies":[{"reply":"r1","salt":"s","hmac":"h","key_id":"k1"}],"action":"ack"}`,
			status: 200, answer: `{"acknowledged":1}`,
			check: func(t *testing.T, got any) {
				if got.(int) != 1 {
					t.Errorf("acknowledged %v", got)
				}
			},
		},
		{
			name: "nak with delay",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Acknowledge(ctx, []wire.Reply{{Reply: "r1"}, {Reply: "r2"}}, wire.Nak, 90*time.Second)
			},
			method: "POST", path: "/v1/acknowledge",
			body:   `{"replies":[{"reply":"r1","salt":"","hmac":"","key_id":""},{"reply":"r2","salt":"","hmac":"","key_id":""}],"action":"nak","delay_ms":90000}`,
			status: 200, answer: `{"acknowledged":2}`,
		},
		{
			name: "list notifications",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListNotifications(ctx, wire.StateAll, ListOptions{Limit: 2})
			},
			method: "GET", path: "/v1/me/notifications", query: "limit=2&state=all",
			status: 200, answer: `{"items":[` + notificationJSON + `],"next_cursor":""}`,
			check: func(t *testing.T, got any) {
				p := got.(*Page[*wire.Notification])
				if len(p.Items) != 1 || p.Items[0].Variant != wire.VariantAnnouncement || p.Items[0].Acknowledged() || p.NextCursor != "" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name:   "count notifications",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CountNotifications(ctx) },
			method: "GET", path: "/v1/me/notifications/count", status: 200, answer: `{"unacknowledged":5}`,
			check: func(t *testing.T, got any) {
				if got.(int) != 5 {
					t.Errorf("count %v", got)
				}
			},
		},
		{
			name: "acknowledge notifications",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AcknowledgeNotifications(ctx, []string{"N1", "N2"})
			},
			method: "POST", path: "/v1/me/notifications/acknowledge", body: `{"ids":["N1","N2"]}`,
			status: 200, answer: `{"acknowledged":["N1"],"not_found":["N2"]}`,
			check: func(t *testing.T, got any) {
				want := &NotificationAck{Acknowledged: []string{"N1"}, NotFound: []string{"N2"}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %+v", got)
				}
			},
		},
		{
			name: "create notification",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateNotification(ctx, []string{"u1"}, wire.Content{
					Variant: wire.VariantAnnouncement, Message: "hello",
					Refs: []wire.Ref{{Type: wire.RefResource, Name: "project", Value: "projects/p1"}},
				})
			},
			method: "POST", path: "/v1/notifications",
			body:   `{"recipients":["u1"],"variant":"ANNOUNCEMENT","message":"hello","refs":[{"type":"RESOURCE","name":"project","value":"projects/p1"}]}`,
			status: 201, answer: `{"event_uuid":"` + testUUID + `","items":[` + notificationJSON + `]}`,
			check: func(t *testing.T, got any) {
				r := got.(*CreatedNotifications)
				if r.EventUUID != testUUID || len(r.Items) != 1 || r.Items[0].UserID != "u1" {
					t.Errorf("got %+v", r)
				}
			},
		},
		{
			name:   "create trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.CreateTrigger(ctx, testTriggerSpec()) },
			method: "POST", path: "/v1/triggers", body: testTriggerSpecJSON,
			status: 201, answer: triggerJSON,
			check: func(t *testing.T, got any) {
				tr := got.(*wire.Trigger)
				if tr.ID != "01JD3N4V5W6X7Y8Z9ABCDEFGHK" || !tr.IsEnabled() || !jsonEqual(t, tr.Action, `{"type":"http","url":"https://example.org/hook","secret":"whsec_abc"}`) {
					t.Errorf("trigger %+v", tr)
				}
			},
		},
		{
			name:   "list triggers",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ListTriggers(ctx, ListOptions{}) },
			method: "GET", path: "/v1/triggers", status: 200, answer: `{"items":[` + triggerJSON + `],"next_cursor":""}`,
			check: func(t *testing.T, got any) {
				if p := got.(*Page[*wire.Trigger]); len(p.Items) != 1 || p.Items[0].Name != "hook" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name:   "get trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.GetTrigger(ctx, "T1") },
			method: "GET", path: "/v1/triggers/T1", status: 200, answer: triggerJSON,
		},
		{
			name: "replace trigger",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ReplaceTrigger(ctx, "T1", testTriggerSpec())
			},
			method: "PUT", path: "/v1/triggers/T1", body: testTriggerSpecJSON, status: 200, answer: triggerJSON,
		},
		{
			name:   "delete trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.DeleteTrigger(ctx, "T1") },
			method: "DELETE", path: "/v1/triggers/T1", status: 204,
		},
		{
			name:   "enable trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.EnableTrigger(ctx, "T1") },
			method: "POST", path: "/v1/triggers/T1/enable", status: 200, answer: triggerJSON,
		},
		{
			name:   "test trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.TestTrigger(ctx, "T1", testEvent()) },
			method: "POST", path: "/v1/triggers/T1/test", body: `{"event":` + testEventJSON + `}`,
			status: 200,
			answer: `{"matched":false,"enabled":true,"explain":[{"field":"events","path":"event","operator":"any-of","operand":["job.JobFinished"],"found":["job.JobFinished"],"matched":true},{"field":"data.x","path":"data.x","operator":"equals","operand":"1","found":null,"matched":false}]}`,
			check: func(t *testing.T, got any) {
				r := got.(*TestResult)
				if r.Matched || !r.Enabled || len(r.Explain) != 2 || r.Explain[1].Field != "data.x" || r.Explain[1].Matched || r.Explain[1].Found != nil {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name:   "fire trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.FireTrigger(ctx, "T1", testEvent()) },
			method: "POST", path: "/v1/triggers/T1/fire", body: `{"event":` + testEventJSON + `}`,
			status: 202, answer: `{"delivery_id":"D1","event_uuid":"` + testUUID + `"}`,
			check: func(t *testing.T, got any) {
				if r := got.(*FireResult); *r != (FireResult{DeliveryID: "D1", EventUUID: testUUID}) {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name: "list deliveries",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListDeliveries(ctx, "T1", wire.StatusExhausted, ListOptions{Limit: 10})
			},
			method: "GET", path: "/v1/triggers/T1/deliveries", query: "limit=10&status=exhausted",
			status: 200, answer: `{"items":[` + deliveryJSON + `],"next_cursor":""}`,
			check: func(t *testing.T, got any) {
				p := got.(*Page[*wire.Delivery])
				if len(p.Items) != 1 || p.Items[0].Status != "exhausted" || len(p.Items[0].Log) != 1 || p.Items[0].Log[0].StatusCode != 500 {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name:   "retry delivery",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.RetryDelivery(ctx, "T1", "D1") },
			method: "POST", path: "/v1/triggers/T1/deliveries/D1/retry",
			status: 202, answer: `{"delivery_id":"D1","status":"queued"}`,
			check: func(t *testing.T, got any) {
				if r := got.(*RetryResult); *r != (RetryResult{DeliveryID: "D1", Status: "queued"}) {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name: "replay by time",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ReplayTrigger(ctx, "T1", ReplayOptions{StartTime: t0, EndTime: t0.Add(time.Hour)})
			},
			method: "POST", path: "/v1/triggers/T1/replay",
			body:   `{"start_time":"2026-01-02T03:04:05Z","end_time":"2026-01-02T04:04:05Z"}`,
			status: 202, answer: `{"scanned":10,"matched":4,"queued":3,"next_sequence":0}`,
			check: func(t *testing.T, got any) {
				if r := got.(*ReplayResult); *r != (ReplayResult{Scanned: 10, Matched: 4, Queued: 3}) {
					t.Errorf("result %+v", r)
				}
			},
		},
		{
			name: "replay by sequence",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ReplayTrigger(ctx, "T1", ReplayOptions{StartSequence: 10001})
			},
			method: "POST", path: "/v1/triggers/T1/replay", body: `{"start_sequence":10001}`,
			status: 202, answer: `{"scanned":10000,"matched":1,"queued":1,"next_sequence":20001}`,
			check: func(t *testing.T, got any) {
				if r := got.(*ReplayResult); r.NextSequence != 20001 {
					t.Errorf("result %+v", r)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				rec.add(r)
				if tt.answer == "" {
					w.WriteHeader(tt.status)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.answer))
			})
			got, err := tt.call(context.Background(), c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := rec.all()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path || r.Query != tt.query {
				t.Errorf("sent %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tt.method, tt.path, tt.query)
			}
			if auth := r.Header.Get("Authorization"); auth != "Bearer "+testToken {
				t.Errorf("Authorization %q", auth)
			}
			if ua := r.Header.Get("User-Agent"); ua != DefaultUserAgent {
				t.Errorf("User-Agent %q", ua)
			}
			switch {
			case tt.body == "" && len(r.Body) > 0:
				t.Errorf("sent body %s, want none", r.Body)
			case tt.body != "":
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
				if !jsonEqual(t, r.Body, tt.body) {
					t.Errorf("sent body %s\nwant %s", r.Body, tt.body)
				}
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// TestRefusedLocally checks the calls that fail before sending anything.
func TestRefusedLocally(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { rec.add(r) })
	ctx := context.Background()
	calls := map[string]func() error{
		"get consumer without id":     func() error { _, err := c.GetConsumer(ctx, ""); return err },
		"update consumer without id":  func() error { _, err := c.UpdateConsumer(ctx, "", wire.ConsumerChanges{}); return err },
		"pause consumer without id":   func() error { _, err := c.PauseConsumer(ctx, "", time.Time{}); return err },
		"resume consumer without id":  func() error { _, err := c.ResumeConsumer(ctx, ""); return err },
		"delete trigger without id":   func() error { return c.DeleteTrigger(ctx, "") },
		"retry without delivery id":   func() error { _, err := c.RetryDelivery(ctx, "T1", ""); return err },
		"stream without id":           func() error { _, err := c.Stream(ctx, ""); return err },
		"publish nil":                 func() error { _, err := c.Publish(ctx, nil); return err },
		"empty batch":                 func() error { _, err := c.PublishBatch(ctx, nil); return err },
		"acknowledge nothing":         func() error { _, err := c.Acknowledge(ctx, nil, wire.Ack, 0); return err },
		"acknowledge no notification": func() error { _, err := c.AcknowledgeNotifications(ctx, nil); return err },
		"replay without start":        func() error { _, err := c.ReplayTrigger(ctx, "T1", ReplayOptions{}); return err },
		"replay with both starts": func() error {
			_, err := c.ReplayTrigger(ctx, "T1", ReplayOptions{StartTime: time.Now(), StartSequence: 1})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		base    string
		opts    []Option
		wantErr bool
	}{
		{base: "http://127.0.0.1:3000"},
		{base: "https://api.example.org/prod/"},
		{base: "ftp://example.org", wantErr: true},
		{base: "/v1", wantErr: true},
		{base: "https://example.org?x=1", wantErr: true},
		{base: "https://example.org", opts: []Option{WithStreamURL("nope")}, wantErr: true},
		{base: "https://example.org", opts: []Option{WithRetry(0, time.Second)}, wantErr: true},
		{base: "https://example.org", opts: []Option{WithToken("")}, wantErr: true},
		{base: "https://example.org", opts: []Option{WithHTTPClient(nil)}, wantErr: true},
	}
	for _, tt := range tests {
		_, err := New(tt.base, tt.opts...)
		if (err != nil) != tt.wantErr {
			t.Errorf("New(%q): error %v, want error %v", tt.base, err, tt.wantErr)
		}
	}
}

// TestBasePathPrefix checks that a base URL with a path (a stage, a proxy prefix) keeps
// it in front of the API's paths.
func TestBasePathPrefix(t *testing.T) {
	var rec recorder
	_, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 200, map[string]int{"unacknowledged": 0})
	})
	c, err := New(srv.URL+"/prod/", WithToken("x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CountNotifications(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rec.all()[0].Path; got != "/prod/v1/me/notifications/count" {
		t.Errorf("path %q", got)
	}
}
