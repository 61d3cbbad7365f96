package badinput

import (
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the administrators' routes' cases of the bad-input suite.

// adminBadInputCases returns the bad-input matrix's rows of the admin routes, for an
// administrator (bad tokens, queries, owners, cursors, ids) and for a non-administrator
// with the same bad input, who gets 403 before any of it is read.
func adminBadInputCases(t *testing.T, w *stacktest.World, tokens []struct{ name, authz string }, cursors map[string]string) map[string][]badCase {
	admin := stacktest.AdminToken(t)
	m := map[string][]badCase{}
	for _, kind := range []string{"triggers", "consumers"} {
		list := stacktest.Call{Method: "GET", Path: "/v1/admin/" + kind + "?owner=" + stacktest.OwnerSub, Token: admin}
		bare := stacktest.Call{Method: "GET", Path: "/v1/admin/" + kind, Token: admin}
		withQuery := func(c stacktest.Call, q string) stacktest.Call { c.Path += q; return c }
		m["GET /v1/admin/"+kind] = append(append(append(
			tokenCases(list, tokens, false),
			queryCases(list, pageQueries()...)...),
			queryCases(bare, "owner=", "owner", "owner=a%00b", "owner", "owner=a%0Ab", "owner", "owner="+strings.Repeat("a", 257), "owner")...),
			badCase{"no owner", bare, stacktest.Want{Status: 400, Fields: []string{"owner"}}},
			badCase{"the owner's " + kind + " cursor for another owner", withQuery(stacktest.Call{Method: "GET", Path: "/v1/admin/" + kind + "?owner=" + stacktest.IntruderSub, Token: admin},
				"&cursor="+url.QueryEscape(cursors[kind])), stacktest.Want{Status: 400, Fields: []string{"cursor"}}},
			badCase{"a non-administrator without an owner", stacktest.Call{Method: "GET", Path: "/v1/admin/" + kind + "?limit=0", Token: w.Owner}, stacktest.Want{Status: 403}},
		)
		id := w.Trigger
		if kind == "consumers" {
			id = w.Consumer
		}
		for _, r := range []struct{ method, suffix, route string }{
			{"POST", "/disable", "POST /v1/admin/" + kind + "/{id}/disable"},
			{"DELETE", "", "DELETE /v1/admin/" + kind + "/{id}"},
		} {
			// The owner's own resource is the target: bad input must change nothing.
			c := stacktest.Call{Method: r.method, Path: "/v1/admin/" + kind + "/" + id + r.suffix, Token: admin}
			notAdmin := c
			notAdmin.Token = w.Owner
			m[r.route] = append(append(append(
				tokenCases(c, tokens, false),
				queryCases(c)...),
				idCases(c, id)...),
				badCase{"a non-administrator with a bad id", stacktest.Call{Method: r.method, Path: "/v1/admin/" + kind + "/not-a-ulid" + r.suffix, Token: w.Owner}, stacktest.Want{Status: 403}},
				badCase{"a non-administrator with a bad query", func() stacktest.Call { c := notAdmin; c.Path += "?bogus=1"; return c }(), stacktest.Want{Status: 403}},
			)
		}
	}
	return m
}
