package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/wire"
)

// TestAdminRoutes checks the request each admin method sends and how it decodes the
// answer.
func TestAdminRoutes(t *testing.T) {
	tests := []struct {
		name   string
		call   func(context.Context, *Client) (any, error)
		method string
		path   string
		query  string // encoded, keys sorted
		status int
		answer string
		check  func(*testing.T, any)
	}{
		{
			name: "list a user's triggers",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AdminListTriggers(ctx, "u 1", ListOptions{Limit: 5, Cursor: "abc"})
			},
			method: "GET", path: "/v1/admin/triggers", query: "cursor=abc&limit=5&owner=u+1",
			status: 200, answer: `{"items":[` + triggerJSON + `],"next_cursor":""}`,
			check: func(t *testing.T, got any) {
				if p := got.(*Page[*wire.Trigger]); len(p.Items) != 1 || p.Items[0].Owner != "u1" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name:   "disable a trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.AdminDisableTrigger(ctx, "T/1") },
			method: "POST", path: "/v1/admin/triggers/T%2F1/disable", status: 200, answer: triggerJSON,
		},
		{
			name:   "delete a trigger",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.AdminDeleteTrigger(ctx, "T1") },
			method: "DELETE", path: "/v1/admin/triggers/T1", status: 204,
		},
		{
			name: "list a user's consumers",
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AdminListConsumers(ctx, "u1", ListOptions{})
			},
			method: "GET", path: "/v1/admin/consumers", query: "owner=u1",
			status: 200, answer: `{"items":[` + consumerJSON + `],"next_cursor":""}`,
			check: func(t *testing.T, got any) {
				if p := got.(*Page[*wire.Consumer]); len(p.Items) != 1 || p.Items[0].Owner != "u1" {
					t.Errorf("page %+v", p)
				}
			},
		},
		{
			name:   "disable a consumer",
			call:   func(ctx context.Context, c *Client) (any, error) { return c.AdminDisableConsumer(ctx, "C1") },
			method: "POST", path: "/v1/admin/consumers/C1/disable", status: 200,
			answer: consumerJSON[:len(consumerJSON)-1] + `,"disabled_reason":"disabled by an administrator"}`,
			check: func(t *testing.T, got any) {
				if r := got.(*wire.Consumer); r.DisabledReason != "disabled by an administrator" {
					t.Errorf("record %+v", r)
				}
			},
		},
		{
			name:   "delete a consumer",
			call:   func(ctx context.Context, c *Client) (any, error) { return nil, c.AdminDeleteConsumer(ctx, "C1") },
			method: "DELETE", path: "/v1/admin/consumers/C1", status: 204,
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
			if r := reqs[0]; r.Method != tt.method || r.Path != tt.path || r.Query != tt.query || len(r.Body) > 0 {
				t.Errorf("sent %s %s?%s %s, want %s %s?%s without a body", r.Method, r.Path, r.Query, r.Body, tt.method, tt.path, tt.query)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

// TestAdminRefusedLocally checks the admin calls that fail before sending anything.
func TestAdminRefusedLocally(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { rec.add(r) })
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"list triggers without owner":  func() error { _, err := c.AdminListTriggers(ctx, "", ListOptions{}); return err },
		"list consumers without owner": func() error { _, err := c.AdminListConsumers(ctx, "", ListOptions{}); return err },
		"disable trigger without id":   func() error { _, err := c.AdminDisableTrigger(ctx, ""); return err },
		"delete consumer without id":   func() error { return c.AdminDeleteConsumer(ctx, "") },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := rec.count(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestOverQuotaNotRetried: a 429 naming a quota is Herald's answer, not throttling, and
// waiting does not lift it, so even with retries left it is returned at once, with the
// quota.
func TestOverQuotaNotRetried(t *testing.T) {
	var rec recorder
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(429)
		json.NewEncoder(w).Encode(map[string]any{
			"type": "urn:herald:problem:quota-exceeded", "title": "quota exceeded", "status": 429,
			"detail": "you hold 25 consumers and the limit is 25: delete one to make room",
			"quota":  wire.Quota{Name: "consumers", Limit: 25, Current: 25},
		})
	}, WithRetry(4, time.Millisecond))
	_, err := c.CreateConsumer(context.Background(), wire.ConsumerSpec{})
	if !IsOverQuota(err) || !IsRateLimited(err) {
		t.Fatalf("error %v, want over quota", err)
	}
	var e *Error
	if !errors.As(err, &e) || *e.Quota != (wire.Quota{Name: "consumers", Limit: 25, Current: 25}) {
		t.Errorf("quota %+v", e.Quota)
	}
	if n := rec.count(); n != 1 {
		t.Errorf("%d attempts, want 1", n)
	}
	// API Gateway's throttling is no quota.
	if IsOverQuota(&Error{Status: 429, Message: "Too Many Requests"}) {
		t.Error("throttling reported as over quota")
	}
}
