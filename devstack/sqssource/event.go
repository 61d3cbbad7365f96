package sqssource

import (
	"maps"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// eventSource is the eventSource of every record Lambda delivers from SQS.
const eventSource = "aws:sqs"

// newEvent returns the event Lambda would invoke a function with for these messages,
// received from the queue with this ARN in this region.
func newEvent(msgs []types.Message, queueARN, region string) awsevents.SQSEvent {
	records := make([]awsevents.SQSMessage, len(msgs))
	for i, m := range msgs {
		records[i] = newRecord(m, queueARN, region)
	}
	return awsevents.SQSEvent{Records: records}
}

// newRecord returns one message as an event record. Lambda writes empty maps and lists
// rather than null, and so does this: handlers written against real events may range
// over them or index them without a nil check in a language where that matters.
func newRecord(m types.Message, queueARN, region string) awsevents.SQSMessage {
	attrs := make(map[string]string, len(m.Attributes))
	maps.Copy(attrs, m.Attributes)
	msgAttrs := make(map[string]awsevents.SQSMessageAttribute, len(m.MessageAttributes))
	for name, v := range m.MessageAttributes {
		msgAttrs[name] = awsevents.SQSMessageAttribute{
			StringValue:      v.StringValue,
			BinaryValue:      v.BinaryValue,
			StringListValues: orEmpty(v.StringListValues),
			BinaryListValues: orEmpty(v.BinaryListValues),
			DataType:         aws.ToString(v.DataType),
		}
	}
	return awsevents.SQSMessage{
		MessageId:              aws.ToString(m.MessageId),
		ReceiptHandle:          aws.ToString(m.ReceiptHandle),
		Body:                   aws.ToString(m.Body),
		Md5OfBody:              aws.ToString(m.MD5OfBody),
		Md5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes),
		Attributes:             attrs,
		MessageAttributes:      msgAttrs,
		EventSourceARN:         queueARN,
		EventSource:            eventSource,
		AWSRegion:              region,
	}
}

// orEmpty returns s, or an empty slice if s is nil, for JSON's [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
