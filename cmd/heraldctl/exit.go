package main

import (
	"errors"
	"strings"

	"github.com/heraldhq/herald/client"
)

// Exit codes, for scripts.
const (
	exitOK        = 0
	exitFailed    = 1 // the request failed: network, server, timeout
	exitUsage     = 2 // the command line is wrong
	exitNotFound  = 3 // 404: missing, or not the caller's
	exitForbidden = 4 // 401/403: no or a bad token, or not allowed
	exitInvalid   = 5 // 400: the API refused the input
	exitVetoed    = 6 // 422: a sync trigger denied the event
)

// exitCode maps an error to its exit code.
func exitCode(err error) int {
	var ue *usageError
	var veto *client.VetoError
	switch {
	case errors.Is(err, errUsage), errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &veto):
		return exitVetoed
	case client.IsNotFound(err):
		return exitNotFound
	case client.IsUnauthorized(err), client.IsForbidden(err):
		return exitForbidden
	case client.IsInvalid(err):
		return exitInvalid
	}
	return exitFailed
}

// message is what heraldctl says about err: the API's problem with its fields, and a
// hint where one helps.
func message(err error) string {
	var ae *client.Error
	if errors.As(err, &ae) {
		var b strings.Builder
		b.WriteString(ae.Error())
		for _, f := range ae.Errors {
			b.WriteString("\n  " + f.Field + ": " + f.Message)
		}
		if client.IsUnauthorized(err) || client.IsForbidden(err) {
			b.WriteString("\n  (check --token or HERALD_TOKEN; `heraldctl token` mints one for the local stack)")
		}
		return b.String()
	}
	return err.Error()
}
