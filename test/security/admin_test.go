package security

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

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the administrators' routes' cases of the security suite, and the
// per-user quotas' test, which runs in the security suite's stack.

// quotaSub is the user of the quota cases.
const quotaSub = "suite-quota"

// adminSecurityCases returns the security matrix's rows of the admin routes: nobody but
// a personal or service token with the admin role gets past 403, whatever the request
// names, and an administrator reaches any user's triggers and consumers.
func adminSecurityCases(t *testing.T, w *stacktest.World) map[string][]secCase {
	admin := stacktest.AdminToken(t)
	scopedAdmin := stacktest.MintToken(t, auth.Claims{Subject: stacktest.AdminSub, TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin},
		Perms: map[string]auth.Level{stacktest.ScopePath: auth.Admin}})
	projectsAdmin := stacktest.MintToken(t, auth.Claims{Subject: stacktest.IntruderSub, TokenType: auth.Personal, Perms: map[string]auth.Level{"projects": auth.Admin}})
	gw401, w403, w404 := stacktest.Want{Status: 401, Gateway: true}, stacktest.Want{Status: 403}, stacktest.Want{Status: 404}
	const unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

	// refused are the columns of an admin route on path: the same 403 for an existing
	// and an unknown id, so that a non-administrator learns nothing.
	refused := func(method, path string) []secCase {
		cs := []secCase{
			{whoNone, stacktest.Call{Method: method, Path: path}, gw401},
			{whoIntruder, stacktest.Call{Method: method, Path: path, Token: w.Intruder}, w403},
			{whoScoped, stacktest.Call{Method: method, Path: path, Token: w.Scoped}, w403},
			{whoLacking + " (the owner's own token)", stacktest.Call{Method: method, Path: path, Token: w.Owner}, w403},
			{"a scoped token with the admin role", stacktest.Call{Method: method, Path: path, Token: scopedAdmin}, w403},
			{"ADMIN on every project, without the role", stacktest.Call{Method: method, Path: path, Token: projectsAdmin}, w403},
			{"a publisher", stacktest.Call{Method: method, Path: path, Token: w.Publisher}, w403},
		}
		for _, id := range []string{w.Trigger, w.Consumer} {
			if strings.Contains(path, id) {
				cs = append(cs, secCase{whoIntruder + ", an unknown id", stacktest.Call{Method: method, Path: strings.Replace(path, id, unknown, 1), Token: w.Intruder}, w403})
			}
		}
		return cs
	}
	holds := func(in, out string) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			if !strings.Contains(string(a.Body), `"id":"`+in+`"`) || strings.Contains(string(a.Body), `"id":"`+out+`"`) {
				t.Errorf("the listing should show %s and not %s: %s", in, out, a)
			}
		}
	}
	disabled := func(t *testing.T, a stacktest.Answer) {
		if !strings.Contains(string(a.Body), `"disabled_reason":"disabled by an administrator"`) {
			t.Errorf("disable: %s, want the administrator named in disabled_reason", a)
		}
	}
	// ownerSees checks, after an admin call, what the owner's own call answers.
	ownerSees := func(c stacktest.Call, status int, also func(t *testing.T, a stacktest.Answer)) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			if also != nil {
				also(t, a)
			}
			if got := w.AC.Do(t, c); got.Status != status {
				t.Errorf("then %s %s: %s, want %d", c.Method, c.Path, got, status)
			}
		}
	}

	tSpare, tGone := w.SpareTrigger(t), w.SpareTrigger(t)
	cSpare, cGone := w.SpareConsumer(t), w.SpareConsumer(t)
	listT := "/v1/admin/triggers?owner=" + url.QueryEscape(stacktest.OwnerSub)
	listC := "/v1/admin/consumers?owner=" + url.QueryEscape(stacktest.OwnerSub)
	return map[string][]secCase{
		"GET /v1/admin/triggers": append(refused("GET", listT),
			secCase{"the admin role", stacktest.Call{Method: "GET", Path: listT, Token: admin}, stacktest.Want{Status: 200, Check: holds(w.Trigger, w.IntruderTrigger)}},
			secCase{"the admin role, another owner", stacktest.Call{Method: "GET", Path: "/v1/admin/triggers?owner=" + stacktest.IntruderSub, Token: admin},
				stacktest.Want{Status: 200, Check: holds(w.IntruderTrigger, w.Trigger)}},
			secCase{"the admin role with a service token", stacktest.Call{Method: "GET", Path: listT,
				Token: stacktest.MintToken(t, auth.Claims{Subject: "suite-ops", TokenType: auth.Service, Roles: []string{auth.RoleAdmin}})}, stacktest.Want{Status: 200}}),
		"POST /v1/admin/triggers/{id}/disable": append(refused("POST", "/v1/admin/triggers/"+w.Trigger+"/disable"),
			// Disabled by an administrator, the trigger stays off for an owner whose
			// grant is gone: enabling needs what creating needs.
			secCase{"the admin role", stacktest.Call{Method: "POST", Path: "/v1/admin/triggers/" + tSpare + "/disable", Token: admin},
				stacktest.Want{Status: 200, Check: ownerSees(stacktest.Call{Method: "POST", Path: "/v1/triggers/" + tSpare + "/enable", Token: w.Bare}, 403, disabled)}},
			secCase{"the admin role, an unknown id", stacktest.Call{Method: "POST", Path: "/v1/admin/triggers/" + unknown + "/disable", Token: admin}, w404}),
		"DELETE /v1/admin/triggers/{id}": append(refused("DELETE", "/v1/admin/triggers/"+w.Trigger),
			secCase{"the admin role", stacktest.Call{Method: "DELETE", Path: "/v1/admin/triggers/" + tGone, Token: admin},
				stacktest.Want{Status: 204, Check: ownerSees(stacktest.Call{Method: "GET", Path: "/v1/triggers/" + tGone, Token: w.Owner}, 404, nil)}},
			secCase{"the admin role, deleted already", stacktest.Call{Method: "DELETE", Path: "/v1/admin/triggers/" + tGone, Token: admin}, w404}),
		"GET /v1/admin/consumers": append(refused("GET", listC),
			secCase{"the admin role", stacktest.Call{Method: "GET", Path: listC, Token: admin}, stacktest.Want{Status: 200, Check: holds(w.Consumer, w.IntruderConsumer)}}),
		"POST /v1/admin/consumers/{id}/disable": append(refused("POST", "/v1/admin/consumers/"+w.Consumer+"/disable"),
			// The owner's fetches then say why nothing comes.
			secCase{"the admin role", stacktest.Call{Method: "POST", Path: "/v1/admin/consumers/" + cSpare + "/disable", Token: admin},
				stacktest.Want{Status: 200, Check: ownerSees(stacktest.Call{Method: "GET", Path: "/v1/consumers/" + cSpare + "/batch", Token: w.Owner}, 409, disabled)}},
			secCase{"the admin role, an unknown id", stacktest.Call{Method: "POST", Path: "/v1/admin/consumers/" + unknown + "/disable", Token: admin}, w404}),
		"DELETE /v1/admin/consumers/{id}": append(refused("DELETE", "/v1/admin/consumers/"+w.Consumer),
			secCase{"the admin role", stacktest.Call{Method: "DELETE", Path: "/v1/admin/consumers/" + cGone, Token: admin},
				stacktest.Want{Status: 204, Check: ownerSees(stacktest.Call{Method: "GET", Path: "/v1/consumers/" + cGone, Token: w.Owner}, 404, nil)}},
			secCase{"the admin role, deleted already", stacktest.Call{Method: "DELETE", Path: "/v1/admin/consumers/" + cGone, Token: admin}, w404}),
	}
}

// checkQuota creates, as one user, as many triggers and consumers as the local stack's
// quotas allow: the next create is 429 naming the quota, its limit and the count;
// deleting one (the user, or an administrator) makes room at once; of two creates
// racing for the last place one wins; and an administrator is not limited.
func checkQuota(t *testing.T, w *stacktest.World) {
	user := stacktest.MintToken(t, auth.Claims{Subject: quotaSub, TokenType: auth.Personal, Perms: map[string]auth.Level{stacktest.ScopePath: auth.Read}})
	admin := stacktest.AdminToken(t)
	kinds := []struct {
		name, path, body string
		limit            int
	}{
		{"triggers", "/v1/triggers", `{"name":"quota","resource":{"path":"` + stacktest.ScopePath + `/quota"},"action":{"type":"nats","subject":"herald.actions.suite.quota"}}`, localstack.MaxTriggersPerUser},
		{"consumers", "/v1/consumers", `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `/quota"}]},"deliver_policy":"new"}`, localstack.MaxConsumersPerUser},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			create := stacktest.Call{Method: "POST", Path: k.path, Token: user, Body: k.body}
			overQuota := stacktest.Want{Status: 429, Check: func(t *testing.T, a stacktest.Answer) {
				var p struct {
					Quota *struct{ Name, Limit, Current any } `json:"quota"`
				}
				if json.Unmarshal(a.Body, &p) != nil || p.Quota == nil ||
					fmt.Sprint(p.Quota.Name, p.Quota.Limit, p.Quota.Current) != fmt.Sprint(k.name, k.limit, k.limit) {
					t.Errorf("the 429 should name the quota %s, its limit %d and the count %d: %s", k.name, k.limit, k.limit, a)
				}
			}}
			id := func(c stacktest.Call) string {
				var r struct {
					ID string `json:"id"`
				}
				w.AC.OK(t, c, http.StatusCreated, &r)
				return r.ID
			}
			var ids []string
			for range k.limit {
				ids = append(ids, id(create))
			}
			stacktest.Expect(t, create, w.AC.Do(t, create), overQuota)

			// Deleting one makes room at once.
			w.AC.OK(t, stacktest.Call{Method: "DELETE", Path: k.path + "/" + ids[0], Token: user}, http.StatusNoContent, nil)
			ids = append(ids, id(create))
			stacktest.Expect(t, create, w.AC.Do(t, create), overQuota)

			// So does an administrator deleting one.
			w.AC.OK(t, stacktest.Call{Method: "DELETE", Path: "/v1/admin/" + k.name + "/" + ids[1], Token: admin}, http.StatusNoContent, nil)
			// Two creates race for that last place: exactly one wins.
			statuses := raceCreates(t, w.AC, create, 2)
			if statuses[201] != 1 || statuses[429] != 1 {
				t.Errorf("two creates racing for the last place answered %v, want one 201 and one 429", statuses)
			}
			stacktest.Expect(t, create, w.AC.Do(t, create), overQuota)

			// An administrator is not limited.
			adminCreate := create
			adminCreate.Token = admin
			for range k.limit + 1 {
				id(adminCreate)
			}
		})
	}
}

// raceCreates sends n copies of c at once, through the checked API, and counts the
// answers by status.
func raceCreates(t *testing.T, ac *stacktest.APIClient, c stacktest.Call, n int) map[int]int {
	t.Helper()
	var mu sync.Mutex
	statuses := map[int]int{}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(c.Method, ac.API+c.Path, bytes.NewReader([]byte(c.Body)))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+c.Token)
			resp, err := ac.HTTP.Do(req)
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
			t.Fatalf("%s %s: %v", c.Method, c.Path, err)
		}
	}
	return statuses
}
