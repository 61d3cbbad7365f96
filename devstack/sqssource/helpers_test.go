package sqssource

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// invokerFunc adapts a Go function to Invoker: the stand-in for the function under test.
type invokerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f invokerFunc) InvokeBytes(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// invocation is one call of a recorded function.
type invocation struct {
	at      time.Time
	payload []byte
	event   awsevents.SQSEvent
}

// recorder records the invocations of a function.
type recorder struct {
	mu    sync.Mutex
	calls []invocation
}

// function returns a function that records its invocations in r and answers with handle
// (nil: succeed with an empty response).
func (r *recorder) function(handle func(ctx context.Context, ev awsevents.SQSEvent) ([]byte, error)) invokerFunc {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		call := invocation{at: time.Now(), payload: payload}
		if err := json.Unmarshal(payload, &call.event); err != nil {
			return nil, fmt.Errorf("decode SQSEvent: %w", err)
		}
		r.mu.Lock()
		r.calls = append(r.calls, call)
		r.mu.Unlock()
		if handle == nil {
			return nil, nil
		}
		return handle(ctx, call.event)
	}
}

func (r *recorder) invocations() []invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]invocation(nil), r.calls...)
}

// records returns every record of every invocation, in order.
func (r *recorder) records() []awsevents.SQSMessage {
	var all []awsevents.SQSMessage
	for _, c := range r.invocations() {
		all = append(all, c.event.Records...)
	}
	return all
}

// sizes returns the number of records of each invocation.
func (r *recorder) sizes() []int {
	var s []int
	for _, c := range r.invocations() {
		s = append(s, len(c.event.Records))
	}
	return s
}

// deliveries returns the records delivered for each body.
func (r *recorder) deliveries() map[string][]awsevents.SQSMessage {
	d := map[string][]awsevents.SQSMessage{}
	for _, rec := range r.records() {
		d[rec.Body] = append(d[rec.Body], rec)
	}
	return d
}

// failures answers with a batch item failure for every record for which fail is true.
func failures(ev awsevents.SQSEvent, fail func(awsevents.SQSMessage) bool) []byte {
	var resp awsevents.SQSEventResponse
	for _, rec := range ev.Records {
		if fail(rec) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	b, _ := json.Marshal(resp)
	return b
}

// firstDelivery reports whether this is the record's first delivery.
func firstDelivery(rec awsevents.SQSMessage) bool {
	return rec.Attributes["ApproximateReceiveCount"] == "1"
}

// start runs the mapping until the test ends, or until the returned stop is called, which
// fails the test unless Run returns nil within a few seconds of its context ending.
func start(t *testing.T, client *sqs.Client, m Mapping) (stop func()) {
	t.Helper()
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if m.Function == "" {
		m.Function = t.Name()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, client, m) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil after cancel", err)
				}
			case <-time.After(5 * time.Second):
				t.Errorf("Run did not return within 5s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// newQueue creates a queue for the test with these attributes set.
func newQueue(t *testing.T, attrs map[string]string) (url, arn string) {
	t.Helper()
	url, arn = env.NewQueue(t, t.Name())
	if len(attrs) > 0 {
		_, err := env.SQS.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: attrs})
		if err != nil {
			t.Fatalf("set attributes of %s: %v", url, err)
		}
	}
	return url, arn
}

// redrive returns the RedrivePolicy moving messages to dlqARN after maxReceiveCount
// receives.
func redrive(dlqARN string, maxReceiveCount int) string {
	b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": maxReceiveCount})
	return string(b)
}

// send sends one message per body and returns their message ids.
func send(t *testing.T, url string, bodies ...string) []string {
	t.Helper()
	var ids []string
	for start := 0; start < len(bodies); start += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for i, b := range bodies[start:min(start+10, len(bodies))] {
			entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b)})
		}
		out, err := env.SQS.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil {
			t.Fatalf("send to %s: %v", url, err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("send to %s: %d failed: %s", url, len(out.Failed), aws.ToString(out.Failed[0].Message))
		}
		byID := map[string]string{}
		for _, s := range out.Successful {
			byID[aws.ToString(s.Id)] = aws.ToString(s.MessageId)
		}
		for i := range entries {
			ids = append(ids, byID[strconv.Itoa(i)])
		}
	}
	return ids
}

// bodies returns n distinct message bodies.
func bodies(n int) []string {
	b := make([]string, n)
	for i := range b {
		b[i] = "m" + strconv.Itoa(i)
	}
	return b
}

// counts returns how many messages of the queue are visible and how many in flight.
func counts(t *testing.T, url string) (visible, inFlight int) {
	t.Helper()
	out, err := env.SQS.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatalf("attributes of %s: %v", url, err)
	}
	visible, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ = strconv.Atoi(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return visible, inFlight
}

// empty reports whether the queue holds no message, visible or in flight.
func empty(t *testing.T, url string) bool {
	visible, inFlight := counts(t, url)
	return visible == 0 && inFlight == 0
}

// requestCounter is an HTTP client that counts the requests in progress through it, so
// that a test can tell when a long poll is waiting in the emulator.
type requestCounter struct {
	inFlight atomic.Int64
}

func (c *requestCounter) Do(req *http.Request) (*http.Response, error) {
	c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	return http.DefaultClient.Do(req)
}
