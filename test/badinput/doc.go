// Package badinput holds the bad-input suite: every route of template.yaml gets
// malformed, mistyped, oversized, deep, unknown, out-of-range and forged input, and
// answers each with its documented 4xx, naming the field where the design says so, while
// nothing the owner holds, nor the event stream, changes.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package badinput
