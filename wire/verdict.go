package wire

// Verdict is one sync trigger's answer on an event about to be published: in the
// answer of a sync publish, and as the denials of a veto.
type Verdict struct {
	TriggerID string `json:"trigger_id"`
	Approve   bool   `json:"approve"`
	Reason    string `json:"reason,omitempty"`
}
