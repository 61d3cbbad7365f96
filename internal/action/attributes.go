package action

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

// DataTypeStringArray is the data type of the namespaces attribute. SNS knows it as a
// list (a JSON array that filter policies match element by element). SQS has no list
// type, but takes any data type that starts with String, so an sqs action's message
// carries the same JSON array text under the same name: a consumer parses it as JSON,
// whichever way the message came. A comma-joined string could not be split back, since
// namespaces may hold commas.
const DataTypeStringArray = "String.Array"

// snsAttributes returns the message attributes of an sqs or sns action's message: those
// of Herald's own topic but sequence (event, domain, uuid, resource_type, resource_path,
// user_id, has_recipients), so that subscribers filter the same way, and besides them
// resource_id and namespaces: nine at most, within the ten that SQS takes on a message
// and that SNS delivers raw to a queue. An attribute the event lacks is left out, as is a
// value SQS could not carry (a control character in a user or resource id): the message
// is still sent, and its body has the value.
func snsAttributes(e *event.Event) map[string]snstypes.MessageAttributeValue {
	attrs := fanout.Attributes(e, 0)
	if r := e.Resource; r != nil {
		if r.ID != "" {
			attrs[fanout.AttrResourceID] = snstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(r.ID)}
		}
		if len(r.Namespaces) > 0 {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false) // the namespaces as given, "<" and "&" included
			if enc.Encode(r.Namespaces) == nil {
				attrs[fanout.AttrNamespaces] = snstypes.MessageAttributeValue{DataType: aws.String(DataTypeStringArray), StringValue: aws.String(string(bytes.TrimSpace(b.Bytes())))}
			}
		}
	}
	for name, v := range attrs {
		if !sqsCarries(aws.ToString(v.StringValue)) {
			delete(attrs, name)
		}
	}
	return attrs
}

// sqsAttributes returns snsAttributes as SQS message attributes.
func sqsAttributes(e *event.Event) map[string]sqstypes.MessageAttributeValue {
	attrs := snsAttributes(e)
	out := make(map[string]sqstypes.MessageAttributeValue, len(attrs))
	for name, v := range attrs {
		out[name] = sqstypes.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue}
	}
	return out
}

// sqsCarries reports whether s holds only characters SQS allows in a message attribute:
// tab, line feed, carriage return and everything from space on but surrogates, U+FFFE
// and U+FFFF.
func sqsCarries(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}
