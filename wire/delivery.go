package wire

import "time"

// The statuses of a delivery, which GET /v1/triggers/{id}/deliveries?status=… selects.
const (
	StatusQueued    = "queued"    // waiting for its action to run
	StatusRetrying  = "retrying"  // an attempt failed; the next one is scheduled
	StatusSucceeded = "succeeded" // the action succeeded
	StatusExhausted = "exhausted" // every attempt failed, or one failed for good
	StatusSkipped   = "skipped"   // not run: the trigger was disabled or deleted
	// A sync trigger's verdict on an event about to be published: its action ran once,
	// while the publisher waited, and is never retried.
	StatusApproved = "approved"
	StatusDenied   = "denied"
)

// Statuses lists the statuses of a delivery.
var Statuses = []string{StatusQueued, StatusRetrying, StatusSucceeded, StatusExhausted, StatusSkipped, StatusApproved, StatusDenied}

// Delivery is one run of a trigger's action for one event, as the delivery log shows
// it.
type Delivery struct {
	TriggerID string `json:"trigger_id"`
	ID        string `json:"id"`
	EventUUID string `json:"event_uuid"`
	Status    string `json:"status"` // one of Statuses
	// Attempts counts the attempts made, over every retry of the delivery.
	Attempts int `json:"attempts"`
	// Log holds the attempts, oldest first.
	Log []Attempt `json:"log"`
	// NextAttemptAt is when the next attempt is due, while StatusRetrying.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Attempt is one run of a delivery's action.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // the HTTP status, for http actions
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response,omitempty"` // the beginning of the response body
}
