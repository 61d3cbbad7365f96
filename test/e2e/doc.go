// Package e2e holds the end-to-end tests of the local stack, started as a user starts
// it: the banner's commands run as printed, an event followed through the topic, a
// consumer and its stream, an inbox, a trigger's webhook, a lambda action, retries and a
// replay; triggers without events (OMAPI's, whose filter selects them) or without a path
// (an administrator's whole tree, anyone's announcements); make invoke; a clean stop on SIGINT; the Go client over every kind of route
// with each answer checked against openapi.yaml; the functions' metrics, on
// herald-local's /metrics page and in their EMF lines; a message that exhausts
// max_deliver leaving one notice in its owner's inbox, and a small StreamMaxBytes
// discarding the oldest events of a flood; and the end-to-end latency benchmark.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package e2e
