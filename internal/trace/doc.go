// Package trace carries an event's X-Ray trace header from the invocation that published
// it to the ones that route and deliver it, so that on AWS one trace (and, locally and
// on AWS alike, one trace id in the logs) follows an event through Herald.
//
// The header travels with the event: as the NATS header X-Amzn-Trace-Id on the stream,
// as the SNS message attribute trace_header (which raw delivery hands to the queues as a
// message attribute), in the delivery task, and as the SQS system attribute
// AWSTraceHeader of the task's message, by which X-Ray links the Deliver invocation to
// the publishing one. SNS's own active tracing cannot do this for Herald: it takes one
// header per PublishBatch call, and the Bridge's batches mix events of many traces.
package trace
