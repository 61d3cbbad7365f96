// Package workload drives the fixed workload that the cost model prices (cmd/herald-cost,
// make cost) through a running local stack, as a publisher, a webhook receiver and a
// consumer would: events published with POST /v1/events in batches, one trigger whose
// webhook every event matches, delivered to a receiver of its own, and one consumer that
// fetches the events in batches and acknowledges each batch.
//
// [Prepare] makes the receiver, the trigger and the consumer; [Run.Drive] publishes the
// events and waits until every one was delivered to the webhook and acknowledged by the
// consumer, and until the stack's queues are drained, so that no call the workload caused
// is still to come. A caller that meters the stack (devstack/meter) takes its snapshots
// around Drive, which leaves the setup out of the count.
//
// The whole-system suite test/cost runs it at a small scale against herald-local.
// Nothing here ships.
package workload
