package trigger

import "github.com/heraldhq/herald/wire"

// Created is the answer to creating a trigger: the trigger as created (with its
// action's secret, shown this once), and warnings about the spec that did not stop the
// create (event types that Herald knows nothing of).
type Created struct {
	*Trigger
	Warnings []wire.Warning `json:"warnings,omitempty"`
}
