// Package queues holds the queue consumers' bad-input suite: every function
// template.yaml feeds from SQS gets batches mixing poison records with good ones, through
// its real binary against a running stack, and so does the Bridge through the NATS
// stream it consumes.
//
// The tests are in the _test.go files; what they share with the other suites is in
// test/stacktest.
package queues
