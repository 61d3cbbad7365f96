// Package readme runs the README's shell examples as written against a local stack:
// the heraldctl tour, line by line in one shell, and every API example.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package readme
