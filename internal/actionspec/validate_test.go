package actionspec

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

// testPolicy allows partner queues, topics and functions in one account, names
// Herald's own resources, and enables nats actions in the default namespace.
var testPolicy = Policy{
	NATS:    true,
	Targets: []string{"arn:aws:sqs:eu-west-1:123456789012:partner-*", "arn:aws:sns:eu-west-1:123456789012:partner-*", "arn:aws:lambda:eu-west-1:123456789012:function:partner-*", "arn:aws:sqs:eu-west-1:123456789012:herald-*"},
	Own: []string{
		"arn:aws:sqs:eu-west-1:123456789012:herald-RouteQueue-1A2B", "arn:aws:sns:eu-west-1:123456789012:herald-EventsTopic-3C4D",
		"arn:aws:lambda:eu-west-1:123456789012:function:herald-*",
	},
	Region: "eu-west-1", Partition: "aws",
}

const (
	queue    = "https://sqs.eu-west-1.amazonaws.com/123456789012/partner-jobs"
	fifo     = "https://sqs.eu-west-1.amazonaws.com/123456789012/partner-jobs.fifo"
	topic    = "arn:aws:sns:eu-west-1:123456789012:partner-events"
	function = "arn:aws:lambda:eu-west-1:123456789012:function:partner-hook"
	secret   = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
)

// validActions has an action of every type with every field it takes.
var validActions = []struct{ action, mode string }{
	{`{"type":"http","url":"https://example.org/hook"}`, "async"},
	{`{"type":"http","url":"http://example.org:8080/h?x=1","method":"PUT","headers":{"Authorization":"Bearer x"},"timeout_ms":30000,"format":"cloudevents","secret":"` + secret + `","previous_secrets":["` + secret + `"],"transform":"function transform(e){return e}"}`, "async"},
	{`{"type":"http","url":"https://example.org/veto","on_error":"allow"}`, "sync"},
	{`{"type":"http","url":"https://example.org/form","format":"form"}`, "async"},
	{`{"type":"http","url":"https://example.org/form-veto","format":"form"}`, "sync"},
	{`{"type":"sqs","queue_url":"` + queue + `"}`, "async"},
	{`{"type":"sqs","queue_url":"` + fifo + `","message_group_id":"jobs-1","transform":"function transform(e){return e}"}`, "async"},
	{`{"type":"sns","topic_arn":"` + topic + `"}`, "async"},
	{`{"type":"sns","topic_arn":"` + topic + `.fifo","message_group_id":"g"}`, "async"},
	{`{"type":"lambda","function":"` + function + `"}`, "async"},
	{`{"type":"lambda","function":"` + function + `:live","invocation_type":"RequestResponse","transform":"function transform(e){return e}"}`, "async"},
	{`{"type":"lambda","function":"` + function + `"}`, "sync"},
	{`{"type":"lambda","function":"` + function + `","invocation_type":"RequestResponse","on_error":"allow"}`, "sync"},
	{`{"type":"nats","subject":"herald.actions.partner.items"}`, "async"},
	{`{"type":"nats","subject":"herald.actions.x","transform":"function transform(e){return e}"}`, "async"},
	{`{"type":"nats","subject":"herald.actions.x","require_listener":true}`, "async"},
	{`{"type":"javascript","script":"function handle(e){return null}"}`, "async"},
	{`{"type":"javascript","script":"function handle(e){return {approve:true}}","on_error":"deny"}`, "sync"},
}

func TestCheckAccepts(t *testing.T) {
	for _, tt := range validActions {
		if errs := testPolicy.Check(json.RawMessage(tt.action), tt.mode); len(errs) > 0 {
			t.Errorf("%s (%s): %v", tt.action, tt.mode, errs)
		}
	}
}

// invalidActions breaks one rule each; field is what the 400 must name.
var invalidActions = []struct {
	name, action, mode, field string
}{
	{"not an object", `[1]`, "async", "action"},
	{"no type", `{"url":"https://example.org"}`, "async", "action.type"},
	{"unknown type", `{"type":"email","to":"a@b"}`, "async", "action.type"},
	{"sync sqs", `{"type":"sqs","queue_url":"` + queue + `"}`, "sync", "action.type"},
	{"sync sns", `{"type":"sns","topic_arn":"` + topic + `"}`, "sync", "action.type"},
	{"sync lambda invoked as an Event", `{"type":"lambda","function":"` + function + `","invocation_type":"Event"}`, "sync", "action.invocation_type"},
	{"on_error on an async lambda", `{"type":"lambda","function":"` + function + `","on_error":"allow"}`, "async", "action.on_error"},
	{"sync nats", `{"type":"nats","subject":"herald.actions.x"}`, "sync", "action.type"},
	{"field of another type", `{"type":"http","url":"https://example.org","queue_url":"` + queue + `"}`, "async", "action.queue_url"},
	{"unknown field", `{"type":"http","url":"https://example.org","retries":3}`, "async", "action.retries"},

	{"url missing", `{"type":"http"}`, "async", "action.url"},
	{"url ftp", `{"type":"http","url":"ftp://example.org/x"}`, "async", "action.url"},
	{"url without host", `{"type":"http","url":"https:///x"}`, "async", "action.url"},
	{"url with credentials", `{"type":"http","url":"https://u:p@example.org/"}`, "async", "action.url"},
	{"url not a string", `{"type":"http","url":5}`, "async", "action.url"},
	{"method DELETE", `{"type":"http","url":"https://example.org","method":"DELETE"}`, "async", "action.method"},
	{"headers hop-by-hop", `{"type":"http","url":"https://example.org","headers":{"Connection":"close"}}`, "async", "action.headers.Connection"},
	{"headers signature", `{"type":"http","url":"https://example.org","headers":{"webhook-signature":"v1,x"}}`, "async", "action.headers.webhook-signature"},
	{"headers not strings", `{"type":"http","url":"https://example.org","headers":{"X":1}}`, "async", "action.headers"},
	{"timeout_ms too long", `{"type":"http","url":"https://example.org","timeout_ms":999999}`, "async", "action.timeout_ms"},
	{"timeout_ms negative", `{"type":"http","url":"https://example.org","timeout_ms":-1}`, "async", "action.timeout_ms"},
	{"format xml", `{"type":"http","url":"https://example.org","format":"xml"}`, "async", "action.format"},
	{"secret malformed", `{"type":"http","url":"https://example.org","secret":"hunter2"}`, "async", "action.secret"},
	{"previous_secrets malformed", `{"type":"http","url":"https://example.org","previous_secrets":["x"]}`, "async", "action.previous_secrets[0]"},
	{"on_error maybe", `{"type":"http","url":"https://example.org","on_error":"maybe"}`, "sync", "action.on_error"},
	{"on_error async", `{"type":"http","url":"https://example.org","on_error":"allow"}`, "async", "action.on_error"},
	{"transform does not compile", `{"type":"http","url":"https://example.org","transform":"function transform(e){"}`, "async", "action.transform"},
	{"transform wrong function", `{"type":"http","url":"https://example.org","transform":"function handle(e){return e}"}`, "async", "action.transform"},

	{"queue_url malformed", `{"type":"sqs","queue_url":"not a url"}`, "async", "action.queue_url"},
	{"queue_url without account", `{"type":"sqs","queue_url":"https://sqs.eu-west-1.amazonaws.com/partner-jobs"}`, "async", "action.queue_url"},
	{"queue_url Herald's own", `{"type":"sqs","queue_url":"https://sqs.eu-west-1.amazonaws.com/123456789012/herald-RouteQueue-1A2B"}`, "async", "action.queue_url"},
	{"queue_url outside the allow-list", `{"type":"sqs","queue_url":"https://sqs.eu-west-1.amazonaws.com/999999999999/partner-jobs"}`, "async", "action.queue_url"},
	{"message_group_id missing for fifo", `{"type":"sqs","queue_url":"` + fifo + `"}`, "async", "action.message_group_id"},
	{"message_group_id on a standard queue", `{"type":"sqs","queue_url":"` + queue + `","message_group_id":"g"}`, "async", "action.message_group_id"},
	{"message_group_id too long", `{"type":"sqs","queue_url":"` + fifo + `","message_group_id":"` + strings.Repeat("g", 129) + `"}`, "async", "action.message_group_id"},
	{"topic_arn malformed", `{"type":"sns","topic_arn":"arn:aws:sqs:eu-west-1:123456789012:partner-events"}`, "async", "action.topic_arn"},
	{"topic_arn Herald's own", `{"type":"sns","topic_arn":"arn:aws:sns:eu-west-1:123456789012:herald-EventsTopic-3C4D"}`, "async", "action.topic_arn"},
	{"topic_arn outside the allow-list", `{"type":"sns","topic_arn":"arn:aws:sns:eu-west-1:123456789012:other"}`, "async", "action.topic_arn"},
	{"function a bare name", `{"type":"lambda","function":"partner-hook"}`, "async", "action.function"},
	{"function Herald's own", `{"type":"lambda","function":"arn:aws:lambda:eu-west-1:123456789012:function:herald-EventsApi-9Z"}`, "async", "action.function"},
	{"function Herald's own in another account", `{"type":"lambda","function":"arn:aws:lambda:us-east-1:999999999999:function:herald-EventsApi-9Z"}`, "async", "action.function"},
	{"queue_url Herald's own in another account", `{"type":"sqs","queue_url":"http://127.0.0.1:4566/000000000000/herald-RouteQueue-1A2B"}`, "async", "action.queue_url"},
	{"function outside the allow-list", `{"type":"lambda","function":"arn:aws:lambda:eu-west-1:123456789012:function:other"}`, "async", "action.function"},
	{"invocation_type Bogus", `{"type":"lambda","function":"` + function + `","invocation_type":"Bogus"}`, "async", "action.invocation_type"},
	{"subject $JS API", `{"type":"nats","subject":"$JS.API.STREAM.DELETE.HERALD_EVENTS"}`, "async", "action.subject"},
	{"subject consumer delete", `{"type":"nats","subject":"$JS.API.CONSUMER.DELETE.HERALD_EVENTS.01ABC"}`, "async", "action.subject"},
	{"subject inbox", `{"type":"nats","subject":"_INBOX.abc"}`, "async", "action.subject"},
	{"subject events", `{"type":"nats","subject":"herald.events.resource.ResourceCreated.projects.p1._"}`, "async", "action.subject"},
	{"subject dead letter", `{"type":"nats","subject":"herald.deadletter.events"}`, "async", "action.subject"},
	{"subject a user's inbox feed", `{"type":"nats","subject":"herald.inbox.dTE"}`, "async", "action.subject"},
	{"subject outside the namespace", `{"type":"nats","subject":"partner.items"}`, "async", "action.subject"},
	{"subject wildcard", `{"type":"nats","subject":"herald.actions.>"}`, "async", "action.subject"},
	{"subject empty token", `{"type":"nats","subject":"herald.actions..x"}`, "async", "action.subject"},
	{"subject the actions' reply inbox", `{"type":"nats","subject":"_INBOX.herald-actions.x"}`, "async", "action.subject"},
	{"require_listener a string", `{"type":"nats","subject":"herald.actions.x","require_listener":"yes"}`, "async", "action.require_listener"},
	{"require_listener on http", `{"type":"http","url":"https://example.org","require_listener":true}`, "async", "action.require_listener"},
	{"script does not compile", `{"type":"javascript","script":"function handle(e){"}`, "async", "action.script"},
	{"script without handle", `{"type":"javascript","script":"function transform(e){return e}"}`, "async", "action.script"},
	{"script not a string", `{"type":"javascript","script":null}`, "async", "action.script"},
}

func TestCheckRefuses(t *testing.T) {
	for _, tt := range invalidActions {
		t.Run(tt.name, func(t *testing.T) {
			errs := testPolicy.Check(json.RawMessage(tt.action), tt.mode)
			if !slices.ContainsFunc(errs, func(e fault.FieldError) bool { return e.Field == tt.field }) {
				t.Errorf("%s: %v, want %s named", tt.action, errs, tt.field)
			}
		})
	}
}

// fieldOf returns the action field a refusal names: "headers" for
// "action.headers.Connection", "previous_secrets" for "action.previous_secrets[0]".
func fieldOf(name string) string {
	f := strings.TrimPrefix(name, "action.")
	f, _, _ = strings.Cut(f, ".")
	f, _, _ = strings.Cut(f, "[")
	return f
}

// TestCheckCoversEveryField fails when a type or a field is added without a case that
// refuses a bad value of it, and a type without a case that accepts it.
func TestCheckCoversEveryField(t *testing.T) {
	fields, types := map[string]bool{}, map[string]bool{}
	for _, tt := range invalidActions {
		fields[fieldOf(tt.field)] = true
		var a struct {
			Type string `json:"type"`
		}
		json.Unmarshal([]byte(tt.action), &a)
		types[a.Type] = true
	}
	for _, typ := range Types {
		if !types[typ] {
			t.Errorf("no case refuses a %s action", typ)
		}
		if !slices.ContainsFunc(validActions, func(v struct{ action, mode string }) bool {
			return strings.Contains(v.action, `"type":"`+typ+`"`)
		}) {
			t.Errorf("no case accepts a %s action", typ)
		}
		for _, f := range Fields[typ] {
			if !fields[f] {
				t.Errorf("no case refuses a bad %s (a field of %s actions)", f, typ)
			}
		}
	}
}

// TestCheckNATSDisabled: without a NATS user for actions, nats actions are refused when
// they are made, not when they first fail.
func TestCheckNATSDisabled(t *testing.T) {
	p := testPolicy
	p.NATS = false
	errs := p.Check(json.RawMessage(`{"type":"nats","subject":"herald.actions.x"}`), "async")
	if len(errs) != 1 || errs[0].Field != "action.type" {
		t.Errorf("%v, want action.type named", errs)
	}
}

// TestCheckSend: the checks before every send refuse what the policy refuses now.
func TestCheckSend(t *testing.T) {
	for _, tt := range []struct {
		c     Config
		field string
	}{
		{Config{Type: "nats", Subject: "$JS.API.STREAM.DELETE.HERALD_EVENTS"}, "subject"},
		{Config{Type: "nats", Subject: "herald.actions.ok"}, ""},
		{Config{Type: "sqs", QueueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/herald-RouteQueue-1A2B"}, "queue_url"},
		{Config{Type: "sqs", QueueURL: queue}, ""},
		{Config{Type: "sns", TopicARN: "arn:aws:sns:eu-west-1:123456789012:herald-EventsTopic-3C4D"}, "topic_arn"},
		{Config{Type: "lambda", Function: "arn:aws:lambda:eu-west-1:123456789012:function:herald-TriggersApi-1:live"}, "function"},
		{Config{Type: "lambda", Function: function}, ""},
		{Config{Type: "http", URL: "https://example.org"}, ""},
	} {
		if field, msg := testPolicy.CheckSend(&tt.c); field != tt.field {
			t.Errorf("%+v: %q %s, want %q", tt.c, field, msg, tt.field)
		}
	}
}

// TestEveryFieldDecodes: a field listed for a type has a place in Config to decode into.
func TestEveryFieldDecodes(t *testing.T) {
	for typ, fields := range Fields {
		for _, f := range fields {
			if _, ok := fieldsOf[f]; !ok {
				t.Errorf("%s actions list %s, which does not decode", typ, f)
			}
		}
	}
}
