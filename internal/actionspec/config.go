package actionspec

import (
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/internal/webhook"
)

// Config is an action as a trigger stores it: the fields of every type in one struct.
type Config struct {
	Type string `json:"type"`

	// http
	URL       string            `json:"url,omitempty"`
	Method    string            `json:"method,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	TimeoutMS int               `json:"timeout_ms,omitempty"`
	Format    string            `json:"format,omitempty"` // native | cloudevents | form
	Secret    string            `json:"secret,omitempty"`
	// PreviousSecrets still sign, during a rotation, so that receivers that have not
	// switched to Secret yet keep verifying.
	PreviousSecrets []string `json:"previous_secrets,omitempty"`
	OnError         string   `json:"on_error,omitempty"` // sync: allow | deny (default)

	// sqs; MessageGroupID also for FIFO sns topics
	QueueURL       string `json:"queue_url,omitempty"`
	MessageGroupID string `json:"message_group_id,omitempty"`
	// sns
	TopicARN string `json:"topic_arn,omitempty"`
	// lambda
	Function       string `json:"function,omitempty"`
	InvocationType string `json:"invocation_type,omitempty"` // Event (default) | RequestResponse
	// nats
	Subject string `json:"subject,omitempty"`
	// RequireListener makes a publish that nothing receives (no stream captures the
	// subject, no subscriber listens) a failed attempt instead of a delivery.
	RequireListener bool `json:"require_listener,omitempty"`
	// javascript
	Script string `json:"script,omitempty"`

	// Transform, for any type, is a script defining function transform(event) whose
	// result is the payload delivered instead of the event.
	Transform string `json:"transform,omitempty"`
}

// ParseConfig reads a stored action.
func ParseConfig(raw json.RawMessage) (*Config, error) {
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("action: unreadable: %w", err)
	}
	return &c, nil
}

// Secrets returns the keys an http action signs with: the current secret first, then
// those of a rotation.
func (c *Config) Secrets() ([][]byte, error) {
	var out [][]byte
	for i, s := range append([]string{c.Secret}, c.PreviousSecrets...) {
		if s == "" && i == 0 {
			return nil, fmt.Errorf("the http action has no secret")
		}
		k, err := webhook.ParseSecret(s)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}
