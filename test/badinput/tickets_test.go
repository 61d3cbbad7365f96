package badinput

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/test/stacktest"
)

// This file holds the stream tickets' cases of the bad-input suite: the two
// stream-ticket routes, and bad tickets on the stream.

// ticketBadInputCases returns the bad-input matrix's rows of the stream-ticket routes,
// and the rows to add to the stream's: tickets forged, truncated, empty, oversized, for
// another consumer, or beside a token, each 401 problem+json.
func ticketBadInputCases(t *testing.T, w *stacktest.World, tokens []struct{ name, authz string }) map[string][]badCase {
	m := map[string][]badCase{}
	// The body takes nothing: none, or {}.
	bodies := func(c stacktest.Call) []badCase {
		with := func(body, contentType string) stacktest.Call {
			cc := c
			cc.Body, cc.ContentType = body, contentType
			return cc
		}
		return []badCase{
			{"a member", with(`{"bogus":1}`, ""), stacktest.Want{Status: 400, Fields: []string{"bogus"}}},
			{"a TTL asked for", with(`{"ttl_ms":3600000}`, ""), stacktest.Want{Status: 400, Fields: []string{"ttl_ms"}}},
			{"another consumer named", with(`{"consumer":"`+w.IntruderConsumer+`"}`, ""), stacktest.Want{Status: 400, Fields: []string{"consumer"}}},
			{"an array", with(`[]`, ""), stacktest.Want{Status: 400, Fields: []string{""}}},
			{"malformed JSON", with(`{"a":`, ""), stacktest.Want{Status: 400, Fields: []string{""}}},
			{"trailing data", with(`{}{}`, ""), stacktest.Want{Status: 400, Fields: []string{""}}},
			{"a string", with(`"{}"`, ""), stacktest.Want{Status: 400, Fields: []string{""}}},
			{"deep nesting", with(`{"bogus":`+deep+`}`, ""), stacktest.Want{Status: 413, Fields: []string{""}}},
			{"oversized", with("{"+strings.Repeat(" ", 5000)+"}", ""), stacktest.Want{Status: 413, Fields: []string{""}}},
			{"invalid UTF-8", func() stacktest.Call { cc := c; cc.Raw = []byte("{\"\xff\":1}"); return cc }(), stacktest.Want{Status: 400, Fields: []string{""}}},
			{"text/plain", with(`{}`, "text/plain"), stacktest.Want{Status: 415}},
		}
	}
	consumerTicket := stacktest.Call{Method: "POST", Path: "/v1/consumers/" + w.Consumer + "/stream-ticket", Token: w.Owner}
	m["POST /v1/consumers/{id}/stream-ticket"] = concat(
		tokenCases(consumerTicket, tokens, false),
		queryCases(consumerTicket, "ttl=3600", "ttl", "ticket=x", "ticket"),
		idCases(consumerTicket, w.Consumer),
		bodies(consumerTicket),
	)
	inboxTicket := stacktest.Call{Method: "POST", Path: "/v1/me/notifications/stream-ticket", Token: w.Owner}
	m["POST /v1/me/notifications/stream-ticket"] = concat(
		tokenCases(inboxTicket, tokens, false),
		queryCases(inboxTicket, "user="+stacktest.IntruderSub, "user"),
		bodies(inboxTicket),
	)

	// Bad tickets on the stream: each fails before the stream opens, so nothing is
	// touched. A genuine one is asked for each case that alters one, so that no case
	// spends another's.
	fresh := func(consumer, token string) string {
		var tk struct {
			Ticket string `json:"ticket"`
		}
		a := w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers/" + consumer + "/stream-ticket", Token: token}, http.StatusCreated, nil)
		if err := json.Unmarshal(a.Body, &tk); err != nil || tk.Ticket == "" {
			t.Fatalf("no ticket in %s", a)
		}
		return tk.Ticket
	}
	stream := func(consumer, ticket, token string) stacktest.Call {
		return stacktest.Call{Method: "GET", Path: "/v1/consumers/" + consumer + "/stream?ticket=" + url.QueryEscape(ticket), Token: token}
	}
	unauthorized := stacktest.Want{Status: 401}
	good := fresh(w.Consumer, w.Owner)
	parts := strings.Split(good, ".")
	flipped := "A"
	if parts[3][0] == 'A' {
		flipped = "B"
	}
	m["GET /v1/consumers/{id}/stream"] = []badCase{
		{"ticket: empty", stream(w.Consumer, "", ""), unauthorized},
		{"ticket: not a ticket", stream(w.Consumer, "not-a-ticket", ""), unauthorized},
		{"ticket: a bearer token", stream(w.Consumer, w.Owner, ""), unauthorized},
		{"ticket: the mac flipped", stream(w.Consumer, parts[0]+"."+parts[1]+"."+parts[2]+"."+flipped+parts[3][1:], ""), unauthorized},
		{"ticket: the mac cut", stream(w.Consumer, parts[0]+"."+parts[1]+"."+parts[2], ""), unauthorized},
		{"ticket: an unknown key", stream(w.Consumer, parts[0]+".k9."+parts[2]+"."+parts[3], ""), unauthorized},
		{"ticket: another version", stream(w.Consumer, "t9"+good[2:], ""), unauthorized},
		{"ticket: oversized", stream(w.Consumer, good+strings.Repeat("A", 9000), ""), unauthorized},
		{"ticket: twice", stacktest.Call{Method: "GET", Path: "/v1/consumers/" + w.Consumer + "/stream?ticket=" + url.QueryEscape(good) + "&ticket=" + url.QueryEscape(good)}, unauthorized},
		{"ticket: of the intruder's consumer", stream(w.Consumer, fresh(w.IntruderConsumer, w.Intruder), ""), unauthorized},
		{"ticket: of the owner's, on the intruder's consumer", stream(w.IntruderConsumer, fresh(w.Consumer, w.Owner), ""), unauthorized},
		{"ticket: beside a bearer token", stream(w.Consumer, fresh(w.Consumer, w.Owner), w.Owner), unauthorized},
	}
	return m
}

// concat joins lists of cases.
func concat(lists ...[]badCase) []badCase {
	var out []badCase
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
