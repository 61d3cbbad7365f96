// Package actions holds the hostile-tenant suite of trigger actions: each attack that
// once turned Herald's own powers against Herald or another user, tried through the API
// as a tenant would, every action type against Herald's own resource, an allowed target
// and one outside the operator's allow-list, loops of actions, and sync triggers that
// fail closed; and what actions deliver besides the event (form webhooks, message
// attributes, nats actions a stream acknowledges, sync and failing lambda actions, the
// latter through functions of a partner's that the stack runs, testdata/partner), with
// the attacks on that.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package actions
