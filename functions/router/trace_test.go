package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/internal/fanout"
	"github.com/heraldhq/herald/internal/trace"
)

// sendRecorder passes every request on to the SQS emulator and keeps the bodies of
// SendMessage requests: the emulator drops message system attributes, so the test reads
// them from what the Router sent.
type sendRecorder struct {
	next  sqs.HTTPClient
	mu    sync.Mutex
	sends []map[string]any
}

func (r *sendRecorder) Do(req *http.Request) (*http.Response, error) {
	if req.Header.Get("X-Amz-Target") == "AmazonSQS.SendMessage" && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		var in map[string]any
		if json.Unmarshal(body, &in) == nil {
			r.mu.Lock()
			r.sends = append(r.sends, in)
			r.mu.Unlock()
		}
	}
	return r.next.Do(req)
}

// TestTraceReachesTask: the trace header the Bridge put on an event's message goes into
// its delivery task, for Deliver's logs, and onto the task's message as the system
// attribute AWSTraceHeader, by which X-Ray links Deliver's invocation to the publisher's.
// A malformed one goes nowhere.
func TestTraceReachesTask(t *testing.T) {
	h, url, _ := newHandler(t)
	rec := &sendRecorder{}
	h.Queue.SQS = sqs.New(env.SQS.Options(), func(o *sqs.Options) { rec.next = o.HTTPClient; o.HTTPClient = rec })
	create(t, h, `{"name":"items","resource":{"path":"projects/traced","include_subresources":true},"events":["resource.*"],"action":{"type":"nats","subject":"out.items"}}`)
	const header = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"
	traced, tracedUUID := eventOn("resource.ResourceCreated", "itemsvc.Item", "projects/traced/items/i1")
	traced.MessageAttributes = map[string]awsevents.SQSMessageAttribute{fanout.AttrTraceHeader: {DataType: "String", StringValue: aws.String(header)}}
	malformed, _ := eventOn("resource.ResourceCreated", "itemsvc.Item", "projects/traced/items/i2")
	malformed.MessageAttributes = map[string]awsevents.SQSMessageAttribute{fanout.AttrTraceHeader: {DataType: "String", StringValue: aws.String("Parent=53995c3f42cd8ad8")}}
	if failed := handle(t, h, traced, malformed); len(failed) != 0 {
		t.Fatalf("failures %v", failed)
	}
	for _, task := range tasks(t, url, 2) {
		want := ""
		if task.EventUUID == tracedUUID {
			want = header
		}
		if task.Trace != want {
			t.Errorf("task of %s: trace %q, want %q", task.EventUUID, task.Trace, want)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sends) != 2 {
		t.Fatalf("%d SendMessage requests, want 2", len(rec.sends))
	}
	withHeader := 0
	for _, in := range rec.sends {
		attrs, _ := in["MessageSystemAttributes"].(map[string]any)
		a, ok := attrs[trace.SQSSystemAttribute].(map[string]any)
		if !ok {
			continue
		}
		withHeader++
		if a["StringValue"] != header || a["DataType"] != "String" {
			t.Errorf("AWSTraceHeader %v, want the String %q", a, header)
		}
	}
	if withHeader != 1 {
		t.Errorf("%d tasks sent with AWSTraceHeader, want 1 (the traced event's)", withHeader)
	}
}
