package testenv

import (
	"testing"
	"time"
)

// WaitFor polls cond until it returns true, and fails the test if that takes longer than
// timeout. Tests wait for asynchronous effects with it instead of sleeping for a guess.
// msg says what is awaited, for the failure message.
func WaitFor(t testing.TB, timeout time.Duration, cond func() bool, msg string) {
	t.Helper()
	if !Poll(timeout, cond) {
		t.Fatalf("testenv: timed out after %v waiting for %s", timeout, msg)
	}
}

// Poll polls cond until it returns true or timeout passes, and reports whether it did:
// WaitFor for a test that wants to say itself what was missing.
func Poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(delay)
	}
}
