package actionspec

import (
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/script/syntax"
	"github.com/heraldhq/herald/internal/webhook"
)

// Types are the action types, in the order the API lists them.
var Types = []string{"http", "sqs", "sns", "lambda", "nats", "javascript"}

// SyncTypes are the types whose action can approve or deny an event.
var SyncTypes = []string{"http", "javascript", "lambda"}

// Limits of an action's fields.
const (
	MaxURLBytes        = 2048
	MaxHeaders         = 32
	MaxHeaderValue     = 4096
	MaxTimeoutMS       = 30000
	MaxPreviousSecrets = 5
)

// Fields lists, for each type, the fields an action of that type may have besides
// "type"; "transform" is open to every type that delivers a payload, "on_error" to sync
// triggers. A field not listed for the action's type is refused, so that a typo or a
// field of another type never passes silently.
var Fields = map[string][]string{
	"http":       {"url", "method", "headers", "timeout_ms", "format", "secret", "previous_secrets", "transform", "on_error"},
	"sqs":        {"queue_url", "message_group_id", "transform"},
	"sns":        {"topic_arn", "message_group_id", "transform"},
	"lambda":     {"function", "invocation_type", "transform", "on_error"},
	"nats":       {"subject", "require_listener", "transform"},
	"javascript": {"script", "on_error"},
}

// required is the field each type cannot do without.
var required = map[string]string{
	"http": "url", "sqs": "queue_url", "sns": "topic_arn", "lambda": "function", "nats": "subject", "javascript": "script",
}

// Check checks a trigger's action as it arrives in a create or replace body, for a
// trigger of the given mode ("async" or "sync"), and returns every field at fault, named
// "action.<field>". It checks the shape of every field, that scripts compile and define
// their function, and that the target is one the policy allows (Policy.CheckSubject,
// Policy.CheckTarget).
func (p *Policy) Check(raw json.RawMessage, mode string) []fault.FieldError {
	var errs []fault.FieldError
	fail := func(field, msg string) { errs = append(errs, fault.FieldError{Field: "action." + field, Message: msg}) }

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return []fault.FieldError{{Field: "action", Message: "must be an object"}}
	}
	var typ string
	if err := json.Unmarshal(fields["type"], &typ); err != nil || required[typ] == "" {
		return []fault.FieldError{{Field: "action.type", Message: "must be one of " + strings.Join(Types, ", ")}}
	}
	if mode == "sync" && !slices.Contains(SyncTypes, typ) {
		fail("type", "a sync trigger's action must be able to approve or deny: "+strings.Join(SyncTypes, ", ")+", not "+typ)
	}
	// Each field decodes on its own, so that a wrongly typed one is named.
	var c Config
	c.Type = typ
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "type" {
			continue
		}
		if !slices.Contains(Fields[typ], name) {
			fail(name, "is not a field of a "+typ+" action")
			continue
		}
		if name == "on_error" && mode != "sync" {
			fail(name, "applies to sync triggers only")
			continue
		}
		if msg := decodeField(&c, name, fields[name]); msg != "" {
			fail(name, msg)
		}
	}
	if mode == "sync" && c.InvocationType == "Event" {
		// An Event invocation answers nothing; a sync trigger's function must answer.
		fail("invocation_type", "a sync trigger invokes its function RequestResponse, to read its decision; Event cannot decide")
	}
	if len(errs) > 0 {
		return errs
	}
	if v := fields[required[typ]]; v == nil {
		fail(required[typ], "is required for a "+typ+" action")
		return errs
	}
	for _, e := range p.checkValues(&c) {
		fail(e.Field, e.Message)
	}
	return errs
}

// fieldsOf gives, for each field name, where in a Config it decodes and what kind of
// JSON value it must be.
var fieldsOf = map[string]struct {
	into func(*Config) any
	want string
}{
	"url":              {func(c *Config) any { return &c.URL }, "a string"},
	"method":           {func(c *Config) any { return &c.Method }, "a string"},
	"headers":          {func(c *Config) any { return &c.Headers }, "an object of strings"},
	"timeout_ms":       {func(c *Config) any { return &c.TimeoutMS }, "a whole number"},
	"format":           {func(c *Config) any { return &c.Format }, "a string"},
	"secret":           {func(c *Config) any { return &c.Secret }, "a string"},
	"previous_secrets": {func(c *Config) any { return &c.PreviousSecrets }, "a list of strings"},
	"on_error":         {func(c *Config) any { return &c.OnError }, "a string"},
	"queue_url":        {func(c *Config) any { return &c.QueueURL }, "a string"},
	"message_group_id": {func(c *Config) any { return &c.MessageGroupID }, "a string"},
	"topic_arn":        {func(c *Config) any { return &c.TopicARN }, "a string"},
	"function":         {func(c *Config) any { return &c.Function }, "a string"},
	"invocation_type":  {func(c *Config) any { return &c.InvocationType }, "a string"},
	"subject":          {func(c *Config) any { return &c.Subject }, "a string"},
	"require_listener": {func(c *Config) any { return &c.RequireListener }, "true or false"},
	"script":           {func(c *Config) any { return &c.Script }, "a string"},
	"transform":        {func(c *Config) any { return &c.Transform }, "a string"},
}

// decodeField decodes one field of an action into c and returns why it does not decode.
func decodeField(c *Config, name string, raw json.RawMessage) string {
	f, ok := fieldsOf[name]
	if !ok {
		return "is not a field of an action"
	}
	if string(raw) == "null" || json.Unmarshal(raw, f.into(c)) != nil {
		return "must be " + f.want
	}
	return ""
}

// checkValues checks the values of a decoded action.
func (p *Policy) checkValues(c *Config) []fault.FieldError {
	var errs []fault.FieldError
	fail := func(field, msg string) { errs = append(errs, fault.FieldError{Field: field, Message: msg}) }
	switch c.Type {
	case "http":
		if msg := checkURL(c.URL); msg != "" {
			fail("url", msg)
		}
		if c.Method != "" && c.Method != "POST" && c.Method != "PUT" {
			fail("method", "must be POST or PUT")
		}
		if c.TimeoutMS < 0 || c.TimeoutMS > MaxTimeoutMS {
			fail("timeout_ms", "must be from 1 to "+strconv.Itoa(MaxTimeoutMS)+" (0 or absent: 10000)")
		}
		switch webhook.Format(c.Format) {
		case "", webhook.FormatNative, webhook.FormatCloudEvents, webhook.FormatForm:
		default:
			fail("format", "must be native, cloudevents or form")
		}
		errs = append(errs, checkHeaders(c.Headers)...)
		if c.Secret != "" {
			if _, err := webhook.ParseSecret(c.Secret); err != nil {
				fail("secret", `must be "whsec_" followed by the base64 of the key`)
			}
		}
		if len(c.PreviousSecrets) > MaxPreviousSecrets {
			fail("previous_secrets", "must have at most "+strconv.Itoa(MaxPreviousSecrets)+" entries")
		}
		for i, s := range c.PreviousSecrets {
			if _, err := webhook.ParseSecret(s); err != nil {
				fail("previous_secrets["+strconv.Itoa(i)+"]", `must be "whsec_" followed by the base64 of the key`)
			}
		}
	case "sqs", "sns", "lambda":
		if field, msg := p.CheckTarget(c); msg != "" {
			fail(field, msg)
		}
		t, _ := p.target(c)
		switch {
		case c.Type == "lambda":
		case t.fifo && c.MessageGroupID == "":
			fail("message_group_id", "is required for a FIFO "+noun(c.Type))
		case !t.fifo && c.MessageGroupID != "":
			fail("message_group_id", "applies to FIFO "+noun(c.Type)+"s only")
		case c.MessageGroupID != "" && !groupID.MatchString(c.MessageGroupID):
			fail("message_group_id", "must be 1 to 128 printable ASCII characters")
		}
		if c.InvocationType != "" && c.InvocationType != "Event" && c.InvocationType != "RequestResponse" {
			fail("invocation_type", "must be Event or RequestResponse")
		}
	case "nats":
		if !p.NATS {
			fail("type", "nats actions are not enabled here: the operator has set up no NATS user for actions")
		} else if msg := p.CheckSubject(c.Subject); msg != "" {
			fail("subject", msg)
		}
	case "javascript":
		if msg := compiles(c.Script, "handle"); msg != "" {
			fail("script", msg)
		}
	}
	if c.OnError != "" && c.OnError != "allow" && c.OnError != "deny" {
		fail("on_error", "must be allow or deny")
	}
	if c.Transform != "" {
		if msg := compiles(c.Transform, "transform"); msg != "" {
			fail("transform", msg)
		}
	}
	return errs
}

func noun(typ string) string {
	if typ == "sqs" {
		return "queue"
	}
	return "topic"
}

// checkURL returns why u is not a webhook URL, or "".
func checkURL(u string) string {
	if len(u) > MaxURLBytes {
		return "must be at most " + strconv.Itoa(MaxURLBytes) + " bytes"
	}
	parsed, err := url.Parse(u)
	switch {
	case err != nil:
		return "is not a valid URL"
	case parsed.Scheme != "http" && parsed.Scheme != "https":
		return "must be an http or https URL"
	case parsed.Hostname() == "":
		return "has no host"
	case parsed.User != nil:
		// Credentials in the URL would show wherever the trigger does; a header keeps them.
		return "must not carry credentials; send them in a header (Authorization)"
	}
	return ""
}

// checkHeaders checks an http action's extra headers.
func checkHeaders(h map[string]string) []fault.FieldError {
	if len(h) > MaxHeaders {
		return []fault.FieldError{{Field: "headers", Message: "must have at most " + strconv.Itoa(MaxHeaders) + " entries"}}
	}
	var errs []fault.FieldError
	var fe *fault.Error
	if err := webhook.CheckHeaders(h); errors.As(err, &fe) {
		errs = append(errs, fe.Fields...)
	}
	for name, v := range h {
		if len(v) > MaxHeaderValue {
			errs = append(errs, fault.FieldError{Field: "headers." + name, Message: "must be at most " + strconv.Itoa(MaxHeaderValue) + " bytes"})
		}
	}
	return errs
}

// compiles returns why src does not parse as a script declaring entry, or "". The API
// checks the source without running it; Deliver loads it before its first run.
func compiles(src, entry string) string {
	if err := syntax.Check(src, entry); err != nil {
		return err.Error()
	}
	return ""
}
