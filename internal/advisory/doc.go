// Package advisory turns JetStream's max-deliveries advisories into notices to the
// owners of the consumers that dropped messages.
//
// A consumer with a max_deliver gives a message up after that many deliveries without an
// acknowledgement; the server then publishes an advisory, which the HERALD_ADVISORIES
// stream keeps (internal/bus). The Processor reads that stream through the durable
// consumer "herald-advisories" and, for each consumer and hour, keeps one MESSAGE_DROPPED
// notice in the consumer's owner's inbox whose count grows in place (inbox.Store.AddTally).
// An advisory is acknowledged only once its notice is written; each addition is marked
// with the advisories' sequences on HERALD_ADVISORIES, so that advisories handled again
// (not acknowledged before a run stopped) count once. The hour of a drop is when the
// stream stored its advisory, which only the server sets. One that cannot be read, names
// a consumer that is not Herald's (the bridge's own durable, anything else on the
// stream), whose record is gone or cannot be decoded, or that the record's max_deliver
// denies (a forgery: the server gives a message up only after max_deliver deliveries) is
// acknowledged and logged: it never blocks the others.
package advisory
