// Package consumers holds the tests of consumer settings through the whole local stack:
// a changed ack wait and a back-off redeliver when they say, a paused consumer delivers
// nothing until resumed, last_per_subject starts at the last event of each subject, and
// a filter, like the rule that only valid events are shown, holds in batches and streams.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package consumers
