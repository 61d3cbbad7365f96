// Package bus connects Herald to NATS JetStream, the event bus: it opens connections
// (URL, credentials, TLS), makes sure the HERALD_EVENTS and dead-letter streams exist with
// the configured shelf life and dedupe window, and publishes events with the event uuid as
// Nats-Msg-Id so that a publisher's retry never stores an event twice.
package bus
