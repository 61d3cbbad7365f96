package sqssource

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/heraldhq/herald/devstack/testenv"
)

// TestEvent checks that the function gets the event Lambda would give it.
func TestEvent(t *testing.T) {
	t.Parallel()
	url, arn := newQueue(t, nil)
	const body = `{"hello":"world"}`
	sent, err := env.SQS.SendMessage(t.Context(), &sqs.SendMessageInput{
		QueueUrl:    aws.String(url),
		MessageBody: aws.String(body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"text":   {DataType: aws.String("String"), StringValue: aws.String("hello")},
			"count":  {DataType: aws.String("Number"), StringValue: aws.String("42")},
			"blob":   {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
			"custom": {DataType: aws.String("String.subject"), StringValue: aws.String("herald.test")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sentAt := time.Now()
	var r recorder
	start(t, env.SQS, Mapping{QueueURL: url, QueueARN: arn, Invoker: r.function(nil)})
	testenv.WaitFor(t, 10*time.Second, func() bool { return len(r.records()) == 1 && empty(t, url) }, "the message to be delivered and deleted")

	var ev awsevents.SQSEvent
	if err := json.Unmarshal(r.invocations()[0].payload, &ev); err != nil {
		t.Fatalf("payload is no SQSEvent: %v", err)
	}
	rec := ev.Records[0]
	sum := md5.Sum([]byte(body))
	want := map[string]string{
		"messageId":              aws.ToString(sent.MessageId),
		"body":                   body,
		"md5OfBody":              hex.EncodeToString(sum[:]),
		"md5OfMessageAttributes": aws.ToString(sent.MD5OfMessageAttributes),
		"eventSource":            "aws:sqs",
		"eventSourceARN":         arn,
		"awsRegion":              testenv.Region,
	}
	got := map[string]string{
		"messageId":              rec.MessageId,
		"body":                   rec.Body,
		"md5OfBody":              rec.Md5OfBody,
		"md5OfMessageAttributes": rec.Md5OfMessageAttributes,
		"eventSource":            rec.EventSource,
		"eventSourceARN":         rec.EventSourceARN,
		"awsRegion":              rec.AWSRegion,
	}
	for k, w := range want {
		if got[k] != w || w == "" {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if rec.Md5OfBody != aws.ToString(sent.MD5OfMessageBody) {
		t.Errorf("md5OfBody = %q, SendMessage said %q", rec.Md5OfBody, aws.ToString(sent.MD5OfMessageBody))
	}
	if rec.ReceiptHandle == "" {
		t.Error("no receiptHandle")
	}

	if n := rec.Attributes["ApproximateReceiveCount"]; n != "1" {
		t.Errorf("ApproximateReceiveCount = %q, want 1", n)
	}
	if rec.Attributes["SenderId"] == "" {
		t.Errorf("no SenderId in %v", rec.Attributes)
	}
	for _, k := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		ms, err := strconv.ParseInt(rec.Attributes[k], 10, 64)
		if d := time.UnixMilli(ms).Sub(sentAt).Abs(); err != nil || d > time.Minute {
			t.Errorf("%s = %q, want milliseconds since the epoch near %v", k, rec.Attributes[k], sentAt)
		}
	}

	str := aws.String
	wantAttrs := map[string]awsevents.SQSMessageAttribute{
		"text":   {DataType: "String", StringValue: str("hello"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
		"count":  {DataType: "Number", StringValue: str("42"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
		"blob":   {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 255}, StringListValues: []string{}, BinaryListValues: [][]byte{}},
		"custom": {DataType: "String.subject", StringValue: str("herald.test"), StringListValues: []string{}, BinaryListValues: [][]byte{}},
	}
	if !reflect.DeepEqual(rec.MessageAttributes, wantAttrs) {
		t.Errorf("messageAttributes =\n%+v\nwant\n%+v", rec.MessageAttributes, wantAttrs)
	}
	// binaryValue travels base64-encoded, as Lambda sends it.
	if !strings.Contains(string(r.invocations()[0].payload), `"binaryValue":"AAEC/w=="`) {
		t.Errorf("payload lacks the base64 binaryValue: %s", r.invocations()[0].payload)
	}
}

// TestSuccess checks that every message of a successful invocation is deleted, whatever
// the response says when the mapping does not report batch item failures, and when it
// reports none.
func TestSuccess(t *testing.T) {
	tests := []struct {
		name     string
		report   bool
		response string
	}{
		{"response ignored", false, `{"batchItemFailures":[{"itemIdentifier":"ignored"}]}`},
		{"no failures reported", true, `{"batchItemFailures":[]}`},
		{"null response", true, `null`},
		{"empty response", true, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, arn := newQueue(t, nil)
			sent := bodies(25)
			send(t, url, sent...)
			var r recorder
			start(t, env.SQS, Mapping{
				QueueURL: url, QueueARN: arn, ReportBatchItemFailures: tt.report,
				Invoker: r.function(func(context.Context, awsevents.SQSEvent) ([]byte, error) { return []byte(tt.response), nil }),
			})
			testenv.WaitFor(t, 10*time.Second, func() bool { return len(r.records()) == len(sent) && empty(t, url) },
				"every message to be delivered and deleted")
			d := r.deliveries()
			for _, b := range sent {
				if len(d[b]) != 1 {
					t.Errorf("%s delivered %d times, want once", b, len(d[b]))
				}
			}
			for _, n := range r.sizes() {
				if n > 10 {
					t.Errorf("invocation sizes %v exceed the batch size 10", r.sizes())
					break
				}
			}
		})
	}
}

// TestFailures checks which messages come back after a failure: those the function
// reports, or all of them when the invocation fails or its response is invalid.
func TestFailures(t *testing.T) {
	odd := func(rec awsevents.SQSMessage) bool {
		n, _ := strconv.Atoi(strings.TrimPrefix(rec.Body, "m"))
		return n%2 == 1
	}
	tests := []struct {
		name   string
		report bool
		// first answers an invocation with at least one first delivery in it.
		first    func(ev awsevents.SQSEvent) ([]byte, error)
		wantBack []string
	}{
		{
			name: "item failures", report: true,
			first:    func(ev awsevents.SQSEvent) ([]byte, error) { return failures(ev, odd), nil },
			wantBack: []string{"m1", "m3"},
		},
		{
			name: "item failures without ReportBatchItemFailures", report: false,
			first:    func(ev awsevents.SQSEvent) ([]byte, error) { return failures(ev, odd), nil },
			wantBack: nil,
		},
		{
			name: "invocation error", report: true,
			first:    func(awsevents.SQSEvent) ([]byte, error) { return nil, errors.New("function error") },
			wantBack: bodies(5),
		},
		{
			name: "invocation error without ReportBatchItemFailures", report: false,
			first:    func(awsevents.SQSEvent) ([]byte, error) { return nil, errors.New("function error") },
			wantBack: bodies(5),
		},
		{
			name: "unparsable response", report: true,
			first:    func(awsevents.SQSEvent) ([]byte, error) { return []byte("not json"), nil },
			wantBack: bodies(5),
		},
		{
			name: "unknown item identifier", report: true,
			first: func(ev awsevents.SQSEvent) ([]byte, error) {
				return []byte(`{"batchItemFailures":[{"itemIdentifier":"no-such-message"}]}`), nil
			},
			wantBack: bodies(5),
		},
		{
			name: "empty item identifier", report: true,
			first: func(awsevents.SQSEvent) ([]byte, error) {
				return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nil
			},
			wantBack: bodies(5),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, arn := newQueue(t, map[string]string{"VisibilityTimeout": "1"})
			sent := bodies(5)
			send(t, url, sent...)
			var r recorder
			start(t, env.SQS, Mapping{
				QueueURL: url, QueueARN: arn, ReportBatchItemFailures: tt.report,
				Invoker: r.function(func(_ context.Context, ev awsevents.SQSEvent) ([]byte, error) {
					if slices.ContainsFunc(ev.Records, firstDelivery) {
						return tt.first(ev)
					}
					return nil, nil
				}),
			})
			testenv.WaitFor(t, 15*time.Second, func() bool {
				return len(r.records()) == len(sent)+len(tt.wantBack) && empty(t, url)
			}, "the messages, and those that failed again, to be delivered and deleted")

			d := r.deliveries()
			for _, b := range sent {
				want := 1
				if slices.Contains(tt.wantBack, b) {
					want = 2
				}
				if len(d[b]) != want {
					t.Errorf("%s delivered %d times, want %d", b, len(d[b]), want)
					continue
				}
				for i, rec := range d[b] {
					if n := rec.Attributes["ApproximateReceiveCount"]; n != strconv.Itoa(i+1) {
						t.Errorf("%s delivery %d: ApproximateReceiveCount %s, want %d", b, i+1, n, i+1)
					}
				}
			}
		})
	}
}

// TestPoisonMessage checks that a message that always fails ends in the dead-letter
// queue after maxReceiveCount invocations, by the queue's redrive policy.
func TestPoisonMessage(t *testing.T) {
	poison := func(rec awsevents.SQSMessage) bool { return rec.Body == "poison" }
	tests := []struct {
		name   string
		report bool
		send   []string
		handle func(ev awsevents.SQSEvent) ([]byte, error)
	}{
		{
			name: "item failure", report: true, send: []string{"good", "poison"},
			handle: func(ev awsevents.SQSEvent) ([]byte, error) { return failures(ev, poison), nil },
		},
		{
			// Alone in its queue: an invocation error fails the messages sharing its batch.
			name: "invocation error", report: false, send: []string{"poison"},
			handle: func(ev awsevents.SQSEvent) ([]byte, error) { return nil, errors.New("cannot process poison") },
		},
	}
	const maxReceiveCount = 2
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dlqURL, dlqARN := newQueue(t, nil)
			url, arn := newQueue(t, map[string]string{"VisibilityTimeout": "1", "RedrivePolicy": redrive(dlqARN, maxReceiveCount)})
			send(t, url, tt.send...)
			var r recorder
			start(t, env.SQS, Mapping{
				QueueURL: url, QueueARN: arn, ReportBatchItemFailures: tt.report,
				Invoker: r.function(func(_ context.Context, ev awsevents.SQSEvent) ([]byte, error) { return tt.handle(ev) }),
			})

			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			dead := env.Receive(ctx, t, dlqURL, 1)
			if len(dead) != 1 || aws.ToString(dead[0].Body) != "poison" {
				t.Fatalf("dead-letter queue holds %v, want the poison message", dead)
			}
			testenv.WaitFor(t, 10*time.Second, func() bool { return empty(t, url) }, "the queue to be empty")
			d := r.deliveries()
			if n := len(d["poison"]); n != maxReceiveCount {
				t.Errorf("poison delivered %d times, want maxReceiveCount %d", n, maxReceiveCount)
			}
			if slices.Contains(tt.send, "good") && len(d["good"]) != 1 {
				t.Errorf("good delivered %d times, want once", len(d["good"]))
			}
		})
	}
}

// TestFunctionChangesVisibility checks that a failed message whose visibility the
// function set itself comes back when the function said, not after the queue's
// visibility timeout.
func TestFunctionChangesVisibility(t *testing.T) {
	t.Parallel()
	url, arn := newQueue(t, map[string]string{"VisibilityTimeout": "60"})
	send(t, url, "retry-soon")
	var r recorder
	start(t, env.SQS, Mapping{
		QueueURL: url, QueueARN: arn, ReportBatchItemFailures: true,
		Invoker: r.function(func(ctx context.Context, ev awsevents.SQSEvent) ([]byte, error) {
			rec := ev.Records[0]
			if !firstDelivery(rec) {
				return nil, nil
			}
			_, err := env.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(url), ReceiptHandle: aws.String(rec.ReceiptHandle), VisibilityTimeout: 1,
			})
			if err != nil {
				return nil, err
			}
			return failures(ev, func(awsevents.SQSMessage) bool { return true }), nil
		}),
	})
	testenv.WaitFor(t, 10*time.Second, func() bool { return len(r.records()) == 2 && empty(t, url) },
		"the message to come back after 1s and be deleted")
	calls := r.invocations()
	if gap := calls[1].at.Sub(calls[0].at); gap < time.Second {
		t.Errorf("message came back after %v, before the 1s the function set", gap)
	}
	if n := calls[1].event.Records[0].Attributes["ApproximateReceiveCount"]; n != "2" {
		t.Errorf("second delivery: ApproximateReceiveCount %s, want 2", n)
	}
}

// TestBatchingWindow checks that a window gathers messages arriving one by one into one
// batch, and that without one each receive makes a batch.
func TestBatchingWindow(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration
		want   []int // invocation sizes
	}{
		{"no window", 0, []int{1, 1, 1}},
		{"window", 3 * time.Second, []int{3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, arn := newQueue(t, nil)
			var r recorder
			start(t, env.SQS, Mapping{QueueURL: url, QueueARN: arn, Window: tt.window, Pollers: 1, Invoker: r.function(nil)})
			firstSent := time.Now() // no later than the window starts
			for _, b := range bodies(3) {
				send(t, url, b)
				// Received before the next is sent: messages arrive one receive at a time.
				testenv.WaitFor(t, 10*time.Second, func() bool { visible, _ := counts(t, url); return visible == 0 },
					"the poller to receive "+b)
			}
			testenv.WaitFor(t, 10*time.Second, func() bool { return len(r.records()) == 3 && empty(t, url) },
				"the messages to be delivered and deleted")
			if got := r.sizes(); !slices.Equal(got, tt.want) {
				t.Errorf("invocation sizes %v, want %v", got, tt.want)
			}
			if waited := r.invocations()[0].at.Sub(firstSent); waited < tt.window {
				t.Errorf("first invocation %v after the first message, before the %v window passed", waited, tt.window)
			}
		})
	}
}

// TestBatchSize checks that no batch exceeds the batch size, that a full batch does not
// wait for the window, and that a window ends a batch that is not full.
func TestBatchSize(t *testing.T) {
	tests := []struct {
		name      string
		batchSize int
		window    time.Duration
		messages  int
		want      []int // invocation sizes
	}{
		{"below one receive", 3, 0, 7, []int{3, 3, 1}},
		{"several receives, full before the window", 25, time.Minute, 25, []int{25}},
		{"several receives, window passes", 25, 2 * time.Second, 12, []int{12}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url, arn := newQueue(t, nil)
			send(t, url, bodies(tt.messages)...)
			var r recorder
			start(t, env.SQS, Mapping{
				QueueURL: url, QueueARN: arn, BatchSize: tt.batchSize, Window: tt.window, Pollers: 1, Invoker: r.function(nil),
			})
			// Well within the one-minute window: a full batch goes at once.
			testenv.WaitFor(t, 10*time.Second, func() bool { return len(r.records()) == tt.messages && empty(t, url) },
				"the messages to be delivered and deleted")
			if got := r.sizes(); !slices.Equal(got, tt.want) {
				t.Errorf("invocation sizes %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStop checks that Run returns promptly when its context ends, while its pollers wait
// in long polls or while the function runs, and that an interrupted batch is not deleted.
func TestStop(t *testing.T) {
	t.Run("polling", func(t *testing.T) {
		t.Parallel()
		url, arn := newQueue(t, nil)
		var requests requestCounter
		client := sqs.NewFromConfig(env.AWS, func(o *sqs.Options) { o.HTTPClient = &requests })
		stop := start(t, client, Mapping{QueueURL: url, QueueARN: arn, Pollers: 2, Invoker: nopInvoker{}})
		testenv.WaitFor(t, 5*time.Second, func() bool { return requests.inFlight.Load() == 2 }, "both pollers to wait in a long poll")
		began := time.Now()
		stop()
		if d := time.Since(began); d > time.Second {
			t.Errorf("Run took %v to return, want well under the %v long poll", d, pollWait)
		}
	})
	t.Run("invoking", func(t *testing.T) {
		t.Parallel()
		url, arn := newQueue(t, nil)
		send(t, url, "interrupted")
		invoked := make(chan struct{})
		stop := start(t, env.SQS, Mapping{QueueURL: url, QueueARN: arn, Invoker: invokerFunc(func(ctx context.Context, _ []byte) ([]byte, error) {
			close(invoked)
			<-ctx.Done()
			return nil, ctx.Err()
		})})
		<-invoked
		began := time.Now()
		stop()
		if d := time.Since(began); d > time.Second {
			t.Errorf("Run took %v to return", d)
		}
		if visible, inFlight := counts(t, url); visible+inFlight != 1 {
			t.Errorf("queue holds %d visible and %d in-flight messages, want the interrupted one", visible, inFlight)
		}
	})
}

func TestRunInvalid(t *testing.T) {
	url, arn := newQueue(t, nil)
	tests := []struct {
		name   string
		client *sqs.Client
		m      Mapping
	}{
		{"nil client", nil, Mapping{QueueURL: url, QueueARN: arn, Invoker: nopInvoker{}}},
		{"no invoker", env.SQS, Mapping{QueueURL: url, QueueARN: arn}},
		{"batch size", env.SQS, Mapping{QueueURL: url, QueueARN: arn, Invoker: nopInvoker{}, BatchSize: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid mapping would run until the test's context ends; an invalid one
			// returns at once.
			if err := Run(t.Context(), tt.client, tt.m); err == nil {
				t.Error("Run = nil, want an error")
			}
		})
	}
}
