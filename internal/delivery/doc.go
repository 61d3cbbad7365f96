// Package delivery keeps the deliveries of triggers' actions: the task the Router queues
// for each (trigger, event) pair that matched, and the delivery record in the Deliveries
// table that makes queuing it idempotent.
//
// A delivery's id is derived from the event's uuid and the trigger id (see ID), so an
// event routed twice (SQS delivers at least once) finds its delivery already recorded.
// The Router records the delivery first (Claim), then sends the task, then marks it
// queued (MarkQueued); a Router that dies between sending and marking sends the task
// again on the event's redelivery, which Deliver recognizes by the delivery id.
package delivery
