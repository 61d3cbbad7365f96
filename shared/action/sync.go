package action

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/shared/script"
	"github.com/heraldhq/herald/shared/webhook"
)

// Verdict is one sync trigger's answer on an event about to be published.
type Verdict struct {
	TriggerID string `json:"trigger_id"`
	Approve   bool   `json:"approve"`
	Reason    string `json:"reason,omitempty"`
}

// Decide runs a sync trigger's action (http or javascript) on the event and returns its
// verdict. An http target approves with a 2xx answer, unless its JSON body says
// {"approve": false, "reason": "…"}; a script returns {"approve": bool, "reason": "…"}.
// Anything else (another status, a timeout, a script error) denies, unless the action
// says "on_error": "allow".
func (r *Runner) Decide(ctx context.Context, d Delivery) Verdict {
	v := Verdict{TriggerID: d.TriggerID}
	var err error
	switch d.Action.Type {
	case "http":
		v.Approve, v.Reason, err = r.decideHTTP(ctx, d)
	case "javascript":
		v.Approve, v.Reason, err = decideScript(ctx, d)
	default:
		err = fmt.Errorf("a %s action cannot decide; sync triggers take http or javascript", d.Action.Type)
	}
	if err != nil {
		v.Approve = d.Action.OnError == "allow"
		v.Reason = err.Error()
		if v.Approve {
			v.Reason = "allowed on error: " + v.Reason
		}
	}
	return v
}

func (r *Runner) decideHTTP(ctx context.Context, d Delivery) (bool, string, error) {
	if r.Webhooks == nil {
		return false, "", fmt.Errorf("http actions are not available in this function")
	}
	req, err := r.webhookRequest(d, d.Raw)
	if err != nil {
		return false, "", err
	}
	res := webhook.Send(ctx, r.Webhooks.Client, req)
	switch {
	case res.Err != nil:
		return false, "", res.Err
	case !res.OK():
		return false, "", fmt.Errorf("the endpoint answered %d", res.StatusCode)
	}
	var answer struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if json.Unmarshal([]byte(res.ResponsePrefix), &answer) == nil && answer.Approve != nil {
		return *answer.Approve, answer.Reason, nil
	}
	return true, "", nil
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
