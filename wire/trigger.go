package wire

import (
	"encoding/json"
	"time"
)

// The modes of a trigger (TriggerSpec.Mode).
const (
	// ModeAsync runs the action after the event is published, with retries; the
	// default.
	ModeAsync = "async"
	// ModeSync has the action approve or veto the event before it is published.
	ModeSync = "sync"
)

// TriggerSpec is what the owner says about a trigger: the body of creating
// (POST /v1/triggers) and replacing (PUT /v1/triggers/{id}) one. The server refuses
// members it does not know.
type TriggerSpec struct {
	// Name is 1 to 128 bytes.
	Name     string          `json:"name"`
	Resource TriggerResource `json:"resource"`
	// Events are event type patterns ("job.*", "*"). Without any, a condition of the
	// filter on "event" selects the events, as in OMAPI ({"event":
	// "resource.ResourceCreated"}); without that either, the trigger is a placeholder,
	// which runs only when fired.
	Events []string `json:"events"`
	// Filter is a filter on the event's members (see the API's documentation).
	Filter json.RawMessage `json:"filter,omitempty"`
	// Action is what runs: a JSON object whose "type" says which kind ("http",
	// "javascript", …) and whose other members configure it.
	Action json.RawMessage `json:"action"`
	// Mode is ModeAsync or ModeSync; empty is ModeAsync.
	Mode  string        `json:"mode"`
	Retry *TriggerRetry `json:"retry,omitempty"`
	// Enabled is whether the action runs; absent is true.
	Enabled *bool `json:"enabled,omitempty"`
}

// TriggerResource is a trigger's scope: the events about the resource at Path, and
// with IncludeSubresources those about every resource below it.
type TriggerResource struct {
	// Path is required, except of a trigger that spans every path: an administrator's,
	// or one that selects only system.* events (announcements).
	Path                string `json:"path,omitempty"`
	IncludeSubresources bool   `json:"include_subresources"`
	// Type, when set, is a pattern the event's resource.type must match ("job",
	// "itemsvc.*"); "*" matches any run of characters.
	Type string `json:"type,omitempty"`
}

// TriggerRetry is an async trigger's retry policy.
type TriggerRetry struct {
	// Schedule holds the pauses before each retry, as Go durations ("5s", "2h").
	Schedule []string `json:"schedule"`
}

// Trigger is a stored trigger, as the API shows it. Only the answer of creating it
// shows its action's secret.
type Trigger struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	TriggerSpec
	// DisabledReason says why Herald or an administrator disabled the trigger; empty
	// when its owner did, or while it is enabled.
	DisabledReason string `json:"disabled_reason,omitempty"`
	// ExhaustedInRow counts the deliveries exhausted since the last that succeeded.
	ExhaustedInRow int `json:"exhausted_in_row"`
	// Placeholder is true of a trigger that matches no published event (no events, and
	// no condition of its filter on "event") and runs only when fired.
	Placeholder bool      `json:"placeholder"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Warnings are in the answer to a create only: event types in the spec that
	// Herald knows nothing of, which are likely misspelt. The trigger is made all the
	// same.
	Warnings []Warning `json:"warnings,omitempty"`
}

// IsEnabled reports whether the trigger runs its action: Enabled absent or true.
func (t *Trigger) IsEnabled() bool { return t.Enabled == nil || *t.Enabled }
