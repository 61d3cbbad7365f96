package sqssource

import (
	"encoding/json"
	"reflect"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestNewRecord(t *testing.T) {
	const arn, region = "arn:aws:sqs:us-east-1:000000000000:q", "us-east-1"
	tests := []struct {
		name string
		msg  types.Message
		want awsevents.SQSMessage
	}{
		{
			name: "bare",
			msg:  types.Message{MessageId: aws.String("id"), ReceiptHandle: aws.String("rh"), Body: aws.String("b"), MD5OfBody: aws.String("md5")},
			want: awsevents.SQSMessage{
				MessageId: "id", ReceiptHandle: "rh", Body: "b", Md5OfBody: "md5",
				Attributes: map[string]string{}, MessageAttributes: map[string]awsevents.SQSMessageAttribute{},
				EventSourceARN: arn, EventSource: "aws:sqs", AWSRegion: region,
			},
		},
		{
			name: "attributes",
			msg: types.Message{
				MessageId: aws.String("id"), ReceiptHandle: aws.String("rh"), Body: aws.String("b"), MD5OfBody: aws.String("md5"),
				MD5OfMessageAttributes: aws.String("md5a"),
				Attributes:             map[string]string{"ApproximateReceiveCount": "2", "SenderId": "000000000000"},
				MessageAttributes: map[string]types.MessageAttributeValue{
					"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
					"b": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1}},
				},
			},
			want: awsevents.SQSMessage{
				MessageId: "id", ReceiptHandle: "rh", Body: "b", Md5OfBody: "md5", Md5OfMessageAttributes: "md5a",
				Attributes: map[string]string{"ApproximateReceiveCount": "2", "SenderId": "000000000000"},
				MessageAttributes: map[string]awsevents.SQSMessageAttribute{
					"s": {DataType: "String", StringValue: aws.String("v"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
					"b": {DataType: "Binary", BinaryValue: []byte{0, 1}, StringListValues: []string{}, BinaryListValues: [][]byte{}},
				},
				EventSourceARN: arn, EventSource: "aws:sqs", AWSRegion: region,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newRecord(tt.msg, arn, region)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("newRecord =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// TestEventJSON checks the JSON shape Lambda gives: empty maps and lists, never null.
func TestEventJSON(t *testing.T) {
	msg := types.Message{
		MessageId: aws.String("id"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"s": {DataType: aws.String("String"), StringValue: aws.String("v")},
		},
	}
	b, err := json.Marshal(newEvent([]types.Message{msg}, "arn", "r"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Records []map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	r := got.Records[0]
	if s := string(r["attributes"]); s != "{}" {
		t.Errorf("attributes = %s, want {}", s)
	}
	var attr map[string]map[string]json.RawMessage
	if err := json.Unmarshal(r["messageAttributes"], &attr); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"stringListValues", "binaryListValues"} {
		if s := string(attr["s"][k]); s != "[]" {
			t.Errorf("messageAttributes.s.%s = %s, want []", k, s)
		}
	}
	if _, ok := attr["s"]["binaryValue"]; ok {
		t.Errorf("messageAttributes.s has a binaryValue: %s", r["messageAttributes"])
	}
}
