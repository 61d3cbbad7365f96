// Package advisory turns JetStream's max-deliveries advisories into notices to the
// owners of the consumers that dropped messages.
//
// A consumer with a max_deliver gives a message up after that many deliveries without an
// acknowledgement; the server then publishes an advisory, which the HERALD_ADVISORIES
// stream keeps (internal/bus). The Processor reads that stream through the durable
// consumer "herald-advisories" and, for each consumer and hour, keeps one MESSAGE_DROPPED
// notice in the consumer's owner's inbox whose count grows in place (inbox.Store.AddTally).
// An advisory is acknowledged only once its notice is written. One that cannot be read,
// or names a consumer that is not Herald's (the bridge's own durable, anything else on
// the stream) or no longer has a record, is acknowledged and logged: it never blocks the
// others.
package advisory
