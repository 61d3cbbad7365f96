package fanout

import (
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/trace"
)

// The message attribute names, part of Herald's public contract with subscribers.
const (
	AttrEvent         = "event"
	AttrDomain        = "domain"
	AttrUUID          = "uuid"
	AttrResourceType  = "resource_type"
	AttrResourcePath  = "resource_path"
	AttrUserID        = "user_id"
	AttrHasRecipients = "has_recipients"
	AttrSequence      = "sequence"
	// AttrTraceHeader is the X-Ray trace header of the invocation that published the
	// event, when it had one: the Router hands it on to the delivery task.
	AttrTraceHeader = "trace_header"
	// AttrResourceID and AttrNamespaces are carried by sqs and sns actions' messages only
	// (package action), not by Herald's topic, which keeps within SNS's ten attributes of a
	// raw delivery to SQS with sequence and trace_header.
	AttrResourceID = "resource_id"
	AttrNamespaces = "namespaces"
)

// MaxAttributes is how many message attributes SNS delivers raw to an SQS queue, and SQS
// takes on a message: a message with more is discarded. Herald's topic uses at most 9
// (Attributes and WithTrace); an action's message at most 9 too.
const MaxAttributes = 10

// Attributes returns the message attributes for e, stored at stream sequence seq: event,
// domain, uuid, resource_type, resource_path, user_id, has_recipients and sequence. SNS
// refuses empty attribute values, so attributes the event does not have are left out
// (a filter policy can test for them with "exists").
func Attributes(e *event.Event, seq uint64) map[string]types.MessageAttributeValue {
	attrs := make(map[string]types.MessageAttributeValue, MaxAttributes)
	str := func(name, v string) {
		if v != "" {
			attrs[name] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
		}
	}
	str(AttrEvent, e.Event)
	str(AttrDomain, e.Domain())
	str(AttrUUID, e.UUID)
	if e.Resource != nil {
		str(AttrResourceType, e.Resource.Type)
	}
	str(AttrResourcePath, e.Path())
	if e.User != nil {
		str(AttrUserID, e.User.ID)
	}
	str(AttrHasRecipients, strconv.FormatBool(e.HasRecipients()))
	if seq > 0 {
		attrs[AttrSequence] = types.MessageAttributeValue{DataType: aws.String("Number"), StringValue: aws.String(strconv.FormatUint(seq, 10))}
	}
	return attrs
}

// WithTrace adds the trace header to attrs when it is a valid one (trace.Valid): it
// comes from the publisher's NATS message, and SNS would refuse the whole message for a
// malformed attribute.
func WithTrace(attrs map[string]types.MessageAttributeValue, header string) map[string]types.MessageAttributeValue {
	if trace.Valid(header) {
		attrs[AttrTraceHeader] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(header)}
	}
	return attrs
}

// attributesSize approximates what the attributes add to a message's size as SNS counts
// it: names, data types and values.
func attributesSize(attrs map[string]types.MessageAttributeValue) int {
	n := 0
	for k, v := range attrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}
