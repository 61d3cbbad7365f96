package action

import "github.com/heraldhq/herald/internal/actionspec"

// Config is an action as a trigger stores it (package actionspec defines and checks it).
type Config = actionspec.Config

// ParseConfig reads a stored action.
func ParseConfig(raw []byte) (*Config, error) { return actionspec.ParseConfig(raw) }
