package badinput

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/test/stacktest"
)

// actionCase is an action that breaks one rule, and the field the 400 names.
type actionCase struct {
	name, action, mode, field string
}

// badActions returns an action breaking each rule of every action field, for a stack
// whose operator allowed no sqs, sns or lambda target (the default): hook is a webhook
// URL the stack may reach.
func badActions(hook string) []actionCase {
	const (
		queue    = "https://sqs.us-east-1.amazonaws.com/000000000000/partner-q"
		fifo     = "https://sqs.us-east-1.amazonaws.com/000000000000/partner-q.fifo"
		topic    = "arn:aws:sns:us-east-1:000000000000:partner-t"
		function = "arn:aws:lambda:us-east-1:000000000000:function:partner-f"
	)
	http := func(field string) string { return `{"type":"http","url":"` + hook + `",` + field + `}` }
	return []actionCase{
		{"no type", `{"url":"` + hook + `"}`, "async", "action.type"},
		{"type email", `{"type":"email","to":"a@b"}`, "async", "action.type"},
		{"a sync sqs trigger", `{"type":"sqs","queue_url":"` + queue + `"}`, "sync", "action.type"},
		{"a sync lambda trigger invoked Event", `{"type":"lambda","function":"` + function + `","invocation_type":"Event"}`, "sync", "action.invocation_type"},
		{"a field of another type", http(`"subject":"herald.actions.x"`), "async", "action.subject"},
		{"url ftp", `{"type":"http","url":"ftp://example.org/x"}`, "async", "action.url"},
		{"url with credentials", `{"type":"http","url":"https://user:pw@example.org/"}`, "async", "action.url"},
		{"method DELETE", http(`"method":"DELETE"`), "async", "action.method"},
		{"headers hop-by-hop", http(`"headers":{"Transfer-Encoding":"chunked"}`), "async", "action.headers.Transfer-Encoding"},
		{"headers a signature", http(`"headers":{"webhook-signature":"v1,forged"}`), "async", "action.headers.webhook-signature"},
		{"timeout_ms 999999", http(`"timeout_ms":999999`), "async", "action.timeout_ms"},
		{"format xml", http(`"format":"xml"`), "async", "action.format"},
		{"secret not whsec", http(`"secret":"hunter2"`), "async", "action.secret"},
		{"previous_secrets not whsec", http(`"previous_secrets":["hunter2"]`), "async", "action.previous_secrets[0]"},
		{"on_error maybe", http(`"on_error":"maybe"`), "sync", "action.on_error"},
		{"on_error on an async trigger", http(`"on_error":"allow"`), "async", "action.on_error"},
		{"transform that does not compile", http(`"transform":"function transform(e){"`), "async", "action.transform"},
		{"transform without its function", http(`"transform":"var x = 1"`), "async", "action.transform"},
		{"queue_url malformed", `{"type":"sqs","queue_url":"queue-please"}`, "async", "action.queue_url"},
		{"queue_url not allowed", `{"type":"sqs","queue_url":"` + queue + `"}`, "async", "action.queue_url"},
		{"message_group_id on a standard queue", `{"type":"sqs","queue_url":"` + queue + `","message_group_id":"g"}`, "async", "action.message_group_id"},
		{"message_group_id a number", `{"type":"sqs","queue_url":"` + fifo + `","message_group_id":1}`, "async", "action.message_group_id"},
		{"topic_arn malformed", `{"type":"sns","topic_arn":"partner-t"}`, "async", "action.topic_arn"},
		{"topic_arn not allowed", `{"type":"sns","topic_arn":"` + topic + `"}`, "async", "action.topic_arn"},
		{"function a bare name", `{"type":"lambda","function":"partner-f"}`, "async", "action.function"},
		{"function not allowed", `{"type":"lambda","function":"` + function + `"}`, "async", "action.function"},
		{"invocation_type Bogus", `{"type":"lambda","function":"` + function + `","invocation_type":"Bogus"}`, "async", "action.invocation_type"},
		{"subject of the JetStream API", `{"type":"nats","subject":"$JS.API.STREAM.DELETE.HERALD_EVENTS"}`, "async", "action.subject"},
		{"subject outside the namespace", `{"type":"nats","subject":"partner.items"}`, "async", "action.subject"},
		{"subject a wildcard", `{"type":"nats","subject":"herald.actions.*"}`, "async", "action.subject"},
		{"require_listener a string", `{"type":"nats","subject":"herald.actions.x","require_listener":"yes"}`, "async", "action.require_listener"},
		{"script that does not compile", `{"type":"javascript","script":"function handle(e){"}`, "async", "action.script"},
		{"script without handle", `{"type":"javascript","script":"function transform(e){return e}"}`, "async", "action.script"},
	}
}

// actionSpecCases turns badActions into bad trigger bodies of the route c.
func actionSpecCases(c stacktest.Call, scope, hook string) []badCase {
	var out []badCase
	for _, a := range badActions(hook) {
		cc := c
		cc.Body = `{"name":"bad action","mode":"` + a.mode + `","resource":{"path":"` + scope + `","include_subresources":true},"events":["*"],"action":` + a.action + `}`
		out = append(out, badCase{"action: " + a.name, cc, stacktest.Want{Status: 400, Fields: []string{a.field}}})
	}
	return out
}

// TestBadActionsCoverEveryField fails when an action type or field is added without a
// bad-input case for it.
func TestBadActionsCoverEveryField(t *testing.T) {
	fields, types := map[string]bool{}, map[string]bool{}
	for _, a := range badActions("http://127.0.0.1:1/hook") {
		f := strings.TrimPrefix(a.field, "action.")
		f, _, _ = strings.Cut(f, ".")
		f, _, _ = strings.Cut(f, "[")
		fields[f] = true
		var typ struct {
			Type string `json:"type"`
		}
		json.Unmarshal([]byte(a.action), &typ)
		types[typ.Type] = true
	}
	for _, typ := range actionspec.Types {
		if !types[typ] {
			t.Errorf("no bad-input case has a %s action", typ)
		}
		for _, f := range actionspec.Fields[typ] {
			if !fields[f] {
				t.Errorf("no bad-input case refuses a bad %s (a field of %s actions)", f, typ)
			}
		}
	}
}
