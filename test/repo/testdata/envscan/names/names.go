// Package names holds variable names that other packages read, and a stream name.
package names

import "os"

const (
	// Timeout names the variable app reads through this constant.
	Timeout = "HERALD_APP_TIMEOUT"
	// Stream is a JetStream stream name, not a variable.
	Stream = "HERALD_APP_EVENTS"
)

// Level is read when the package is initialised, whoever calls what.
var Level = os.Getenv("HERALD_APP_LEVEL")

// Unread reads a variable, but nothing calls it.
func Unread() string {
	return os.Getenv("HERALD_APP_UNREAD")
}
