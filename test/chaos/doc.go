// Package chaos holds the no-loss suite: while events flow, the Bridge, Router,
// Deliver, NATS and the SQS emulator are killed at random moments, and every event the
// API accepted must still reach every place it is owed. make test runs a short form
// (HERALD_CHAOS_KILLS unset: 6 kills); make test-chaos runs it at length.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package chaos
