// Package bridge relays the HERALD_EVENTS stream to the SNS topic through the durable
// JetStream consumer "herald-bridge".
//
// A message is acknowledged to NATS only after SNS accepted it, so a crash at any point
// loses nothing: what was not acknowledged comes back after the consumer's AckWait.
// Entries SNS refuses are retried a few times at once, then NAKed with a growing delay, so
// an SNS outage turns into redeliveries, not losses. A message that is not a valid event
// (published straight to NATS) is copied to the dead-letter subject with a Herald-Error
// header and terminated, so it never blocks the events behind it.
//
// The same loop serves two ways: Run until a deadline (the scheduled Lambda) or until
// cancelled (the long-running daemon of the local stack).
package bridge
