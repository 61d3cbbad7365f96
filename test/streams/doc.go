// Package streams holds the tests of a consumer's stream through the whole local
// stack: a stream ends when its token expires, a user holds at most MaxStreamsPerUser
// streams at once, and a client that leaves a stream leaves nothing behind.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package streams
