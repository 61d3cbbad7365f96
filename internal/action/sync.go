package action

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/heraldhq/herald/internal/script"
	"github.com/heraldhq/herald/internal/webhook"
)

// MaxDecisionBytes bounds a sync webhook's answer. A longer one is not read as a
// decision: it denies (fail closed), as does any answer that is not a decision.
const MaxDecisionBytes = 64 << 10

// MaxReasonBytes bounds the reason a verdict carries back to the publisher.
const MaxReasonBytes = 1024

// Verdict is one sync trigger's answer on an event about to be published.
type Verdict struct {
	TriggerID string `json:"trigger_id"`
	Approve   bool   `json:"approve"`
	Reason    string `json:"reason,omitempty"`
	// Outcome is how the action ran, for the trigger's delivery log.
	Outcome Outcome `json:"-"`
}

// Decide runs a sync trigger's action (http, javascript or lambda) on the event and
// returns its verdict. An http target approves with a 2xx answer whose body is empty or
// is a decision {"approve": bool, "reason": "…"} of at most MaxDecisionBytes; a script
// returns a decision; a function invoked RequestResponse answers one. Anything else
// (another status, a body that is not a decision or is too long, a timeout, a script
// error, a function error, a target the policy refuses, another action type) denies,
// unless the action says "on_error": "allow".
func (r *Runner) Decide(ctx context.Context, d Delivery) Verdict {
	v := Verdict{TriggerID: d.TriggerID}
	start := r.now()
	var err error
	switch d.Action.Type {
	case "http":
		v.Approve, v.Reason, err = r.decideHTTP(ctx, d, &v.Outcome)
	case "javascript":
		v.Approve, v.Reason, err = decideScript(ctx, d)
	case "lambda":
		v.Approve, v.Reason, err = r.decideLambda(ctx, d, &v.Outcome)
	default:
		err = fmt.Errorf("a %s action cannot decide; sync triggers take http, javascript or lambda", d.Action.Type)
	}
	if err != nil {
		v.Approve = d.Action.OnError == "allow"
		v.Reason = err.Error()
		if v.Approve {
			v.Reason = "allowed on error: " + v.Reason
		}
		v.Outcome.Err = err
	}
	v.Reason = truncateUTF8(v.Reason, MaxReasonBytes)
	v.Outcome.OK = v.Approve
	v.Outcome.Duration = r.now().Sub(start)
	return v
}

func (r *Runner) decideHTTP(ctx context.Context, d Delivery, o *Outcome) (bool, string, error) {
	if r.Webhooks == nil {
		return false, "", fmt.Errorf("http actions are not available in this function")
	}
	req, err := r.webhookRequest(d, d.Raw)
	if err != nil {
		return false, "", err
	}
	req.ReadBody = MaxDecisionBytes
	res := webhook.Send(ctx, r.Webhooks.Client, req)
	o.StatusCode, o.Response = res.StatusCode, res.ResponsePrefix
	switch {
	case res.Err != nil:
		return false, "", res.Err
	case !res.OK():
		return false, "", fmt.Errorf("the endpoint answered %d", res.StatusCode)
	case res.BodyTooLong:
		return false, "", fmt.Errorf("the answer is longer than %d bytes, so it is not a decision", MaxDecisionBytes)
	case res.BodyIncomplete:
		return false, "", fmt.Errorf("the answer could not be read whole")
	case len(bytes.TrimSpace(res.Body)) == 0:
		return true, "", nil
	}
	approve, reason, err := script.Decision(res.Body)
	if err != nil {
		return false, "", fmt.Errorf(`the answer is not a decision {"approve": bool, "reason": "…"}`)
	}
	return approve, reason, nil
}

// decideLambda invokes the function RequestResponse with the event, whatever the
// action's invocation_type (only an answer can decide), as the trigger's target: the
// policy is checked first, as before every send of Deliver's.
func (r *Runner) decideLambda(ctx context.Context, d Delivery, o *Outcome) (bool, string, error) {
	if r.Lambda == nil {
		return false, "", fmt.Errorf("lambda actions are not available in this function")
	}
	if field, msg := r.Policy.CheckSend(d.Action); msg != "" {
		return false, "", fmt.Errorf("refused: action.%s %s", field, msg)
	}
	// One attempt: the SDK would retry a failed call, and a decision is no place for that
	// — the partner's function may have run and acted the first time, and the caller of
	// a sync publish is waiting. A failure is decided by the action's on_error.
	out, err := r.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(d.Action.Function), InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: d.Raw},
		func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return false, "", fmt.Errorf("lambda: %w", err)
	}
	o.StatusCode, o.Response = int(out.StatusCode), truncateUTF8(string(out.Payload), webhook.MaxResponsePrefix)
	switch {
	case out.FunctionError != nil:
		return false, "", fmt.Errorf("lambda: the function failed: %s", aws.ToString(out.FunctionError))
	case len(out.Payload) > MaxDecisionBytes:
		return false, "", fmt.Errorf("the answer is longer than %d bytes, so it is not a decision", MaxDecisionBytes)
	}
	approve, reason, err := script.Decision(out.Payload)
	if err != nil {
		return false, "", fmt.Errorf(`the function's answer is not a decision {"approve": bool, "reason": "…"}`)
	}
	return approve, reason, nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func decideScript(ctx context.Context, d Delivery) (bool, string, error) {
	s, err := compile(d.Action.Script, "handle")
	if err != nil {
		return false, "", err
	}
	result, err := s.Run(ctx, d.Raw)
	if err != nil {
		return false, "", fmt.Errorf("script: %w", err)
	}
	return script.Decision(result)
}
