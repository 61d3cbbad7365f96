package badinput

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/test/stacktest"
)

// badCase is one bad request and its documented answer.
type badCase struct {
	name string
	call stacktest.Call
	want stacktest.Want
}

// snapshot is what the owner and the intruder hold, and what the event stream holds, as
// text to compare.
type snapshot map[string]string

// takeSnapshot reads the world's state through the API and the stream's through NATS.
func takeSnapshot(t *testing.T, w *stacktest.World, js jetstream.JetStream) snapshot {
	t.Helper()
	s := snapshot{}
	for name, c := range map[string]stacktest.Call{
		"the owner's consumers":            {Method: "GET", Path: "/v1/consumers?limit=100", Token: w.Owner},
		"the owner's consumer":             {Method: "GET", Path: "/v1/consumers/" + w.Consumer, Token: w.Owner},
		"the owner's triggers":             {Method: "GET", Path: "/v1/triggers?limit=100", Token: w.Owner},
		"the owner's deliveries":           {Method: "GET", Path: "/v1/triggers/" + w.Trigger + "/deliveries?limit=100", Token: w.Owner},
		"the owner's notifications":        {Method: "GET", Path: "/v1/me/notifications?state=all&limit=100", Token: w.Owner},
		"the owner's unacknowledged count": {Method: "GET", Path: "/v1/me/notifications/count", Token: w.Owner},
		"the intruder's consumers":         {Method: "GET", Path: "/v1/consumers?limit=100", Token: w.Intruder},
		"the intruder's triggers":          {Method: "GET", Path: "/v1/triggers?limit=100", Token: w.Intruder},
		"the intruder's notifications":     {Method: "GET", Path: "/v1/me/notifications?state=all&limit=100", Token: w.Intruder},
	} {
		s[name] = string(w.AC.OK(t, c, http.StatusOK, nil).Body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, event.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s["the event stream"] = fmt.Sprintf("%d messages, last sequence %d, %d consumers", info.State.Msgs, info.State.LastSeq, info.State.Consumers)
	return s
}

// changes lists what differs between two snapshots.
func changes(before, after snapshot) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if before[k] != after[k] {
			out = append(out, fmt.Sprintf("%s:\n    before %s\n    after  %s", k, stacktest.Truncate(before[k], 400), stacktest.Truncate(after[k], 400)))
		}
	}
	return out
}

// badTokens are Authorization headers the authorizer must refuse, each for the owner
// (so that only the token's fault can explain a refusal).
func badTokens(t *testing.T) []struct{ name, authz string } {
	t.Helper()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		now := time.Now()
		c := jwt.MapClaims{"sub": stacktest.OwnerSub, "token_type": "personal", "perms": map[string]string{stacktest.ScopePath: "READ"},
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	b64 := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	owner := auth.Claims{Subject: stacktest.OwnerSub, TokenType: auth.Personal, Perms: map[string]auth.Level{stacktest.ScopePath: auth.Read}}
	expired, err := auth.Mint([]byte(localstack.DevSecret), owner, time.Hour, auth.WithIssuedAt(time.Now().Add(-2*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	future, err := auth.Mint([]byte(localstack.DevSecret), owner, time.Hour, auth.WithIssuedAt(time.Now().Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := auth.Mint([]byte("a-secret-that-is-not-the-stacks-secret!!"), owner, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The owner's genuine token with its grant raised to ADMIN and the signature kept.
	genuine := stacktest.MintToken(t, owner)
	parts := strings.Split(genuine, ".")
	tampered := parts[0] + "." + b64(claims(func(c jwt.MapClaims) {
		c["perms"] = map[string]string{"projects": "ADMIN"}
		c["roles"] = []string{"admin"}
	})) + "." + parts[2]
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	none := b64(map[string]string{"alg": "none", "typ": "JWT"}) + "." + b64(claims(nil)) + "."
	return []struct{ name, authz string }{
		{"expired token", "Bearer " + expired},
		{"token not valid yet", "Bearer " + future},
		{"forged signature", "Bearer " + forged},
		{"tampered claims", "Bearer " + tampered},
		{"alg none", "Bearer " + none},
		{"alg none, signed", "Bearer " + strings.TrimSuffix(none, ".") + "." + parts[2]},
		{"HS512 with the stack's secret", "Bearer " + sign(jwt.SigningMethodHS512, []byte(localstack.DevSecret), claims(nil))},
		{"RS256 with a key of its own", "Bearer " + sign(jwt.SigningMethodRS256, rsaKey, claims(nil))},
		{"unknown token_type", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["token_type"] = "root" }))},
		{"no expiry", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"invalid permission level", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["perms"] = map[string]string{stacktest.ScopePath: "GOD"} }))},
		// Registered claims of the wrong JSON type (RFC 7519: NumericDate is a number,
		// sub a string), signed with the stack's secret.
		{"exp a string", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["exp"] = "9999999999" }))},
		{"nbf a string", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["nbf"] = strconv.FormatInt(time.Now().Unix(), 10) }))},
		{"iat a string", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["iat"] = strconv.FormatInt(time.Now().Unix(), 10) }))},
		{"sub a number", "Bearer " + sign(jwt.SigningMethodHS256, []byte(localstack.DevSecret), claims(func(c jwt.MapClaims) { c["sub"] = 42 }))},
		{"not a JWT", "Bearer not-a-jwt"},
		{"Basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte(stacktest.OwnerSub+":password"))},
		{"oversized token", "Bearer " + genuine + strings.Repeat("A", 9<<10)},
	}
}

// badIDs are path ids that name nothing: anything but an existing ULID is a 404.
var badIDs = []struct{ name, id string }{
	{"not a ULID", "not-a-ulid"},
	{"lower-case ULID", "01hzzzzzzzzzzzzzzzzzzzzzzz"},
	{"25 characters", "0000000000000000000000000"},
	{"unknown ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV"},
	{"2000 characters", strings.Repeat("Z", 2000)},
	{"encoded slash", "a%2Fb"},
	{"encoded NUL and non-ASCII", "%00%C3%A9"},
	{"SQL", "%27%20OR%201%3D1--"},
}

// deep is a JSON value nested past encoding/json's limit of 10000.
var deep = strings.Repeat("[", 10001) + strings.Repeat("]", 10001)

// bodyFamily are malformed bodies of a JSON route: valid is a good body, max the route's
// size limit, unknown a good body with an unknown field named "bogus".
func bodyFamily(c stacktest.Call, valid string, max int, unknown string) []badCase {
	with := func(body string) stacktest.Call { cc := c; cc.Body = body; return cc }
	withRaw := func(raw []byte) stacktest.Call { cc := c; cc.Raw = raw; return cc }
	// A route whose limit is below the nesting depth refuses the size first.
	deepWant := stacktest.Want{Status: 400, Fields: []string{""}}
	if len(deep)+10 > max {
		deepWant = stacktest.Want{Status: 413, Fields: []string{""}}
	}
	cs := []badCase{
		{"malformed JSON", with(`{"a":`), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"truncated", with(valid[:len(valid)-1]), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"trailing data", with(valid + `{}`), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"empty body", withRaw([]byte{}), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"blank body", with("  \n "), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"an array", with(`[` + valid + `]`), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"a string", with(`"` + strings.ReplaceAll(valid, `"`, `\"`) + `"`), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"invalid UTF-8", withRaw([]byte(strings.Replace(valid, `"`, "\"\xff\xfe", 1))), stacktest.Want{Status: 400, Fields: []string{""}}},
		{"deep nesting", with(`{"bogus":` + deep + `}`), deepWant},
		{"oversized", with(valid + strings.Repeat(" ", max+1-len(valid))), stacktest.Want{Status: 413, Fields: []string{""}}},
		{"text/plain", func() stacktest.Call { c := with(valid); c.ContentType = "text/plain"; return c }(), stacktest.Want{Status: 415}},
		{"form", func() stacktest.Call { c := with("a=b"); c.ContentType = "application/x-www-form-urlencoded"; return c }(), stacktest.Want{Status: 415}},
	}
	if unknown != "" {
		cs = append(cs, badCase{"unknown field", with(unknown), stacktest.Want{Status: 400, Fields: []string{"bogus"}}})
	}
	return cs
}

// fieldCases builds badCases of one route from (name, body, field) triples; the field
// "-" names none.
func fieldCases(c stacktest.Call, status int, cases ...string) []badCase {
	var out []badCase
	for i := 0; i+2 < len(cases); i += 3 {
		cc := c
		cc.Body = cases[i+1]
		w := stacktest.Want{Status: status}
		if cases[i+2] != "-" {
			w.Fields = []string{cases[i+2]}
		}
		out = append(out, badCase{cases[i], cc, w})
	}
	return out
}

// tokenCases are the bad tokens on one route: API Gateway's 403, or, on the stream,
// which verifies tokens itself, 401 problem+json.
func tokenCases(c stacktest.Call, tokens []struct{ name, authz string }, stream bool) []badCase {
	w := stacktest.Want{Status: 403, Gateway: true}
	if stream {
		w = stacktest.Want{Status: 401}
	}
	var out []badCase
	for _, tok := range tokens {
		cc := c
		cc.Token, cc.Authz = "", tok.authz
		out = append(out, badCase{tok.name, cc, w})
	}
	return out
}

// idCases put each bad id in place of the route's {id} (or other path parameter).
func idCases(c stacktest.Call, param string) []badCase {
	var out []badCase
	for _, b := range badIDs {
		cc := c
		cc.Path = strings.Replace(c.Path, param, b.id, 1)
		out = append(out, badCase{param + " " + b.name, cc, stacktest.Want{Status: 404}})
	}
	return out
}

// queryCases are bad query parameters: unknown ones, and the route's own out of range.
func queryCases(c stacktest.Call, extra ...string) []badCase {
	out := []badCase{}
	add := func(query, field string) {
		cc := c
		sep := "?"
		if strings.Contains(cc.Path, "?") {
			sep = "&"
		}
		cc.Path += sep + query
		out = append(out, badCase{"query " + query, cc, stacktest.Want{Status: 400, Fields: []string{field}}})
	}
	add("bogus=1", "bogus")
	add("Limit=1", "Limit")
	for i := 0; i+1 < len(extra); i += 2 {
		add(extra[i], extra[i+1])
	}
	return out
}

// pageQueries are the bad paging parameters of a listing.
func pageQueries() []string {
	return []string{
		"limit=0", "limit",
		"limit=101", "limit",
		"limit=-1", "limit",
		"limit=ten", "limit",
		"limit=1.5", "limit",
		"limit=1&limit=2", "limit",
		"limit=99999999999999999999", "limit",
		"cursor=%21%21%21", "cursor",
		"cursor=e30", "cursor", // {} in base64url
		"cursor=" + strings.Repeat("A", 3000), "cursor",
	}
}

// TestBadInput starts a stack, makes one user's resources, and sends every route of
// template.yaml malformed, mistyped, oversized, deep, unknown, out-of-range and forged
// input: each gets the documented 4xx, naming the field where the design says so, and
// nothing the owner holds, nor the event stream, changes.
func TestBadInput(t *testing.T) {
	p := stacktest.Start(t)
	w := stacktest.NewWorld(t, p)
	js := stacktest.ConnectJetStream(t, p.Banner["NATS"])

	// Second items make the owner's listings page, for cursors to present elsewhere.
	w.SpareConsumer(t)
	w.SpareTrigger(t)
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/notifications", Token: w.Publisher,
		Body: `{"recipients":["` + stacktest.OwnerSub + `"],"variant":"ANNOUNCEMENT","message":"second"}`}, http.StatusCreated, nil)
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + w.Trigger + "/fire", Token: w.Owner,
		Body: `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/hooks/h9"}}}`}, http.StatusAccepted, nil)
	w.WaitDeliveries(t, w.Trigger, "succeeded", 2)
	cursor := func(path string) string {
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		w.AC.OK(t, stacktest.Call{Method: "GET", Path: path + "limit=1", Token: w.Owner}, http.StatusOK, &page)
		if page.NextCursor == "" {
			t.Fatalf("%s: no next page", path)
		}
		return page.NextCursor
	}
	consumersCursor := cursor("/v1/consumers?")
	triggersCursor := cursor("/v1/triggers?")
	notificationsCursor := cursor("/v1/me/notifications?state=all&")
	deliveriesCursor := cursor("/v1/triggers/" + w.Trigger + "/deliveries?")

	tokens := badTokens(t)
	matrix := badInputMatrix(t, w, tokens, map[string]string{
		"consumers": consumersCursor, "triggers": triggersCursor, "notifications": notificationsCursor, "deliveries": deliveriesCursor,
	})
	maps.Copy(matrix, adminBadInputCases(t, w, tokens, map[string]string{"consumers": consumersCursor, "triggers": triggersCursor}))
	for route, cases := range ticketBadInputCases(t, w, tokens) {
		matrix[route] = append(matrix[route], cases...)
	}
	var routes []string
	for _, r := range stacktest.TemplateRoutes(t) {
		routes = append(routes, r.String())
	}
	covered := map[string]bool{}
	for route := range matrix {
		covered[route] = true
	}
	stacktest.CheckCovers(t, "bad input", routes, covered)

	for _, route := range routes {
		t.Run(route, func(t *testing.T) {
			before := takeSnapshot(t, w, js)
			for _, c := range matrix[route] {
				t.Run(c.name, func(t *testing.T) {
					stacktest.Expect(t, c.call, w.AC.Do(t, c.call), c.want)
				})
			}
			if diff := changes(before, takeSnapshot(t, w, js)); len(diff) > 0 {
				t.Errorf("bad input changed state:\n  %s", strings.Join(diff, "\n  "))
			}
		})
	}
}

// badInputMatrix returns the bad requests of every route.
func badInputMatrix(t *testing.T, w *stacktest.World, tokens []struct{ name, authz string }, cursors map[string]string) map[string][]badCase {
	m := map[string][]badCase{}
	add := func(route string, cs ...[]badCase) {
		for _, c := range cs {
			m[route] = append(m[route], c...)
		}
	}
	get := func(path, token string) stacktest.Call {
		return stacktest.Call{Method: "GET", Path: path, Token: token}
	}
	post := func(path, token string) stacktest.Call {
		return stacktest.Call{Method: "POST", Path: path, Token: token}
	}
	ok := func(status int) stacktest.Want { return stacktest.Want{Status: status} }

	// Health takes no token and ignores its query: none of it matters.
	add("GET /v1/health",
		[]badCase{
			{"query bogus=1", get("/v1/health?bogus=1&limit=-1", ""), ok(200)},
			{"a forged token", stacktest.Call{Method: "GET", Path: "/v1/health", Authz: tokens[2].authz}, ok(200)},
			{"an oversized token", stacktest.Call{Method: "GET", Path: "/v1/health", Authz: tokens[len(tokens)-1].authz}, ok(200)},
		})

	// Publishing.
	events := post("/v1/events", w.Publisher)
	ev := `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/items/bad","after":{"title":"bad"}}}`
	job := func(data string) string {
		return `{"event":"job.JobFinished","resource":{"type":"job","id":"j1","path":"` + stacktest.ScopePath + `/jobs/j1"},"data":` + data + `}`
	}
	evWith := func(field string) string { return strings.TrimSuffix(ev, "}") + "," + field + "}" }
	batchOf := func(n int) string {
		return `{"events":[` + strings.TrimSuffix(strings.Repeat(ev+",", n), ",") + `]}`
	}
	add("POST /v1/events",
		tokenCases(events, tokens, false),
		queryCases(events, "mode=later", "mode"),
		bodyFamily(events, ev, 6_000_000, `{"events":[`+ev+`],"bogus":1}`),
		fieldCases(events, 400,
			"event type without a domain", `{"event":"nodot","resource":{"type":"x","path":"p"}}`, "event",
			"event type of three tokens", `{"event":"a.b.c","resource":{"type":"x","path":"p"}}`, "event",
			"event not a string", `{"event":1,"resource":{"type":"x","path":"p"}}`, "event",
			"resource not an object", `{"event":"resource.ResourceCreated","resource":"projects/p"}`, "resource",
			"no resource", `{"event":"resource.ResourceCreated"}`, "resource",
			"empty path segment", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"projects//p"}}`, "resource.path",
			"dot-dot path", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"projects/../etc"}}`, "resource.path",
			"17 path segments", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"`+strings.TrimSuffix(strings.Repeat("a/", 17), "/")+`"}}`, "resource.path",
			"uuid not a uuid", evWith(`"uuid":"not-a-uuid"`), "uuid",
			"timestamp not RFC 3339", evWith(`"timestamp":"yesterday"`), "timestamp",
			"recipients not an array", evWith(`"recipients":"u1"`), "recipients",
			"1001 recipients", evWith(`"recipients":[`+strings.TrimSuffix(strings.Repeat(`"u",`, 1001), ",")+`]`), "recipients",
			"empty batch", `{"events":[]}`, "events",
			"101 events", batchOf(101), "events",
			"one invalid event in a batch", `{"events":[`+ev+`,{"event":"resource.ResourceCreated","resource":{"type":"x","path":"a//b"}}]}`, "events[1].resource.path",
			"events not an array", `{"events":{}}`, "events",
			"an event without what its contract requires", job(`{"jobType":"TRANSCODE"}`), "data.state",
			"an event of a state its contract refuses", job(`{"jobType":"TRANSCODE","state":"RUNNING"}`), "data.state",
			"a member of the wrong type in an event's data", job(`{"jobType":["TRANSCODE"],"state":"FINISHED"}`), "data.jobType",
			"a resource member its contract requires", `{"event":"resource.ResourceUpdated","resource":{"type":"x","path":"p","after":{}}}`, "resource.before",
			"an event that breaks its contract in a batch", `{"events":[`+ev+`,`+job(`{"state":"FINISHED"}`)+`]}`, "events[1].data.jobType",
			"deep nesting in data", `{"event":"resource.ResourceCreated","resource":{"type":"x","path":"p"},"data":{"x":`+deep+`}}`, "-",
		),
		[]badCase{
			{"event over 240 KiB", stacktest.Call{Method: "POST", Path: "/v1/events", Token: w.Publisher,
				Body: evWith(`"data":{"blob":"` + strings.Repeat("x", event.MaxSize) + `"}`)}, stacktest.Want{Status: 413}},
			{"a batch in sync mode", stacktest.Call{Method: "POST", Path: "/v1/events?mode=sync", Token: w.Publisher, Body: batchOf(2)}, stacktest.Want{Status: 400, Fields: []string{"mode"}}},
		})

	add("GET /v1/catalog",
		tokenCases(get("/v1/catalog", w.Owner), tokens, false),
		// The catalog ignores its query.
		[]badCase{{"query bogus=1", get("/v1/catalog?bogus=1", w.Owner), ok(200)}})
	add("GET /v1/catalog/{type}",
		tokenCases(get("/v1/catalog/job.JobFinished", w.Owner), tokens, false),
		idCases(get("/v1/catalog/{type}", w.Owner), "{type}"),
		[]badCase{
			{"query bogus=1", get("/v1/catalog/job.JobFinished?bogus=1", w.Owner), ok(200)},
			{"a misspelt type", get("/v1/catalog/job.JobFinishd", w.Owner), stacktest.Want{Status: 404}},
			{"a domain alone", get("/v1/catalog/job", w.Owner), stacktest.Want{Status: 404}},
			{"a pattern", get("/v1/catalog/job.*", w.Owner), stacktest.Want{Status: 404}},
		})

	// Consumers.
	cons := post("/v1/consumers", w.Owner)
	spec := `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `","include_subresources":true}]}}`
	specWith := func(field string) string { return strings.TrimSuffix(spec, "}") + "," + field + "}" }
	resources := func(n int) string {
		return `{"target":{"resources":[` + strings.TrimSuffix(strings.Repeat(`{"path":"`+stacktest.ScopePath+`"},`, n), ",") + `]}}`
	}
	eventTypes := func(n int) string {
		var ts []string
		for i := range n {
			ts = append(ts, fmt.Sprintf(`"d%d.*"`, i))
		}
		return specWith(`"event_types":[` + strings.Join(ts, ",") + `]`)
	}
	add("POST /v1/consumers",
		tokenCases(cons, tokens, false),
		queryCases(cons),
		bodyFamily(cons, spec, 256*1024, specWith(`"bogus":1`)),
		fieldCases(cons, 400,
			"no target", `{}`, "target",
			"empty target", `{"target":{}}`, "target",
			"two targets", `{"target":{"announcements":true,"resources":[{"path":"`+stacktest.ScopePath+`"}]}}`, "target",
			"empty resources", `{"target":{"resources":[]}}`, "target.resources",
			"101 resources", resources(101), "target.resources",
			"resources not an array", `{"target":{"resources":"`+stacktest.ScopePath+`"}}`, "target.resources",
			"include_subresources a string", `{"target":{"resources":[{"path":"`+stacktest.ScopePath+`","include_subresources":"yes"}]}}`, "target.resources.include_subresources",
			"unknown field in a resource", `{"target":{"resources":[{"path":"`+stacktest.ScopePath+`","bogus":1}]}}`, "target.resources.bogus",
			"dot-dot path", `{"target":{"resources":[{"path":"projects/../etc"}]}}`, "target.resources[0].path",
			"wildcard path", `{"target":{"resources":[{"path":"projects/*"}]}}`, "target.resources[0].path",
			"user with a slash", `{"target":{"user":"a/b"}}`, "target.user",
			"event type without a dot", specWith(`"event_types":["nodot"]`), "event_types[0]",
			"event type with a subject wildcard", specWith(`"event_types":["resource.>"]`), "event_types[0]",
			"51 event types", eventTypes(51), "event_types",
			"event_types not an array", specWith(`"event_types":"resource.*"`), "event_types",
			"unknown deliver_policy", specWith(`"deliver_policy":"sometimes"`), "deliver_policy",
			"by_start_time without start_time", specWith(`"deliver_policy":"by_start_time"`), "start_time",
			"start_time not RFC 3339", specWith(`"deliver_policy":"by_start_time","start_time":"yesterday"`), "start_time",
			"start_sequence without its policy", specWith(`"start_sequence":5`), "start_sequence",
			"ack_wait_ms too small", specWith(`"ack_wait_ms":999`), "ack_wait_ms",
			"ack_wait_ms a string", specWith(`"ack_wait_ms":"30s"`), "ack_wait_ms",
			"ack_wait_ms a fraction", specWith(`"ack_wait_ms":1000.5`), "ack_wait_ms",
			"ack_wait_ms past int64", specWith(`"ack_wait_ms":1e30`), "ack_wait_ms",
			"max_deliver 0", specWith(`"max_deliver":0`), "max_deliver",
			"idle_expiry forever", specWith(`"idle_expiry":"forever"`), "idle_expiry",
			"idle_expiry too short", specWith(`"idle_expiry":"1s"`), "idle_expiry",
			"event type with a star in its domain", specWith(`"event_types":["res*.ResourceCreated"]`), "event_types[0]",
			"last with a start time", specWith(`"deliver_policy":"last","start_time":"2026-11-22T18:00:00Z"`), "start_time",
			"back_off entry not a duration", specWith(`"back_off":["1s","soon"]`), "back_off[1]",
			"back_off entry too short", specWith(`"back_off":["500ms"]`), "back_off[0]",
			"back_off entry too long", specWith(`"back_off":["1s","13h"]`), "back_off[1]",
			"back_off longer than max_deliver", specWith(`"back_off":["1s","2s","3s"],"max_deliver":2`), "back_off",
			"21 back_off entries", specWith(`"back_off":[`+strings.TrimSuffix(strings.Repeat(`"1s",`, 21), ",")+`]`), "back_off",
			"back_off not an array", specWith(`"back_off":"1s"`), "back_off",
			"max_ack_pending 0", specWith(`"max_ack_pending":0`), "max_ack_pending",
			"max_ack_pending too many", specWith(`"max_ack_pending":100001`), "max_ack_pending",
			"max_ack_pending a string", specWith(`"max_ack_pending":"10"`), "max_ack_pending",
			"filter not an object", specWith(`"filter":["a"]`), "filter",
			"filter with a bad regex", specWith(`"filter":{"data.metadata.title":{"regex":"("}}`), "filter.data.metadata.title.regex",
			"filter with an unknown operator", specWith(`"filter":{"data.x":{"like":"a"}}`), "filter.data.x.like",
			"filter with too many keys", specWith(`"filter":{`+filterKeys(33)+`}`), "filter.data.k9", // the 33rd key in order
		))

	add("GET /v1/consumers",
		tokenCases(get("/v1/consumers", w.Owner), tokens, false),
		queryCases(get("/v1/consumers", w.Owner), pageQueries()...),
		// The owner's own cursor, presented by someone else, starts nobody's listing.
		[]badCase{{"the owner's cursor for another user", get("/v1/consumers?cursor="+url.QueryEscape(cursors["consumers"]), w.Intruder), stacktest.Want{Status: 400, Fields: []string{"cursor"}}},
			// Keys of the same shape, from another listing of the same owner.
			{"the owner's triggers cursor", get("/v1/consumers?cursor="+url.QueryEscape(cursors["triggers"]), w.Owner), stacktest.Want{Status: 400, Fields: []string{"cursor"}}}})

	consumerPath := "/v1/consumers/" + w.Consumer
	for _, method := range []string{"GET", "DELETE"} {
		c := stacktest.Call{Method: method, Path: consumerPath, Token: w.Owner}
		add(method+" /v1/consumers/{id}",
			tokenCases(c, tokens, false),
			queryCases(c),
			idCases(c, w.Consumer))
	}
	update := stacktest.Call{Method: "PUT", Path: consumerPath, Token: w.Owner, Body: `{"ack_wait_ms":30000}`}
	add("PUT /v1/consumers/{id}",
		tokenCases(update, tokens, false),
		queryCases(update),
		idCases(update, w.Consumer),
		bodyFamily(update, `{"ack_wait_ms":30000}`, 256*1024, `{"ack_wait_ms":30000,"bogus":1}`),
		fieldCases(update, 400,
			"change the target", `{"target":{"all":true}}`, "target",
			"change the deliver policy", `{"deliver_policy":"new"}`, "deliver_policy",
			"change the start time", `{"start_time":"2026-11-22T18:00:00Z"}`, "start_time",
			"change the start sequence", `{"start_sequence":1}`, "start_sequence",
			"change a read-only member", `{"filter_subjects":[">"]}`, "filter_subjects",
			"event type with a star in its domain", `{"event_types":["*.ResourceCreated"]}`, "event_types[0]",
			"event_types not an array", `{"event_types":"resource.*"}`, "event_types",
			"ack_wait_ms too small", `{"ack_wait_ms":999}`, "ack_wait_ms",
			"ack_wait_ms a string", `{"ack_wait_ms":"2s"}`, "ack_wait_ms",
			"max_deliver 0", `{"max_deliver":0}`, "max_deliver",
			"back_off entry not a duration", `{"back_off":["1s","soon"]}`, "back_off[1]",
			"back_off longer than max_deliver", `{"back_off":["1s","2s"],"max_deliver":1}`, "back_off",
			"back_off not an array", `{"back_off":"1s"}`, "back_off",
			"max_ack_pending 0", `{"max_ack_pending":0}`, "max_ack_pending",
			"idle_expiry forever", `{"idle_expiry":"forever"}`, "idle_expiry",
			"filter with a bad regex", `{"filter":{"data.metadata.title":{"regex":"("}}}`, "filter.data.metadata.title.regex",
			"filter not an object", `{"filter":"Final*"}`, "filter",
		))
	pause := stacktest.Call{Method: "POST", Path: consumerPath + "/pause", Token: w.Owner, Body: `{"until":"2099-01-01T00:00:00Z"}`}
	var pauseBodies []badCase
	for _, c := range bodyFamily(pause, `{"until":"2099-01-01T00:00:00Z"}`, 1024, `{"until":"2099-01-01T00:00:00Z","bogus":1}`) {
		// The body is optional: none at all pauses until a resume, which is no bad input.
		if c.name != "empty body" && c.name != "blank body" {
			pauseBodies = append(pauseBodies, c)
		}
	}
	add("POST /v1/consumers/{id}/pause",
		tokenCases(pause, tokens, false),
		queryCases(pause),
		idCases(pause, w.Consumer),
		pauseBodies,
		fieldCases(pause, 400,
			"until in the past", `{"until":"2001-01-01T00:00:00Z"}`, "until",
			"until beyond 100 years", `{"until":"2999-01-01T00:00:00Z"}`, "until",
			"until not RFC 3339", `{"until":"tomorrow"}`, "until",
			"until a number", `{"until":1767225600}`, "until",
		))
	resume := post(consumerPath+"/resume", w.Owner)
	add("POST /v1/consumers/{id}/resume",
		tokenCases(resume, tokens, false),
		queryCases(resume),
		idCases(resume, w.Consumer))
	batch := get(consumerPath+"/batch", w.Owner)
	add("GET /v1/consumers/{id}/batch",
		tokenCases(batch, tokens, false),
		queryCases(batch,
			"batch_size=0", "batch_size", "batch_size=1001", "batch_size", "batch_size=ten", "batch_size",
			"batch_size=-5", "batch_size", "wait_ms=-1", "wait_ms", "wait_ms=20001", "wait_ms", "wait_ms=1e3", "wait_ms"),
		idCases(batch, w.Consumer))
	stream := get(consumerPath+"/stream", w.Owner)
	add("GET /v1/consumers/{id}/stream",
		tokenCases(stream, tokens, true),
		idCases(stream, w.Consumer))

	// Acknowledgements: the replies are the credential.
	ack := post("/v1/acknowledge", "")
	good := stacktest.AckBody("ack", w.Reply)
	r := w.Reply
	tamper := func(f func(*reply.Reply)) reply.Reply { c := r; f(&c); return c }
	info, err := reply.ParseAckSubject(r.Reply)
	if err != nil {
		t.Fatal(err)
	}
	otherSeq := strings.Replace(r.Reply, fmt.Sprintf(".%d.%d.", info.StreamSeq, info.ConsumerSeq), fmt.Sprintf(".%d.%d.", info.StreamSeq+1, info.ConsumerSeq+1), 1)
	if otherSeq == r.Reply {
		t.Fatalf("cannot find the sequences in %s", r.Reply)
	}
	replies := func(n int) string {
		rs := make([]reply.Reply, n)
		for i := range rs {
			rs[i] = r
		}
		return stacktest.AckBody("ack", rs...)
	}
	add("POST /v1/acknowledge",
		queryCases(ack),
		bodyFamily(ack, good, 2_000_000, strings.TrimSuffix(good, "}")+`,"bogus":1}`),
		fieldCases(ack, 400,
			"forged signature", stacktest.AckBody("ack", stacktest.FlipHMAC(t, r)), "replies[0]",
			"another message's subject", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Reply = otherSeq })), "replies[0]",
			"another consumer's subject", stacktest.AckBody("ack", stacktest.WithConsumer(t, r, w.IntruderConsumer)), "replies[0]",
			"another salt", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Salt = "AAAAAAAAAAAAAAAAAAAAAA" })), "replies[0]",
			"short salt", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Salt = "AAAA" })), "replies[0]",
			"hmac not base64", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.HMAC = "!!!" })), "replies[0]",
			"hmac of another length", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.HMAC = c.HMAC + "AAAA" })), "replies[0]",
			"unknown key_id", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.KeyID = "k9" })), "replies[0]",
			"not an ack subject", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Reply = "herald.events.x" })), "replies[0]",
			"a wildcard subject", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Reply = "$JS.ACK.>" })), "replies[0]",
			"a line break in the subject", stacktest.AckBody("ack", tamper(func(c *reply.Reply) { c.Reply += "\n" })), "replies[0]",
			"a genuine reply after a forged one", stacktest.AckBody("ack", stacktest.FlipHMAC(t, r), r), "replies[0]",
			"a genuine reply and another consumer's", stacktest.AckBody("ack", r, w.IntruderReply), "replies[1]",
			"no replies", `{"replies":[],"action":"ack"}`, "replies",
			"replies not an array", `{"replies":"x","action":"ack"}`, "replies",
			"1001 replies", replies(1001), "replies",
			"reply not an object", `{"replies":["x"],"action":"ack"}`, "replies",
			"no action", strings.Replace(good, `"action":"ack"`, `"action":""`, 1), "action",
			"unknown action", strings.Replace(good, `"action":"ack"`, `"action":"delete"`, 1), "action",
			"negative delay", strings.Replace(good, `"action":"ack"`, `"action":"nak","delay_ms":-1`, 1), "delay_ms",
			"delay past 12h", strings.Replace(good, `"action":"ack"`, `"action":"nak","delay_ms":43200001`, 1), "delay_ms",
			"delay past int64", strings.Replace(good, `"action":"ack"`, `"action":"nak","delay_ms":1e30`, 1), "delay_ms",
			"delay with ack", strings.Replace(good, `"action":"ack"`, `"action":"ack","delay_ms":5`, 1), "delay_ms",
		))

	// Personal notifications.
	filterQueries := []string{
		"variant=NEWS", "variant",
		"variant=announcement", "variant",
		"variant=", "variant",
		"ref=projects%2Fp1", "ref",
		"ref=GROUP%3Ag1", "ref",
		"ref=RESOURCE%3A", "ref",
		"ref=RESOURCE%3A" + strings.Repeat("p", 513), "ref",
	}
	add("GET /v1/me/notifications",
		tokenCases(get("/v1/me/notifications", w.Owner), tokens, false),
		queryCases(get("/v1/me/notifications", w.Owner), append(append(pageQueries(), "state=read", "state", "state=ALL", "state"), filterQueries...)...),
		[]badCase{{"the owner's cursor for another user", get("/v1/me/notifications?state=all&cursor="+url.QueryEscape(cursors["notifications"]), w.Intruder), stacktest.Want{Status: 400, Fields: []string{"cursor"}}}})
	add("GET /v1/me/notifications/count",
		tokenCases(get("/v1/me/notifications/count", w.Owner), tokens, false),
		queryCases(get("/v1/me/notifications/count", w.Owner), append([]string{"state=all", "state"}, filterQueries...)...))
	meAck := post("/v1/me/notifications/acknowledge", w.Owner)
	ids := func(n int) string {
		return `{"ids":[` + strings.TrimSuffix(strings.Repeat(`"`+w.Notification+`",`, n), ",") + `]}`
	}
	add("POST /v1/me/notifications/acknowledge",
		tokenCases(meAck, tokens, false),
		queryCases(meAck),
		bodyFamily(meAck, ids(1), 512*1024, `{"ids":["`+w.Notification+`"],"bogus":1}`),
		fieldCases(meAck, 400,
			"no ids", `{}`, "ids",
			"empty ids", `{"ids":[]}`, "ids",
			"101 ids", ids(101), "ids",
			"ids not an array", `{"ids":"`+w.Notification+`"}`, "ids",
			"an id not a ULID", `{"ids":["`+w.Notification+`","x"]}`, "ids[1]",
			"an id a number", `{"ids":[1]}`, "ids",
			"all false", `{"all":false}`, "all",
			"all a string", `{"all":"true"}`, "all",
			"before not an id", `{"before":"yesterday"}`, "before",
			"before empty", `{"before":""}`, "before",
			"before a number", `{"before":1}`, "before",
			"ids and all", `{"ids":["`+w.Notification+`"],"all":true}`, "all",
			"all and before", `{"all":true,"before":"`+w.Notification+`"}`, "before",
		))
	inboxStream := get("/v1/me/notifications/stream", w.Owner)
	withHeader := func(c stacktest.Call, k, v string) stacktest.Call { c.Header = map[string]string{k: v}; return c }
	add("GET /v1/me/notifications/stream",
		tokenCases(inboxStream, tokens, true),
		queryCases(inboxStream, "user="+stacktest.IntruderSub, "user"),
		[]badCase{
			{"Last-Event-ID not an id", withHeader(inboxStream, "Last-Event-ID", "42"), stacktest.Want{Status: 400, Fields: []string{"Last-Event-ID"}}},
			{"Last-Event-ID in lower case", withHeader(inboxStream, "Last-Event-ID", strings.ToLower(w.Notification)), stacktest.Want{Status: 400, Fields: []string{"Last-Event-ID"}}},
		})
	notif := post("/v1/notifications", w.Publisher)
	nbody := `{"recipients":["` + stacktest.OwnerSub + `"],"variant":"ANNOUNCEMENT","message":"bad"}`
	nWith := func(old, new string) string { return strings.Replace(nbody, old, new, 1) }
	add("POST /v1/notifications",
		tokenCases(notif, tokens, false),
		queryCases(notif),
		bodyFamily(notif, nbody, 512*1024, strings.TrimSuffix(nbody, "}")+`,"bogus":1}`),
		fieldCases(notif, 400,
			"no recipients", nWith(`"recipients":["`+stacktest.OwnerSub+`"],`, ``), "recipients",
			"empty recipients", nWith(`["`+stacktest.OwnerSub+`"]`, `[]`), "recipients",
			"1001 recipients", nWith(`["`+stacktest.OwnerSub+`"]`, `[`+strings.TrimSuffix(strings.Repeat(`"u",`, 1001), ",")+`]`), "recipients",
			"empty recipient", nWith(`["`+stacktest.OwnerSub+`"]`, `["`+stacktest.OwnerSub+`",""]`), "recipients[1]",
			"recipient of 257 bytes", nWith(`["`+stacktest.OwnerSub+`"]`, `["`+strings.Repeat("u", 257)+`"]`), "recipients[0]",
			"recipients a string", nWith(`["`+stacktest.OwnerSub+`"]`, `"`+stacktest.OwnerSub+`"`), "recipients",
			"unknown variant", nWith(`ANNOUNCEMENT`, `SPAM`), "variant",
			"variant a number", nWith(`"ANNOUNCEMENT"`, `7`), "variant",
			"empty message", nWith(`"bad"`, `""`), "message",
			"message of 2001 characters", nWith(`"bad"`, `"`+strings.Repeat("m", 2001)+`"`), "message",
			"21 refs", strings.TrimSuffix(nbody, "}")+`,"refs":[`+strings.TrimSuffix(strings.Repeat(`{"type":"USER","name":"actor","value":"u"},`, 21), ",")+`]}`, "refs",
			"unknown ref type", strings.TrimSuffix(nbody, "}")+`,"refs":[{"type":"GROUP","name":"actor","value":"u"}]}`, "refs[0].type",
		))

	// Triggers.
	trig := post("/v1/triggers", w.Owner)
	tspec := w.TriggerSpec
	tWith := func(field string) string { return strings.TrimSuffix(tspec, "}") + "," + field + "}" }
	tReplace := func(old, new string) string { return strings.Replace(tspec, old, new, 1) }
	filter := func(f string) string { return tWith(`"filter":` + f) }
	many := func(n int, item func(i int) string) string {
		var parts []string
		for i := range n {
			parts = append(parts, item(i))
		}
		return strings.Join(parts, ",")
	}
	specCases := func(c stacktest.Call) []badCase {
		// Without a resource a trigger spans every path: well-formed, but the owner's
		// authority does not reach that far, so it is refused as a permission is.
		noResource := fieldCases(c, 403,
			"no resource", tReplace(`"resource":{"path":"`+stacktest.ScopePath+`/hooks","include_subresources":true},`, ``), "resource.path",
		)
		return append(noResource, fieldCases(c, 400,
			"empty name", tReplace(`"name":"hooks"`, `"name":""`), "name",
			"name of 129 bytes", tReplace(`"name":"hooks"`, `"name":"`+strings.Repeat("n", 129)+`"`), "name",
			"name a number", tReplace(`"name":"hooks"`, `"name":7`), "name",
			"the root spelled as a path", tReplace(stacktest.ScopePath+`/hooks`, `/`), "resource.path",
			"dot-dot resource path", tReplace(stacktest.ScopePath+`/hooks`, `projects/../hooks`), "resource.path",
			"resource type with a space", tReplace(`"include_subresources":true`, `"include_subresources":true,"type":"a b"`), "resource.type",
			"event without a dot", tReplace(`["resource.*"]`, `["nodot"]`), "events[0]",
			"event with a subject wildcard", tReplace(`["resource.*"]`, `["resource.>"]`), "events[0]",
			"51 events", tReplace(`["resource.*"]`, `[`+many(51, func(i int) string { return fmt.Sprintf(`"d%d.*"`, i) })+`]`), "events",
			"events a string", tReplace(`["resource.*"]`, `"resource.*"`), "events",
			"no action", tReplace(`"action":{"type":"http","url":"`+w.Hook.URL+`/hook"},`, ``), "action",
			"unknown action type", tReplace(`"type":"http"`, `"type":"ftp"`), "action.type",
			"http action without a url", tReplace(`"url":"`+w.Hook.URL+`/hook"`, `"url":""`), "action.url",
			"action of 65 KiB", tReplace(`"type":"http",`, `"type":"http","headers":{"x":"`+strings.Repeat("h", 65<<10)+`"},`), "action",
			"a secret that is no secret", tReplace(`"type":"http",`, `"type":"http","secret":"whsec_c2hvcnQ=",`), "action.secret",
			"unknown mode", tWith(`"mode":"later"`), "mode",
			"retry step too short", tReplace(`["1s"]`, `["1ms"]`), "retry.schedule[0]",
			"retry step too long", tReplace(`["1s"]`, `["13h"]`), "retry.schedule[0]",
			"retry step not a duration", tReplace(`["1s"]`, `["soon"]`), "retry.schedule[0]",
			"21 retry steps", tReplace(`["1s"]`, `[`+strings.TrimSuffix(strings.Repeat(`"1s",`, 21), ",")+`]`), "retry.schedule",
			"empty retry schedule", tReplace(`["1s"]`, `[]`), "retry.schedule",
			"unknown field in retry", tReplace(`{"schedule":["1s"]}`, `{"schedule":["1s"],"bogus":1}`), "retry.bogus",
			"enabled a string", tWith(`"enabled":"yes"`), "enabled",
			// Filters.
			"filter not an object", filter(`[1]`), "filter",
			"bad regex", filter(`{"data.title":{"regex":"(unclosed"}}`), "filter.data.title.regex",
			"regex of 513 bytes", filter(`{"data.title":{"regex":"`+strings.Repeat("a", 513)+`"}}`), "filter.data.title.regex",
			"regex not a string", filter(`{"data.title":{"regex":5}}`), "filter.data.title.regex",
			"unknown operator", filter(`{"data.title":{"like":"x"}}`), "filter.data.title.like",
			"two operators", filter(`{"data.title":{"prefix":"a","suffix":"b"}}`), "filter.data.title",
			"unknown $ key", filter(`{"$and":[{"a":1},{"b":2}]}`), "filter.$and",
			"$or of one", filter(`{"$or":[{"a":1}]}`), "filter.$or",
			"$or not an array", filter(`{"$or":{"a":1}}`), "filter.$or",
			"empty any-of", filter(`{"data.kind":[]}`), "filter.data.kind",
			"nested arrays", filter(`{"data.kind":[["a"]]}`), "filter.data.kind[0]",
			"empty path segment", filter(`{"data..kind":"a"}`), "filter.data..kind",
			"bad numeric", filter(`{"data.size":{"numeric":[">"]}}`), "filter.data.size.numeric",
			"bad cidr", filter(`{"source":{"cidr":"10.0.0.0/99"}}`), "filter.source.cidr",
			"exists a string", filter(`{"data.x":{"exists":"yes"}}`), "filter.data.x.exists",
			"17 stars", filter(`{"data.x":"`+strings.Repeat("*a", 17)+`"}`), "filter.data.x",
			"33 keys", filter(`{`+many(33, func(i int) string { return fmt.Sprintf(`"data.k%02d":1`, i) })+`}`), "filter.data.k32",
			"257 values", filter(`{"data.k":[`+many(257, func(i int) string { return fmt.Sprint(i) })+`]}`), "filter.data.k[256]",
			"deep filter", filter(`{"data.k":`+deep+`}`), "",
		)...)
	}
	add("POST /v1/triggers",
		tokenCases(trig, tokens, false),
		queryCases(trig),
		bodyFamily(trig, tspec, 256*1024, tWith(`"bogus":1`)),
		specCases(trig),
		actionSpecCases(trig, stacktest.ScopePath, w.Hook.URL+"/hook"))
	add("GET /v1/triggers",
		tokenCases(get("/v1/triggers", w.Owner), tokens, false),
		queryCases(get("/v1/triggers", w.Owner), pageQueries()...),
		[]badCase{{"the owner's cursor for another user", get("/v1/triggers?cursor="+url.QueryEscape(cursors["triggers"]), w.Intruder), stacktest.Want{Status: 400, Fields: []string{"cursor"}}},
			{"the owner's consumers cursor", get("/v1/triggers?cursor="+url.QueryEscape(cursors["consumers"]), w.Owner), stacktest.Want{Status: 400, Fields: []string{"cursor"}}}})

	triggerPath := "/v1/triggers/" + w.Trigger
	for _, method := range []string{"GET", "DELETE"} {
		c := stacktest.Call{Method: method, Path: triggerPath, Token: w.Owner}
		add(method+" /v1/triggers/{id}", tokenCases(c, tokens, false), queryCases(c), idCases(c, w.Trigger))
	}
	put := stacktest.Call{Method: "PUT", Path: triggerPath, Token: w.Owner, Body: tspec}
	add("PUT /v1/triggers/{id}",
		tokenCases(put, tokens, false),
		queryCases(put),
		idCases(put, w.Trigger),
		bodyFamily(stacktest.Call{Method: "PUT", Path: triggerPath, Token: w.Owner}, tspec, 256*1024, tWith(`"bogus":1`)),
		specCases(stacktest.Call{Method: "PUT", Path: triggerPath, Token: w.Owner}),
		actionSpecCases(stacktest.Call{Method: "PUT", Path: triggerPath, Token: w.Owner}, stacktest.ScopePath, w.Hook.URL+"/hook"))

	evBody := `{"event":` + ev + `}`
	for _, name := range []string{"test", "fire"} {
		c := post(triggerPath+"/"+name, w.Owner)
		withBody := c
		withBody.Body = evBody
		add("POST /v1/triggers/{id}/"+name,
			tokenCases(withBody, tokens, false),
			queryCases(withBody),
			idCases(withBody, w.Trigger),
			bodyFamily(c, evBody, event.MaxSize+1024, `{"event":`+ev+`,"bogus":1}`),
			fieldCases(c, 400,
				"no event", `{}`, "event",
				"event null", `{"event":null}`, "event",
				"event a string", `{"event":"resource.ResourceCreated"}`, "event",
				"event type without a dot", `{"event":{"event":"nodot","resource":{"type":"x","path":"p"}}}`, "event.event",
				"dot-dot path", `{"event":{"event":"resource.ResourceCreated","resource":{"type":"x","path":"a/../b"}}}`, "event.resource.path",
				"uuid not a uuid", `{"event":`+evWith(`"uuid":"nope"`)+`}`, "event.uuid",
				"1001 recipients", `{"event":`+evWith(`"recipients":[`+strings.TrimSuffix(strings.Repeat(`"u",`, 1001), ",")+`]`)+`}`, "event.recipients",
			),
			[]badCase{{"event over 240 KiB", stacktest.Call{Method: "POST", Path: triggerPath + "/" + name, Token: w.Owner,
				Body: `{"event":` + evWith(`"data":{"blob":"`+strings.Repeat("x", event.MaxSize)+`"}`) + `}`}, stacktest.Want{Status: 413}}})
	}

	// Fire runs the action with the trigger's authority: only over the trigger's scope
	// (scopePath/hooks and below, any type).
	fire := post(triggerPath+"/fire", w.Owner)
	add("POST /v1/triggers/{id}/fire", fieldCases(fire, 400,
		"an event outside the scope", `{"event":`+ev+`}`, "event.resource.path",
		"an event beside the scope", `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"`+stacktest.ScopePath+`/hooks2/h1"}}}`, "event.resource.path",
		"an event above the scope", `{"event":{"event":"resource.ResourceUpdated","resource":{"type":"project","path":"`+stacktest.ScopePath+`"}}}`, "event.resource.path",
	))

	enable := post(triggerPath+"/enable", w.Owner)
	add("POST /v1/triggers/{id}/enable", tokenCases(enable, tokens, false), queryCases(enable), idCases(enable, w.Trigger))

	deliveries := get(triggerPath+"/deliveries", w.Owner)
	add("GET /v1/triggers/{id}/deliveries",
		tokenCases(deliveries, tokens, false),
		queryCases(deliveries, append(pageQueries(), "status=done", "status", "status=SUCCEEDED", "status")...),
		idCases(deliveries, w.Trigger),
		[]badCase{{"the owner's cursor under another trigger", get("/v1/triggers/"+w.IntruderTrigger+"/deliveries?cursor="+url.QueryEscape(cursors["deliveries"]), w.Intruder),
			stacktest.Want{Status: 400, Fields: []string{"cursor"}}}})

	retry := post(triggerPath+"/deliveries/"+w.Delivery+"/retry", w.Owner)
	add("POST /v1/triggers/{id}/deliveries/{delivery_id}/retry",
		tokenCases(retry, tokens, false),
		queryCases(retry),
		idCases(retry, w.Trigger),
		idCases(retry, w.Delivery))

	replay := post(triggerPath+"/replay", w.Owner)
	withStart := replay
	withStart.Body = `{"start_sequence":1}`
	add("POST /v1/triggers/{id}/replay",
		tokenCases(withStart, tokens, false),
		queryCases(withStart),
		idCases(withStart, w.Trigger),
		bodyFamily(replay, `{"start_sequence":1}`, 4096, `{"start_sequence":1,"bogus":1}`),
		fieldCases(replay, 400,
			"no start", `{}`, "start_time",
			"both starts", `{"start_sequence":1,"start_time":"2026-01-01T00:00:00Z"}`, "start_time",
			"start_time not RFC 3339", `{"start_time":"yesterday"}`, "start_time",
			"start_time a number", `{"start_time":5}`, "start_time",
			"end_time not RFC 3339", `{"start_sequence":1,"end_time":"later"}`, "end_time",
			"negative start_sequence", `{"start_sequence":-1}`, "start_sequence",
			"start_sequence a string", `{"start_sequence":"1"}`, "start_sequence",
			"start_sequence past uint64", `{"start_sequence":18446744073709551616}`, "start_sequence",
			"deep nesting within the size limit", `{"start_sequence":`+strings.Repeat("[", 2000)+strings.Repeat("]", 2000)+`}`, "start_sequence",
		))
	return m
}

// filterKeys returns n filter keys with exact values, as JSON object members.
func filterKeys(n int) string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = fmt.Sprintf(`"data.k%d":"v"`, i)
	}
	return strings.Join(ks, ",")
}
