// Package meter counts the billable calls the local stack makes, by service, resource
// and operation, so that a workload run on herald-local can be priced as AWS would bill
// it (cmd/herald-cost, make cost).
//
// What is counted, and how:
//
//   - DynamoDB, SQS and SNS calls go through [Meter.Proxy], a reverse proxy in front of
//     each emulator endpoint: herald-local points its functions (AWS_ENDPOINT_URL_DYNAMODB,
//     _SQS, _SNS) and its own SQS event source mappings at it. Each call is counted under
//     its operation (the X-Amz-Target header of the JSON protocols, the Action form field
//     of the query protocol) and resource (table, queue or topic, by logical id). SQS
//     calls and SNS publishes are also counted as billed: one per 64 KiB chunk of payload,
//     and receives that returned no message apart, as what pollers make even when idle.
//     DynamoDB calls that read or write items are sent with ReturnConsumedCapacity TOTAL,
//     and the capacity the emulator reports (it applies AWS's rules: 1 KB per write unit,
//     4 KB per read unit, half for eventually consistent reads, the larger of the old and
//     new item) is counted as read and write request units; the ConsumedCapacity is taken
//     out of the answer again unless the caller asked for it, so that the caller sees
//     what it would have seen.
//   - HTTP API requests and Function URL requests, as devstack/gateway reports them
//     ([Meter.APIRequest], [Meter.FunctionURLRequest]): API Gateway bills per 512 KiB chunk.
//   - Lambda invocations and their durations, as devstack/lambdalocal reports them
//     ([Meter.Invocation]), with the function's memory size, from which GB-seconds follow.
//   - Bytes the functions log ([Meter.LogWriter]), which CloudWatch Logs would ingest.
//
// [Meter.Usage] is a snapshot of every counter, [Usage.Sub] the difference between two,
// and [Meter.Handler] serves the snapshot as JSON; [Fetch] reads it back.
//
// Nothing here ships: it measures the local stack only.
package meter
