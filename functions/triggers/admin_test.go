package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/trigger"
)

func admin() *auth.Claims {
	return &auth.Claims{Subject: "ops", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}
}

// TestAdminRoutes checks that an administrator lists, disables and deletes another
// user's trigger, and that nobody else gets past 403, whatever the request names.
func TestAdminRoutes(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	tr := createTrigger(t, h, alice, itemsTrigger)

	var page struct {
		Items []trigger.Trigger `json:"items"`
	}
	resp := do(t, h, apigwtest.Request("GET", "/v1/admin/triggers", "", "", admin(), map[string]string{"owner": alice.Subject}), &page)
	if resp.StatusCode != http.StatusOK || len(page.Items) != 1 || page.Items[0].ID != tr.ID || strings.Contains(resp.Body, "whsec_") {
		t.Fatalf("admin list: %d %s", resp.StatusCode, resp.Body)
	}
	var got trigger.Trigger
	if resp := do(t, h, apigwtest.Request("POST", "/v1/admin/triggers/{id}/disable", tr.ID, "", admin(), nil), &got); resp.StatusCode != http.StatusOK ||
		got.IsEnabled() || got.DisabledReason != AdminDisabledReason || got.Owner != alice.Subject {
		t.Fatalf("admin disable: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", tr.ID, "", alice, nil), &got); resp.StatusCode != http.StatusOK || got.DisabledReason != AdminDisabledReason {
		t.Fatalf("the owner's view after the disable: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("DELETE", "/v1/admin/triggers/{id}", tr.ID, "", admin(), nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("admin delete: %d %s", resp.StatusCode, resp.Body)
	}
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", tr.ID, "", alice, nil), nil), http.StatusNotFound, "")
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("DELETE", "/v1/admin/triggers/{id}", tr.ID, "", admin(), nil), nil), http.StatusNotFound, "")

	other := createTrigger(t, h, alice, itemsTrigger)
	notAdmins := map[string]*auth.Claims{
		"the owner":                 alice,
		"ADMIN on the project":      user("bob", auth.Admin),
		"the admin role, scoped":    {Subject: "ops", TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}},
		"a publisher":               {Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RolePublisher}},
		"the owner, bad input too":  alice,
		"the owner, an unknown id":  alice,
		"the owner, no owner query": alice,
	}
	for name, c := range notAdmins {
		for _, r := range []struct{ method, route, id string }{
			{"GET", "/v1/admin/triggers", ""},
			{"POST", "/v1/admin/triggers/{id}/disable", other.ID},
			{"DELETE", "/v1/admin/triggers/{id}", other.ID},
		} {
			id, q := r.id, map[string]string{"owner": alice.Subject}
			switch name {
			case "the owner, bad input too":
				id, q = "not-a-ulid", map[string]string{"bogus": "1", "limit": "0"}
			case "the owner, an unknown id":
				id = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
			case "the owner, no owner query":
				q = nil
			}
			if r.id == "" {
				id = ""
			}
			resp := do(t, h, apigwtest.Request(r.method, r.route, id, "", c, q), nil)
			if resp.StatusCode != http.StatusForbidden || strings.Contains(resp.Body, other.ID) {
				t.Errorf("%s: %s %s: %d %s, want 403 saying nothing", name, r.method, r.route, resp.StatusCode, resp.Body)
			}
		}
	}
	if resp := do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", other.ID, "", alice, nil), &got); resp.StatusCode != http.StatusOK || !got.IsEnabled() {
		t.Errorf("the trigger after refused admin calls: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestAdminBadInput checks the administrator's own bad input: each is a 400 naming the
// field, or a 404 for an id.
func TestAdminBadInput(t *testing.T) {
	h := newHandler(t)
	tests := []struct {
		name, method, route, id string
		query                   map[string]string
		status                  int
		field                   string
	}{
		{"no owner", "GET", "/v1/admin/triggers", "", nil, 400, "owner"},
		{"empty owner", "GET", "/v1/admin/triggers", "", map[string]string{"owner": ""}, 400, "owner"},
		{"owner with a control character", "GET", "/v1/admin/triggers", "", map[string]string{"owner": "a\x01b"}, 400, "owner"},
		{"unknown parameter", "GET", "/v1/admin/triggers", "", map[string]string{"owner": "u1", "bogus": "1"}, 400, "bogus"},
		{"limit 0", "GET", "/v1/admin/triggers", "", map[string]string{"owner": "u1", "limit": "0"}, 400, "limit"},
		{"garbage cursor", "GET", "/v1/admin/triggers", "", map[string]string{"owner": "u1", "cursor": "!!!"}, 400, "cursor"},
		{"disable: not a ULID", "POST", "/v1/admin/triggers/{id}/disable", "not-a-ulid", nil, 404, ""},
		{"disable: unknown", "POST", "/v1/admin/triggers/{id}/disable", "01ARZ3NDEKTSV4RRFFQ69G5FAV", nil, 404, ""},
		{"disable: unknown parameter", "POST", "/v1/admin/triggers/{id}/disable", "01ARZ3NDEKTSV4RRFFQ69G5FAV", map[string]string{"x": "1"}, 400, "x"},
		{"delete: unknown", "DELETE", "/v1/admin/triggers/{id}", "01ARZ3NDEKTSV4RRFFQ69G5FAV", nil, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apigwtest.WantProblem(t, do(t, h, apigwtest.Request(tt.method, tt.route, tt.id, "", admin(), tt.query), nil), tt.status, tt.field)
		})
	}
}

// TestCreateQuota checks the 429 past the per-user limit, the room a delete makes, and
// that an administrator is not limited.
func TestCreateQuota(t *testing.T) {
	h := newHandler(t)
	h.Store.MaxPerOwner = 2
	alice := user("alice", auth.Read)
	first := createTrigger(t, h, alice, itemsTrigger)
	createTrigger(t, h, alice, itemsTrigger)
	resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", itemsTrigger, alice, nil), nil)
	apigwtest.WantProblem(t, resp, http.StatusTooManyRequests, "")
	if !strings.Contains(resp.Body, `"quota":{"name":"triggers","limit":2,"current":2}`) {
		t.Errorf("the 429 does not name the quota: %s", resp.Body)
	}
	do(t, h, apigwtest.Request("DELETE", "/v1/triggers/{id}", first.ID, "", alice, nil), nil)
	createTrigger(t, h, alice, itemsTrigger)
	boss := admin()
	boss.Subject = "ops-" + alice.Subject
	for range 3 {
		createTrigger(t, h, boss, itemsTrigger)
	}
}
