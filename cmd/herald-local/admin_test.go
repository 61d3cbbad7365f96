package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
)

// This file holds the administrators' routes' cases of the security and bad-input
// suites, and the per-user quotas' test, which runs in the security suite's stack.

// Identities of the admin and quota cases.
const (
	adminSub = "suite-admin"
	quotaSub = "suite-quota"
)

// adminToken returns a personal token with the admin role.
func adminToken(t testing.TB) string {
	t.Helper()
	return mintToken(t, auth.Claims{Subject: adminSub, TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}})
}

// adminSecurityCases returns the security matrix's rows of the admin routes: nobody but
// a personal or service token with the admin role gets past 403, whatever the request
// names, and an administrator reaches any user's triggers and consumers.
func adminSecurityCases(t *testing.T, w *world) map[string][]secCase {
	admin := adminToken(t)
	scopedAdmin := mintToken(t, auth.Claims{Subject: adminSub, TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin},
		Perms: map[string]auth.Level{scopePath: auth.Admin}})
	projectsAdmin := mintToken(t, auth.Claims{Subject: intruderSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects": auth.Admin}})
	gw401, w403, w404 := want{status: 401, gateway: true}, want{status: 403}, want{status: 404}
	const unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

	// refused are the columns of an admin route on path: the same 403 for an existing
	// and an unknown id, so that a non-administrator learns nothing.
	refused := func(method, path string) []secCase {
		cs := []secCase{
			{whoNone, call{method: method, path: path}, gw401},
			{whoIntruder, call{method: method, path: path, token: w.intruder}, w403},
			{whoScoped, call{method: method, path: path, token: w.scoped}, w403},
			{whoLacking + " (the owner's own token)", call{method: method, path: path, token: w.owner}, w403},
			{"a scoped token with the admin role", call{method: method, path: path, token: scopedAdmin}, w403},
			{"ADMIN on every project, without the role", call{method: method, path: path, token: projectsAdmin}, w403},
			{"a publisher", call{method: method, path: path, token: w.publisher}, w403},
		}
		for _, id := range []string{w.trigger, w.consumer} {
			if strings.Contains(path, id) {
				cs = append(cs, secCase{whoIntruder + ", an unknown id", call{method: method, path: strings.Replace(path, id, unknown, 1), token: w.intruder}, w403})
			}
		}
		return cs
	}
	holds := func(in, out string) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			if !strings.Contains(string(a.body), `"id":"`+in+`"`) || strings.Contains(string(a.body), `"id":"`+out+`"`) {
				t.Errorf("the listing should show %s and not %s: %s", in, out, a)
			}
		}
	}
	disabled := func(t *testing.T, a answer) {
		if !strings.Contains(string(a.body), `"disabled_reason":"disabled by an administrator"`) {
			t.Errorf("disable: %s, want the administrator named in disabled_reason", a)
		}
	}
	// ownerSees checks, after an admin call, what the owner's own call answers.
	ownerSees := func(c call, status int, also func(t *testing.T, a answer)) func(t *testing.T, a answer) {
		return func(t *testing.T, a answer) {
			if also != nil {
				also(t, a)
			}
			if got := w.ac.do(t, c); got.status != status {
				t.Errorf("then %s %s: %s, want %d", c.method, c.path, got, status)
			}
		}
	}

	tSpare, tGone := w.spareTrigger(t), w.spareTrigger(t)
	cSpare, cGone := w.spareConsumer(t), w.spareConsumer(t)
	listT := "/v1/admin/triggers?owner=" + url.QueryEscape(ownerSub)
	listC := "/v1/admin/consumers?owner=" + url.QueryEscape(ownerSub)
	return map[string][]secCase{
		"GET /v1/admin/triggers": append(refused("GET", listT),
			secCase{"the admin role", call{method: "GET", path: listT, token: admin}, want{status: 200, check: holds(w.trigger, w.intruderTrigger)}},
			secCase{"the admin role, another owner", call{method: "GET", path: "/v1/admin/triggers?owner=" + intruderSub, token: admin},
				want{status: 200, check: holds(w.intruderTrigger, w.trigger)}},
			secCase{"the admin role with a service token", call{method: "GET", path: listT,
				token: mintToken(t, auth.Claims{Subject: "suite-ops", TokenType: auth.Service, Roles: []string{auth.RoleAdmin}})}, want{status: 200}}),
		"POST /v1/admin/triggers/{id}/disable": append(refused("POST", "/v1/admin/triggers/"+w.trigger+"/disable"),
			// Disabled by an administrator, the trigger stays off for an owner whose
			// grant is gone: enabling needs what creating needs.
			secCase{"the admin role", call{method: "POST", path: "/v1/admin/triggers/" + tSpare + "/disable", token: admin},
				want{status: 200, check: ownerSees(call{method: "POST", path: "/v1/triggers/" + tSpare + "/enable", token: w.bare}, 403, disabled)}},
			secCase{"the admin role, an unknown id", call{method: "POST", path: "/v1/admin/triggers/" + unknown + "/disable", token: admin}, w404}),
		"DELETE /v1/admin/triggers/{id}": append(refused("DELETE", "/v1/admin/triggers/"+w.trigger),
			secCase{"the admin role", call{method: "DELETE", path: "/v1/admin/triggers/" + tGone, token: admin},
				want{status: 204, check: ownerSees(call{method: "GET", path: "/v1/triggers/" + tGone, token: w.owner}, 404, nil)}},
			secCase{"the admin role, deleted already", call{method: "DELETE", path: "/v1/admin/triggers/" + tGone, token: admin}, w404}),
		"GET /v1/admin/consumers": append(refused("GET", listC),
			secCase{"the admin role", call{method: "GET", path: listC, token: admin}, want{status: 200, check: holds(w.consumer, w.intruderConsumer)}}),
		"POST /v1/admin/consumers/{id}/disable": append(refused("POST", "/v1/admin/consumers/"+w.consumer+"/disable"),
			// The owner's fetches then say why nothing comes.
			secCase{"the admin role", call{method: "POST", path: "/v1/admin/consumers/" + cSpare + "/disable", token: admin},
				want{status: 200, check: ownerSees(call{method: "GET", path: "/v1/consumers/" + cSpare + "/batch", token: w.owner}, 409, disabled)}},
			secCase{"the admin role, an unknown id", call{method: "POST", path: "/v1/admin/consumers/" + unknown + "/disable", token: admin}, w404}),
		"DELETE /v1/admin/consumers/{id}": append(refused("DELETE", "/v1/admin/consumers/"+w.consumer),
			secCase{"the admin role", call{method: "DELETE", path: "/v1/admin/consumers/" + cGone, token: admin},
				want{status: 204, check: ownerSees(call{method: "GET", path: "/v1/consumers/" + cGone, token: w.owner}, 404, nil)}},
			secCase{"the admin role, deleted already", call{method: "DELETE", path: "/v1/admin/consumers/" + cGone, token: admin}, w404}),
	}
}

// adminBadInputCases returns the bad-input matrix's rows of the admin routes, for an
// administrator (bad tokens, queries, owners, cursors, ids) and for a non-administrator
// with the same bad input, who gets 403 before any of it is read.
func adminBadInputCases(t *testing.T, w *world, tokens []struct{ name, authz string }, cursors map[string]string) map[string][]badCase {
	admin := adminToken(t)
	m := map[string][]badCase{}
	for _, kind := range []string{"triggers", "consumers"} {
		list := call{method: "GET", path: "/v1/admin/" + kind + "?owner=" + ownerSub, token: admin}
		bare := call{method: "GET", path: "/v1/admin/" + kind, token: admin}
		withQuery := func(c call, q string) call { c.path += q; return c }
		m["GET /v1/admin/"+kind] = append(append(append(
			tokenCases(list, tokens, false),
			queryCases(list, pageQueries()...)...),
			queryCases(bare, "owner=", "owner", "owner=a%00b", "owner", "owner=a%0Ab", "owner", "owner="+strings.Repeat("a", 257), "owner")...),
			badCase{"no owner", bare, want{status: 400, fields: []string{"owner"}}},
			badCase{"the owner's " + kind + " cursor for another owner", withQuery(call{method: "GET", path: "/v1/admin/" + kind + "?owner=" + intruderSub, token: admin},
				"&cursor="+url.QueryEscape(cursors[kind])), want{status: 400, fields: []string{"cursor"}}},
			badCase{"a non-administrator without an owner", call{method: "GET", path: "/v1/admin/" + kind + "?limit=0", token: w.owner}, want{status: 403}},
		)
		id := w.trigger
		if kind == "consumers" {
			id = w.consumer
		}
		for _, r := range []struct{ method, suffix, route string }{
			{"POST", "/disable", "POST /v1/admin/" + kind + "/{id}/disable"},
			{"DELETE", "", "DELETE /v1/admin/" + kind + "/{id}"},
		} {
			// The owner's own resource is the target: bad input must change nothing.
			c := call{method: r.method, path: "/v1/admin/" + kind + "/" + id + r.suffix, token: admin}
			notAdmin := c
			notAdmin.token = w.owner
			m[r.route] = append(append(append(
				tokenCases(c, tokens, false),
				queryCases(c)...),
				idCases(c, id)...),
				badCase{"a non-administrator with a bad id", call{method: r.method, path: "/v1/admin/" + kind + "/not-a-ulid" + r.suffix, token: w.owner}, want{status: 403}},
				badCase{"a non-administrator with a bad query", func() call { c := notAdmin; c.path += "?bogus=1"; return c }(), want{status: 403}},
			)
		}
	}
	return m
}

// checkQuota creates, as one user, as many triggers and consumers as the local stack's
// quotas allow: the next create is 429 naming the quota, its limit and the count;
// deleting one (the user, or an administrator) makes room at once; of two creates
// racing for the last place one wins; and an administrator is not limited.
func checkQuota(t *testing.T, w *world) {
	user := mintToken(t, auth.Claims{Subject: quotaSub, TokenType: auth.Personal, Perms: map[string]auth.Level{scopePath: auth.Read}})
	admin := adminToken(t)
	kinds := []struct {
		name, path, body string
		limit            int
	}{
		{"triggers", "/v1/triggers", `{"name":"quota","resource":{"path":"` + scopePath + `/quota"},"action":{"type":"nats","subject":"herald.actions.suite.quota"}}`, LocalMaxTriggersPerUser},
		{"consumers", "/v1/consumers", `{"target":{"resources":[{"path":"` + scopePath + `/quota"}]},"deliver_policy":"new"}`, LocalMaxConsumersPerUser},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			create := call{method: "POST", path: k.path, token: user, body: k.body}
			overQuota := want{status: 429, check: func(t *testing.T, a answer) {
				var p struct {
					Quota *struct{ Name, Limit, Current any } `json:"quota"`
				}
				if json.Unmarshal(a.body, &p) != nil || p.Quota == nil ||
					fmt.Sprint(p.Quota.Name, p.Quota.Limit, p.Quota.Current) != fmt.Sprint(k.name, k.limit, k.limit) {
					t.Errorf("the 429 should name the quota %s, its limit %d and the count %d: %s", k.name, k.limit, k.limit, a)
				}
			}}
			id := func(c call) string {
				var r struct {
					ID string `json:"id"`
				}
				w.ac.ok(t, c, http.StatusCreated, &r)
				return r.ID
			}
			var ids []string
			for range k.limit {
				ids = append(ids, id(create))
			}
			expect(t, create, w.ac.do(t, create), overQuota)

			// Deleting one makes room at once.
			w.ac.ok(t, call{method: "DELETE", path: k.path + "/" + ids[0], token: user}, http.StatusNoContent, nil)
			ids = append(ids, id(create))
			expect(t, create, w.ac.do(t, create), overQuota)

			// So does an administrator deleting one.
			w.ac.ok(t, call{method: "DELETE", path: "/v1/admin/" + k.name + "/" + ids[1], token: admin}, http.StatusNoContent, nil)
			// Two creates race for that last place: exactly one wins.
			statuses := raceCreates(t, w.ac, create, 2)
			if statuses[201] != 1 || statuses[429] != 1 {
				t.Errorf("two creates racing for the last place answered %v, want one 201 and one 429", statuses)
			}
			expect(t, create, w.ac.do(t, create), overQuota)

			// An administrator is not limited.
			adminCreate := create
			adminCreate.token = admin
			for range k.limit + 1 {
				id(adminCreate)
			}
		})
	}
}

// raceCreates sends n copies of c at once, through the checked API, and counts the
// answers by status.
func raceCreates(t *testing.T, ac *apiClient, c call, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(c.method, ac.api+c.path, bytes.NewReader([]byte(c.body)))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := ac.http.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
	}
	return statuses
}
