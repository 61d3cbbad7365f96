package localstack

import "path/filepath"

// ActionsPasswordFile is where the state folder keeps the NATS actions user's password:
// kept there, so that a restart keeps the password the functions were given, and so that
// `herald-local invoke` finds the running stack's.
func ActionsPasswordFile(state string) string {
	return filepath.Join(state, "nats-actions-password")
}
