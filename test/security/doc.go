// Package security holds the security suite: every route of template.yaml called
// without a token, with another user's token, with a scoped token and with a permission
// missing, the administrators' routes included, gets its documented answer; secrets
// appear in no later answer and no log line; the NATS actions user is confined by the
// server; a consumer's dropped messages are told to its owner only; webhooks to internal networks are refused; a trigger without a path spans
// every resource only for an administrator, while one of announcements gets nothing
// but system events; stream tickets open their own consumer's stream once and nothing
// else, are refused expired, altered or forged, and reach no log; and the per-user
// quotas hold.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package security
