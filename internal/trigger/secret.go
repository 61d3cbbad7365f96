package trigger

import (
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/webhook"
)

// EnsureSecret gives an http action a signing secret when it has none: the one of
// previous (the action it replaces) when that had one, else a new "whsec_…" secret. A
// secret the owner gives must parse.
func (s *Spec) EnsureSecret(previous json.RawMessage) error {
	var a map[string]json.RawMessage
	if err := json.Unmarshal(s.Action, &a); err != nil {
		return err
	}
	var typ, secret string
	_ = json.Unmarshal(a["type"], &typ)
	if typ != "http" {
		return nil
	}
	if raw, ok := a["secret"]; ok {
		if json.Unmarshal(raw, &secret) != nil {
			return fault.Field("action.secret", `must be a string "whsec_<base64>"`)
		}
		if _, err := webhook.ParseSecret(secret); err != nil {
			return fault.Field("action.secret", `must be "whsec_" followed by the base64 of the key`)
		}
		return nil
	}
	var prev map[string]json.RawMessage
	if json.Unmarshal(previous, &prev) == nil && prev["secret"] != nil {
		a["secret"] = prev["secret"]
	} else {
		secret, err := webhook.NewSecret()
		if err != nil {
			return fmt.Errorf("trigger: making a secret: %w", err)
		}
		a["secret"], _ = json.Marshal(secret)
	}
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	s.Action = b
	return nil
}
