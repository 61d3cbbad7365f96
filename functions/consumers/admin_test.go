package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/consumer"
)

func admin() *auth.Claims {
	return &auth.Claims{Subject: "ops", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}
}

// TestAdminRoutes checks that an administrator lists, disables and deletes another
// user's consumer: a disabled one delivers nothing and its owner's fetches say why;
// and that nobody else gets past 403.
func TestAdminRoutes(t *testing.T) {
	h, js := newHandler(t)
	alice := reader(owner("alice"))
	id := create(t, h, alice, p1Spec)
	publish(t, js, "resource.ResourceCreated", "projects/p1/c1")

	var page struct {
		Items []consumer.Record `json:"items"`
	}
	if resp := do(t, h, request("GET", "/v1/admin/consumers", "", "", admin(), map[string]string{"owner": alice.Subject}), &page); resp.StatusCode != http.StatusOK ||
		len(page.Items) != 1 || page.Items[0].ID != id {
		t.Fatalf("admin list: %d %s", resp.StatusCode, resp.Body)
	}
	var rec consumer.Record
	if resp := do(t, h, request("POST", "/v1/admin/consumers/{id}/disable", id, "", admin(), nil), &rec); resp.StatusCode != http.StatusOK ||
		rec.DisabledReason != AdminDisabledReason || rec.Owner != alice.Subject {
		t.Fatalf("admin disable: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}/batch", id, "", alice, nil), nil), http.StatusConflict, "")
	// Paused on the bus too: a fetch that skips the record's check gets nothing.
	c, err := js.Consumer(t.Context(), "HERALD_EVENTS", id)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := c.FetchNoWait(10); err != nil {
		t.Fatal(err)
	} else {
		n := 0
		for range b.Messages() {
			n++
		}
		if n != 0 {
			t.Errorf("the disabled consumer delivered %d messages", n)
		}
	}
	if resp := do(t, h, request("DELETE", "/v1/admin/consumers/{id}", id, "", admin(), nil), nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("admin delete: %d %s", resp.StatusCode, resp.Body)
	}
	wantProblem(t, do(t, h, request("GET", "/v1/consumers/{id}", id, "", alice, nil), nil), http.StatusNotFound, "")
	wantProblem(t, do(t, h, request("POST", "/v1/admin/consumers/{id}/disable", id, "", admin(), nil), nil), http.StatusNotFound, "")

	other := create(t, h, alice, p1Spec)
	for name, c := range map[string]*auth.Claims{
		"the owner":              alice,
		"ADMIN on the project":   {Subject: "bob", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/p1": auth.Admin}},
		"the admin role, scoped": {Subject: "ops", TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}},
	} {
		for _, r := range []struct{ method, route, id string }{
			{"GET", "/v1/admin/consumers", ""},
			{"POST", "/v1/admin/consumers/{id}/disable", other},
			{"DELETE", "/v1/admin/consumers/{id}", other},
			{"DELETE", "/v1/admin/consumers/{id}", "not-a-ulid"},
		} {
			resp := do(t, h, request(r.method, r.route, r.id, "", c, map[string]string{"bogus": "1"}), nil)
			if resp.StatusCode != http.StatusForbidden || strings.Contains(resp.Body, other) {
				t.Errorf("%s: %s %s: %d %s, want 403 saying nothing", name, r.method, r.route, resp.StatusCode, resp.Body)
			}
		}
	}
	if resp := do(t, h, request("GET", "/v1/consumers/{id}/batch", other, "", alice, nil), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("the consumer after refused admin calls: %d %s", resp.StatusCode, resp.Body)
	}
}

// TestCreateQuota checks the 429 past the per-user limit, the room a delete makes, and
// that an administrator is not limited.
func TestCreateQuota(t *testing.T) {
	h, _ := newHandler(t)
	h.Store.MaxPerOwner = 2
	alice := reader(owner("alice"))
	first := create(t, h, alice, p1Spec)
	create(t, h, alice, p1Spec)
	resp := do(t, h, request("POST", "/v1/consumers", "", p1Spec, alice, nil), nil)
	wantProblem(t, resp, http.StatusTooManyRequests, "")
	if !strings.Contains(resp.Body, `"quota":{"name":"consumers","limit":2,"current":2}`) {
		t.Errorf("the 429 does not name the quota: %s", resp.Body)
	}
	do(t, h, request("DELETE", "/v1/consumers/{id}", first, "", alice, nil), nil)
	create(t, h, alice, p1Spec)
	boss := admin()
	boss.Subject = owner("ops")
	for range 3 {
		create(t, h, boss, p1Spec)
	}
}
