package wire

import "encoding/json"

// Step is one condition of a trigger's filter and how it fared on an event, as testing
// a trigger explains it (POST /v1/triggers/{id}/test). The event type comes first, then
// the conditions in the order of their keys in each filter object, those of an "$or"
// after the "$or" itself.
type Step struct {
	// Field is the condition's place in the filter: "data.jobType", "$or[1].event", or
	// "$or" for the "$or" itself.
	Field string `json:"field"`
	// Path is the event path the condition tests; empty for an "$or".
	Path string `json:"path,omitempty"`
	// Operator is "equals", "any-of", "$or", or the operator or "wildcard" of the
	// condition.
	Operator string `json:"operator"`
	// Operand is the condition's value as written in the filter; empty for an "$or".
	Operand json.RawMessage `json:"operand,omitempty"`
	// Found is what the event holds at Path, with arrays replaced by their elements; nil
	// when the path is missing.
	Found []json.RawMessage `json:"found"`
	// Matched reports whether the condition holds.
	Matched bool `json:"matched"`
}
