// Package heraldctl holds the tests of the heraldctl command against a local stack:
// consumers, publishing, fetching (once and --follow), acknowledging, triggers and their
// deliveries, the inbox, minted tokens, the admin commands and the exit codes scripts use.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package heraldctl
