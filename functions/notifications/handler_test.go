package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/inbox"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

func newHandler(t *testing.T) *Handler {
	t.Helper()
	table, err := env.Stack.Ref("NotificationsTable")
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{Store: &inbox.Store{DB: env.DynamoDB, Table: table, UnackedRetention: 365 * 24 * time.Hour, AckedRetention: 30 * 24 * time.Hour}}
}

// person returns the claims of a personal token of a user of the test's own.
func person(name string) *auth.Claims {
	return &auth.Claims{Subject: name + "-" + uuid.NewString()[:8], TokenType: auth.Personal}
}

var publisher = &auth.Claims{Subject: "svc-items", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}

func do(t *testing.T, h *Handler, req awsevents.APIGatewayV2HTTPRequest, out any) awsevents.APIGatewayV2HTTPResponse {
	t.Helper()
	resp, err := h.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal([]byte(resp.Body), out); err != nil {
			t.Fatalf("response body %q: %v", resp.Body, err)
		}
	}
	return resp
}

// createFor makes one notification for each of recipients through the API.
func createFor(t *testing.T, h *Handler, message string, recipients ...string) []inbox.Notification {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"recipients": recipients, "variant": "ANNOUNCEMENT", "message": message, "refs": []any{}})
	var out struct {
		EventUUID string               `json:"event_uuid"`
		Items     []inbox.Notification `json:"items"`
	}
	if resp := do(t, h, apigwtest.Request("POST", "/v1/notifications", "", string(b), publisher, nil), &out); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	if out.EventUUID == "" || len(out.Items) != len(inbox.Unique(recipients)) {
		t.Fatalf("create answered %+v", out)
	}
	return out.Items
}

type listAnswer struct {
	Items      []inbox.Notification `json:"items"`
	NextCursor string               `json:"next_cursor"`
}

func list(t *testing.T, h *Handler, c *auth.Claims, query map[string]string) listAnswer {
	t.Helper()
	var out listAnswer
	if resp := do(t, h, apigwtest.Request("GET", "/v1/me/notifications", "", "", c, query), &out); resp.StatusCode != http.StatusOK {
		t.Fatalf("list: %d %s", resp.StatusCode, resp.Body)
	}
	return out
}

func count(t *testing.T, h *Handler, c *auth.Claims) int {
	t.Helper()
	var out struct {
		Unacknowledged *int `json:"unacknowledged"`
	}
	if resp := do(t, h, apigwtest.Request("GET", "/v1/me/notifications/count", "", "", c, nil), &out); resp.StatusCode != http.StatusOK || out.Unacknowledged == nil {
		t.Fatalf("count: %d %s", resp.StatusCode, resp.Body)
	}
	return *out.Unacknowledged
}

type ackAnswer struct {
	Acknowledged []string `json:"acknowledged"`
	NotFound     []string `json:"not_found"`
}

func ack(t *testing.T, h *Handler, c *auth.Claims, ids ...string) ackAnswer {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"ids": ids})
	var out ackAnswer
	if resp := do(t, h, apigwtest.Request("POST", "/v1/me/notifications/acknowledge", "", string(b), c, nil), &out); resp.StatusCode != http.StatusOK {
		t.Fatalf("acknowledge: %d %s", resp.StatusCode, resp.Body)
	}
	return out
}

func ids(ns []inbox.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// newestFirst reports whether got holds exactly the ids of want, newest first (ids sort
// by creation time; two made in the same millisecond may come in either order, so the
// order checked is that of the ids).
func newestFirst(got, want []string) bool {
	sorted := slices.Clone(want)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	return slices.Equal(got, sorted)
}

func TestInbox(t *testing.T) {
	h := newHandler(t)
	alice, bob := person("alice"), person("bob")
	first := createFor(t, h, "first", alice.Subject, bob.Subject, alice.Subject)
	second := createFor(t, h, "second", alice.Subject)

	got := list(t, h, alice, nil)
	if want := []string{second[0].ID, first[0].ID}; !newestFirst(ids(got.Items), want) {
		t.Fatalf("alice's inbox %v, want %v newest first", ids(got.Items), want)
	}
	if n := got.Items[slices.Index(ids(got.Items), first[0].ID)]; n.Message != "first" || n.Variant != inbox.Announcement || n.UserID != alice.Subject || n.AcknowledgedAt != nil {
		t.Errorf("alice's first notification %+v", n)
	}
	if c := count(t, h, alice); c != 2 {
		t.Errorf("alice's count %d, want 2", c)
	}
	if bobs := list(t, h, bob, nil); len(bobs.Items) != 1 || bobs.Items[0].Message != "first" {
		t.Errorf("bob's inbox %+v, want only the first", bobs.Items)
	}

	// Bob cannot acknowledge alice's notification: not found, and nothing changes.
	if out := ack(t, h, bob, first[0].ID); len(out.Acknowledged) != 0 || !slices.Equal(out.NotFound, []string{first[0].ID}) {
		t.Errorf("bob acknowledging alice's: %+v", out)
	}
	if c := count(t, h, alice); c != 2 {
		t.Errorf("alice's count after bob's attempt %d, want 2", c)
	}

	// Alice acknowledges (twice: harmless).
	for range 2 {
		if out := ack(t, h, alice, first[0].ID, first[0].ID); !slices.Equal(out.Acknowledged, []string{first[0].ID}) || len(out.NotFound) != 0 {
			t.Errorf("alice acknowledging: %+v", out)
		}
	}
	if c := count(t, h, alice); c != 1 {
		t.Errorf("alice's count after acknowledging %d, want 1", c)
	}
	if un := list(t, h, alice, nil); !slices.Equal(ids(un.Items), []string{second[0].ID}) {
		t.Errorf("unacknowledged %v, want only the second", ids(un.Items))
	}
	acked := list(t, h, alice, map[string]string{"state": "acknowledged"})
	if len(acked.Items) != 1 || acked.Items[0].ID != first[0].ID || acked.Items[0].AcknowledgedAt == nil {
		t.Fatalf("acknowledged %+v", acked.Items)
	}
	if ttl := time.Until(acked.Items[0].ExpiresAt); ttl < 29*24*time.Hour || ttl > 30*24*time.Hour {
		t.Errorf("acknowledged expires in %v, want the 30-day retention", ttl)
	}
	if all := list(t, h, alice, map[string]string{"state": "all"}); len(all.Items) != 2 {
		t.Errorf("all: %d items, want 2", len(all.Items))
	}
}

// TestAcknowledgeBulk: {"before":id} acknowledges the caller's notifications up to and
// including id, {"all":true} the rest; each answers how many, again answers none, and
// another user's inbox is untouched.
func TestAcknowledgeBulk(t *testing.T) {
	h := newHandler(t)
	alice, bob := person("alice"), person("bob")
	var ns []string
	for i := range 4 {
		ns = append(ns, createFor(t, h, fmt.Sprint(i), alice.Subject, bob.Subject)[0].ID)
	}
	slices.Sort(ns)
	bulk := func(c *auth.Claims, body string) bulkAnswer {
		t.Helper()
		var out bulkAnswer
		if resp := do(t, h, apigwtest.Request("POST", "/v1/me/notifications/acknowledge", "", body, c, nil), &out); resp.StatusCode != http.StatusOK {
			t.Fatalf("acknowledge %s: %d %s", body, resp.StatusCode, resp.Body)
		}
		return out
	}
	if got := bulk(alice, `{"before":"`+ns[1]+`"}`); got != (bulkAnswer{Count: 2}) {
		t.Errorf("before the second: %+v, want 2", got)
	}
	if un := list(t, h, alice, nil); !newestFirst(ids(un.Items), ns[2:]) {
		t.Errorf("unacknowledged after before: %v, want %v", ids(un.Items), ns[2:])
	}
	if got := bulk(alice, `{"before":"`+ns[1]+`"}`); got != (bulkAnswer{}) {
		t.Errorf("before again: %+v, want none", got)
	}
	if got := bulk(alice, `{"all":true}`); got != (bulkAnswer{Count: 2}) {
		t.Errorf("all: %+v, want 2", got)
	}
	if got := bulk(alice, `{"all":true}`); got != (bulkAnswer{}) {
		t.Errorf("all again: %+v, want none", got)
	}
	if c := count(t, h, alice); c != 0 {
		t.Errorf("alice's count %d, want 0", c)
	}
	if c := count(t, h, bob); c != 4 {
		t.Errorf("bob's count %d, want his 4 untouched", c)
	}
}

// TestFilters: list and count select by variant and by ref.
func TestFilters(t *testing.T) {
	h := newHandler(t)
	u := person("u")
	mk := func(variant, ref string) string {
		t.Helper()
		body := `{"recipients":["` + u.Subject + `"],"variant":"` + variant + `","message":"m","refs":[` + ref + `]}`
		var out struct {
			Items []inbox.Notification `json:"items"`
		}
		if resp := do(t, h, apigwtest.Request("POST", "/v1/notifications", "", body, publisher, nil), &out); resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
		}
		return out.Items[0].ID
	}
	p1 := `{"type":"RESOURCE","name":"project","value":"projects/p1"}`
	granted := mk("PERMISSION_GRANTED", p1)
	announcement := mk("ANNOUNCEMENT", "")
	revoked := mk("PERMISSION_REVOKED", p1)
	tests := []struct {
		query map[string]string
		want  []string
	}{
		{map[string]string{"variant": "ANNOUNCEMENT"}, []string{announcement}},
		{map[string]string{"ref": "RESOURCE:projects/p1"}, []string{granted, revoked}},
		{map[string]string{"ref": "RESOURCE:projects/p1", "variant": "PERMISSION_REVOKED"}, []string{revoked}},
		{map[string]string{"ref": "USER:projects/p1"}, nil},
	}
	for _, tt := range tests {
		if got := list(t, h, u, tt.query); !newestFirst(ids(got.Items), tt.want) {
			t.Errorf("list %v: %v, want %v", tt.query, ids(got.Items), tt.want)
		}
		var out struct {
			Unacknowledged int `json:"unacknowledged"`
		}
		if resp := do(t, h, apigwtest.Request("GET", "/v1/me/notifications/count", "", "", u, tt.query), &out); resp.StatusCode != http.StatusOK || out.Unacknowledged != len(tt.want) {
			t.Errorf("count %v: %d %s, want %d", tt.query, resp.StatusCode, resp.Body, len(tt.want))
		}
	}
}

func TestPages(t *testing.T) {
	h := newHandler(t)
	u := person("u")
	var want []string
	for i := range 45 {
		want = append(want, createFor(t, h, fmt.Sprint(i), u.Subject)[0].ID)
	}
	var got []string
	query := map[string]string{"limit": "10"}
	for range 10 {
		page := list(t, h, u, query)
		got = append(got, ids(page.Items)...)
		if page.NextCursor == "" {
			break
		}
		query = map[string]string{"limit": "10", "cursor": page.NextCursor}
	}
	if !newestFirst(got, want) {
		t.Errorf("paged through %d ids, want the %d newest first exactly once", len(got), len(want))
	}
}

func TestTokens(t *testing.T) {
	h := newHandler(t)
	scoped := &auth.Claims{Subject: "u1", TokenType: auth.Scoped}
	service := &auth.Claims{Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}
	for _, route := range []struct{ method, path, body string }{
		{"GET", "/v1/me/notifications", ""},
		{"GET", "/v1/me/notifications/count", ""},
		{"POST", "/v1/me/notifications/acknowledge", `{"ids":["01JD0000000000000000000000"]}`},
	} {
		for _, c := range []*auth.Claims{scoped, service} {
			t.Run(string(c.TokenType)+" "+route.method+" "+route.path, func(t *testing.T) {
				apigwtest.WantProblem(t, do(t, h, apigwtest.Request(route.method, route.path, "", route.body, c, nil), nil), http.StatusForbidden, "")
			})
		}
	}
	body := `{"recipients":["u1"],"variant":"ANNOUNCEMENT","message":"hi","refs":[]}`
	for _, c := range []*auth.Claims{person("p"), {Subject: "svc", TokenType: auth.Service}} {
		apigwtest.WantProblem(t, do(t, h, apigwtest.Request("POST", "/v1/notifications", "", body, c, nil), nil), http.StatusForbidden, "")
	}
}

func TestBadInput(t *testing.T) {
	h := newHandler(t)
	u := person("u")
	manyIDs := make([]string, MaxAckIDs+1)
	for i := range manyIDs {
		manyIDs[i] = inbox.ID("e", fmt.Sprint(i), time.Now())
	}
	many, _ := json.Marshal(map[string]any{"ids": manyIDs})
	tests := []struct {
		name               string
		method, path, body string
		claims             *auth.Claims
		query              map[string]string
		field              string
	}{
		{"unknown state", "GET", "/v1/me/notifications", "", u, map[string]string{"state": "read"}, "state"},
		{"limit too small", "GET", "/v1/me/notifications", "", u, map[string]string{"limit": "0"}, "limit"},
		{"limit too large", "GET", "/v1/me/notifications", "", u, map[string]string{"limit": "101"}, "limit"},
		{"limit not a number", "GET", "/v1/me/notifications", "", u, map[string]string{"limit": "ten"}, "limit"},
		{"malformed cursor", "GET", "/v1/me/notifications", "", u, map[string]string{"cursor": "!!"}, "cursor"},
		{"unknown parameter", "GET", "/v1/me/notifications/count", "", u, map[string]string{"all": "1"}, "all"},
		{"no ids", "POST", "/v1/me/notifications/acknowledge", `{"ids":[]}`, u, nil, "ids"},
		{"missing ids", "POST", "/v1/me/notifications/acknowledge", `{}`, u, nil, "ids"},
		{"too many ids", "POST", "/v1/me/notifications/acknowledge", string(many), u, nil, "ids"},
		{"malformed id", "POST", "/v1/me/notifications/acknowledge", `{"ids":["01JD0000000000000000000000","nope"]}`, u, nil, "ids[1]"},
		{"id of the wrong type", "POST", "/v1/me/notifications/acknowledge", `{"ids":[1]}`, u, nil, "ids"},
		{"ids and all", "POST", "/v1/me/notifications/acknowledge", `{"ids":["01JD0000000000000000000000"],"all":true}`, u, nil, "all"},
		{"all and before", "POST", "/v1/me/notifications/acknowledge", `{"all":true,"before":"01JD0000000000000000000000"}`, u, nil, "before"},
		{"all false", "POST", "/v1/me/notifications/acknowledge", `{"all":false}`, u, nil, "all"},
		{"all not a bool", "POST", "/v1/me/notifications/acknowledge", `{"all":"yes"}`, u, nil, "all"},
		{"before not an id", "POST", "/v1/me/notifications/acknowledge", `{"before":"yesterday"}`, u, nil, "before"},
		{"before empty", "POST", "/v1/me/notifications/acknowledge", `{"before":""}`, u, nil, "before"},
		{"unknown field", "POST", "/v1/me/notifications/acknowledge", `{"every":true}`, u, nil, "every"},
		{"unknown variant in a list", "GET", "/v1/me/notifications", "", u, map[string]string{"variant": "PARTY"}, "variant"},
		{"unknown variant in a count", "GET", "/v1/me/notifications/count", "", u, map[string]string{"variant": "PARTY"}, "variant"},
		{"ref without a type", "GET", "/v1/me/notifications", "", u, map[string]string{"ref": "projects/p1"}, "ref"},
		{"ref of an unknown type", "GET", "/v1/me/notifications/count", "", u, map[string]string{"ref": "GROUP:g1"}, "ref"},
		{"ref without a value", "GET", "/v1/me/notifications/count", "", u, map[string]string{"ref": "RESOURCE:"}, "ref"},
		{"no recipients", "POST", "/v1/notifications", `{"recipients":[],"variant":"ANNOUNCEMENT","message":"m"}`, publisher, nil, "recipients"},
		{"empty recipient", "POST", "/v1/notifications", `{"recipients":["u1",""],"variant":"ANNOUNCEMENT","message":"m"}`, publisher, nil, "recipients[1]"},
		{"unknown variant", "POST", "/v1/notifications", `{"recipients":["u1"],"variant":"PARTY","message":"m"}`, publisher, nil, "variant"},
		{"no message", "POST", "/v1/notifications", `{"recipients":["u1"],"variant":"ANNOUNCEMENT"}`, publisher, nil, "message"},
		{"bad ref", "POST", "/v1/notifications", `{"recipients":["u1"],"variant":"ANNOUNCEMENT","message":"m","refs":[{"type":"GROUP","name":"g","value":"v"}]}`, publisher, nil, "refs[0].type"},
		{"oversized body", "POST", "/v1/notifications", `{"recipients":["` + strings.Repeat("u", MaxBodyBytes) + `"]}`, publisher, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, h, apigwtest.Request(tt.method, tt.path, "", tt.body, tt.claims, tt.query), nil)
			status := http.StatusBadRequest
			if tt.name == "oversized body" {
				status = http.StatusRequestEntityTooLarge
			}
			apigwtest.WantProblem(t, resp, status, tt.field)
		})
	}
	if c := count(t, h, u); c != 0 {
		t.Errorf("after the bad requests the count is %d, want 0", c)
	}
}
