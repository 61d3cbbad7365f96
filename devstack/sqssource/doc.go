// Package sqssource runs SQS event source mappings for Lambda functions run locally: it
// does what Lambda's pollers do for a function with an SQS event in template.yaml,
// against the local SQS emulator.
//
// [Run] polls one queue for one function until its context ends. Each of its pollers
// ([Mapping.Pollers], 2 by default) repeats these steps:
//
//   - Receive. ReceiveMessage long-polls the queue for at most 5 seconds at a time, asking
//     for min(10, messages still wanted) messages with every message attribute and every
//     system attribute (MessageAttributeNames and MessageSystemAttributeNames "All").
//     Lambda waits 20 seconds; the shorter wait is for the local stack's sake: a poll
//     abandoned on shutdown can still take a message that arrives while it waits, and
//     that message then stays hidden for the queue's visibility timeout.
//
//   - Gather. Without a batching window ([Mapping.Window], MaximumBatchingWindowInSeconds)
//     the messages of the first receive that returns any are the batch. With one, the
//     poller goes on receiving until it holds [Mapping.BatchSize] messages (10 by default,
//     at most 10000) or the window, which starts when the batch's first message arrives,
//     has passed. Those later polls never wait past the window, so no receive is ever
//     abandoned while the mapping runs. As in Lambda, a batch size above 10 needs a
//     window. Lambda's 6 MB payload limit on a batch is not modelled.
//
//   - Invoke. The batch becomes an events.SQSEvent, built as Lambda builds it: for each
//     message its messageId, receiptHandle, body, md5OfBody, md5OfMessageAttributes, the
//     system attributes (ApproximateReceiveCount, SentTimestamp, SenderId,
//     ApproximateFirstReceiveTimestamp, and for FIFO queues MessageGroupId,
//     MessageDeduplicationId and SequenceNumber), its messageAttributes (stringValue or
//     binaryValue, dataType, and empty stringListValues and binaryListValues), eventSource
//     "aws:sqs", eventSourceARN (the queue's ARN) and awsRegion. Its JSON goes to
//     [Mapping.Invoker], the function.
//
//   - Delete. If the invocation failed (the Invoker returned an error: the function
//     returned an error, timed out or crashed), nothing is deleted: every message comes
//     back once its visibility timeout ends, and after the queue's maxReceiveCount
//     receives its redrive policy moves it to the dead-letter queue, which is the
//     emulator's job, as it is SQS's. If it succeeded, every message is deleted, unless
//     the mapping has ReportBatchItemFailures ([Mapping.ReportBatchItemFailures]): then
//     the response is read as an events.SQSEventResponse and every message except those
//     it lists in batchItemFailures is deleted. As in Lambda, an empty or null response,
//     or an empty or missing list, means that every message succeeded, and a response
//     that is not such JSON, or an itemIdentifier that is empty or is not the messageId
//     of a message in the batch, means that the whole batch failed. Deletes go in
//     DeleteMessageBatch calls of up to 10 messages, and are made even when the context
//     ended during the invocation, so that a batch the function processed is not
//     processed twice.
//
// A function may change the visibility of a message of its batch itself, with
// ChangeMessageVisibility and the message's receipt handle, say to retry a failed message
// sooner or later than the queue's visibility timeout: the mapping neither helps nor
// hinders.
//
// Errors from SQS are logged and retried with a growing pause; they do not stop Run.
package sqssource
