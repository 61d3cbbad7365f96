package trigger

import (
	"encoding/json"
	"time"
)

// Modes of a trigger.
const (
	Async = "async" // the action runs after the event is published, with retries
	Sync  = "sync"  // the action approves or vetoes the event before it is published
)

// DefaultSchedule is the retry schedule of a trigger that gives none: seven attempts
// after the first over about a day.
var DefaultSchedule = []string{"5s", "5m", "30m", "2h", "5h", "10h", "10h"}

// Resource is a trigger's scope.
type Resource struct {
	// Path is the resource the trigger is about. Empty (absent) makes the trigger span
	// every path: allowed to an administrator, or for a trigger that selects only
	// system events (announcements); see Spec.Authorize.
	Path                string `json:"path,omitempty"`
	IncludeSubresources bool   `json:"include_subresources"`
	// Type, when set, is a pattern the event's resource.type must match ("job",
	// "itemsvc.*"); "*" matches any run of characters.
	Type string `json:"type,omitempty"`
}

// Retry is a trigger's retry policy.
type Retry struct {
	Schedule []string `json:"schedule"` // Go durations, one per retry
}

// Spec is what the owner says about a trigger: the body of create and replace.
type Spec struct {
	Name     string          `json:"name"`
	Resource Resource        `json:"resource"`
	Events   []string        `json:"events"`
	Filter   json.RawMessage `json:"filter,omitempty"`
	Action   json.RawMessage `json:"action"`
	Mode     string          `json:"mode"`
	Retry    *Retry          `json:"retry,omitempty"`
	Enabled  *bool           `json:"enabled,omitempty"`
	// Writable are the paths inside the scope under which the owner held WRITE when
	// they last saved the trigger: where its javascript action may publish events as
	// them. Herald sets it from the owner's token; the API never shows it.
	Writable []string `json:"writable,omitempty"`
}

// Trigger is a stored trigger.
type Trigger struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	Spec
	// DisabledReason says why Herald disabled the trigger (a 410 answer, too many
	// exhausted deliveries); empty when the owner did, or when it is enabled.
	DisabledReason string `json:"disabled_reason,omitempty"`
	// ExhaustedInRow counts the deliveries exhausted since the last that succeeded.
	ExhaustedInRow int `json:"exhausted_in_row"`
	// Placeholder says that the trigger matches no published event and runs only when
	// fired (IsPlaceholder). Derived for the API's answers (View, WithSecrets), never stored:
	// an empty events list alone does not tell, as the filter may select the events.
	Placeholder bool      `json:"placeholder"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`

	version string // its place on the changes index
	deleted bool   // a tombstone, kept for the Router to see the deletion
}

// IsEnabled reports whether the trigger runs its action.
func (t *Trigger) IsEnabled() bool { return t.Enabled == nil || *t.Enabled }

// Deleted reports whether t is the tombstone of a deleted trigger (Store.Changes only).
func (t *Trigger) Deleted() bool { return t.deleted }

// IsPlaceholder reports whether the trigger selects no events, neither in events nor
// by a condition of its filter on the event type: it never matches published events
// and runs only when fired.
func (t *Trigger) IsPlaceholder() bool { return len(t.MatchEvents()) == 0 }

// ScheduleDurations returns the retry schedule as durations. The spec was validated, so
// every entry parses.
func (s *Spec) ScheduleDurations() []time.Duration {
	sched := DefaultSchedule
	if s.Retry != nil {
		sched = s.Retry.Schedule
	}
	out := make([]time.Duration, 0, len(sched))
	for _, d := range sched {
		if v, err := time.ParseDuration(d); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// WithSecrets returns t as the answer of creating it shows it: the one answer with the
// action's secrets, so that the owner can configure the receiver with them.
func (t *Trigger) WithSecrets() *Trigger {
	v := *t
	v.Writable = nil
	v.Placeholder = t.IsPlaceholder()
	return &v
}

// View returns t as the API shows it after creation: the action without its secrets
// (an http action's "secret" and "previous_secrets"), which are shown once, when they
// are made.
func (t *Trigger) View() *Trigger {
	v := t.WithSecrets()
	var action map[string]json.RawMessage
	if json.Unmarshal(t.Action, &action) == nil {
		_, secret := action["secret"]
		_, previous := action["previous_secrets"]
		if secret || previous {
			delete(action, "secret")
			delete(action, "previous_secrets")
			v.Action, _ = json.Marshal(action)
		}
	}
	return v
}
