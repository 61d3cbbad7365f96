package bridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
	"github.com/heraldhq/herald/internal/trace"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// rig is one test's bridge: its own NATS server with the Herald streams, its own SNS
// topic, and a raw-delivery queue subscribed to the topic.
type rig struct {
	js       jetstream.JetStream
	topicARN string
	queueURL string
}

func newRig(t testing.TB, filterPolicy string) *rig {
	t.Helper()
	ctx := context.Background()
	js, _ := env.JetStream(t)
	topic, err := env.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bridge-" + uuid.NewString()[:8])})
	if err != nil {
		t.Fatal(err)
	}
	qURL, qARN := env.NewQueue(t, "bridge")
	env.Subscribe(t, *topic.TopicArn, qARN, filterPolicy, true)
	return &rig{js: js, topicARN: *topic.TopicArn, queueURL: qURL}
}

// start runs the bridge in the background with client as its SNS client, stopping it
// when the test ends; the returned func stops it early and returns its stats.
func (r *rig) start(t testing.TB, client *sns.Client, opts bridge.Options) func() bridge.Stats {
	t.Helper()
	b := bridge.New(r.js, fanout.NewPublisher(client, r.topicARN), opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bridge.Stats, 1)
	go func() {
		stats, err := b.Run(ctx)
		if err != nil {
			t.Errorf("bridge.Run: %v", err)
		}
		done <- stats
	}()
	var once sync.Once
	var stats bridge.Stats
	stop := func() bridge.Stats {
		once.Do(func() {
			cancel()
			stats = <-done
			// One run: the bridge's running totals are that run's stats.
			if total := b.Stats(); total != stats {
				t.Errorf("Stats() = %+v, but the only run reported %+v", total, stats)
			}
		})
		return stats
	}
	t.Cleanup(func() { stop() })
	return stop
}

func testEvent(i int, eventType string) *event.Event {
	return &event.Event{
		Event:     eventType,
		UUID:      uuid.NewString(),
		Timestamp: time.Now().UTC(),
		User:      &event.User{ID: "u-1"},
		Resource: &event.Resource{
			Type: "collection",
			ID:   fmt.Sprintf("c%d", i),
			Path: fmt.Sprintf("projects/p1/collections/c%d", i),
		},
	}
}

// publish stores events on the stream, all publishes in flight at once.
func (r *rig) publish(t testing.TB, events []*event.Event) {
	t.Helper()
	for start := 0; start < len(events); start += 1000 {
		end := min(start+1000, len(events))
		_, errs := bus.PublishAll(context.Background(), r.js, events[start:end])
		for i, err := range errs {
			if err != nil {
				t.Fatalf("publish %d: %v", start+i, err)
			}
		}
	}
}

// drain reads the queue with several receivers until want distinct events arrived or the
// timeout passed, and returns how often each uuid arrived plus one message per uuid.
func drain(t testing.TB, queueURL string, want int, timeout time.Duration) (map[string]int, map[string]sqstypes.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var mu sync.Mutex
	counts := map[string]int{}
	msgs := map[string]sqstypes.Message{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				done := len(counts) >= want
				mu.Unlock()
				if done {
					return
				}
				out, err := env.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
					QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
					MessageAttributeNames: []string{"All"},
				})
				if err != nil {
					continue
				}
				var del []sqstypes.DeleteMessageBatchRequestEntry
				for i, m := range out.Messages {
					var e struct {
						UUID string `json:"uuid"`
					}
					if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
						t.Errorf("message body is not an event: %q", aws.ToString(m.Body))
					}
					mu.Lock()
					counts[e.UUID]++
					msgs[e.UUID] = m
					mu.Unlock()
					del = append(del, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle})
				}
				if len(del) > 0 {
					if _, err := env.SQS.DeleteMessageBatch(context.Background(), &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: del}); err != nil {
						t.Errorf("delete: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	return counts, msgs
}

// settled waits until the bridge consumer has nothing pending or unacknowledged.
func (r *rig) settled(t testing.TB) {
	t.Helper()
	testenv.WaitFor(t, 30*time.Second, func() bool {
		c, err := r.js.Consumer(context.Background(), event.StreamName, bridge.ConsumerName)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0
	}, "the bridge consumer to settle")
}

// queueDepth is how many messages the queue holds, visible or not.
func queueDepth(t testing.TB, queueURL string) int {
	t.Helper()
	out, err := env.SQS.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range out.Attributes {
		var k int
		fmt.Sscan(v, &k)
		n += k
	}
	return n
}

// queueEmpty asserts that nothing more is waiting in the queue.
func queueEmpty(t testing.TB, queueURL string) {
	t.Helper()
	out, err := env.SQS.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) > 0 {
		t.Fatalf("%d unexpected messages left in the queue, first: %s", len(out.Messages), aws.ToString(out.Messages[0].Body))
	}
}

func TestRelaysEveryEventOnce(t *testing.T) {
	const n = 10_000
	r := newRig(t, "")
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = testEvent(i, "resource.ResourceUpdated")
	}
	events[0].Recipients = []string{"u-2"}
	r.publish(t, events)
	stop := r.start(t, env.SNS, bridge.Options{})

	counts, msgs := drain(t, r.queueURL, n, 3*time.Minute)
	r.settled(t)
	stats := stop()
	queueEmpty(t, r.queueURL)

	if len(counts) != n {
		t.Fatalf("%d of %d events arrived", len(counts), n)
	}
	for _, e := range events {
		if c := counts[e.UUID]; c != 1 {
			t.Errorf("event %s arrived %d times, want once", e.UUID, c)
		}
	}
	if stats.Relayed != n || stats.DeadLettered != 0 || stats.Nakked != 0 {
		t.Errorf("stats = %+v, want %d relayed and nothing else", stats, n)
	}

	// Every message attribute is set, from the event and its stream sequence.
	m := msgs[events[0].UUID]
	want := map[string]string{
		"event": "resource.ResourceUpdated", "domain": "resource", "resource_type": "collection",
		"resource_path": "projects/p1/collections/c0", "user_id": "u-1", "has_recipients": "true", "uuid": events[0].UUID,
	}
	for k, v := range want {
		if got := aws.ToString(m.MessageAttributes[k].StringValue); got != v {
			t.Errorf("attribute %s = %q, want %q", k, got, v)
		}
	}
	if seq := m.MessageAttributes["sequence"]; aws.ToString(seq.DataType) != "Number" || aws.ToString(seq.StringValue) == "" {
		t.Errorf("attribute sequence = %+v, want a Number", seq)
	}
	if got := aws.ToString(msgs[events[1].UUID].MessageAttributes["has_recipients"].StringValue); got != "false" {
		t.Errorf("has_recipients without recipients = %q, want false", got)
	}
}

func TestInvalidMessagesAreDeadLetteredAndDoNotBlock(t *testing.T) {
	r := newRig(t, "")
	ctx := context.Background()
	before := []*event.Event{testEvent(1, "job.JobFinished"), testEvent(2, "job.JobFinished")}
	r.publish(t, before)
	garbage := []struct{ subject, body, why string }{
		{"herald.events.job.JobFinished.projects.p1._", "not json at all", "not JSON"},
		{"herald.events.job.JobFinished.projects.p1._", `{"event":"job.JobFinished"}`, "missing uuid"},
		{"herald.events.other.Thing.projects.p9._", mustJSON(t, testEvent(3, "job.JobFinished")), "subject mismatch"},
	}
	for _, g := range garbage {
		if _, err := r.js.Publish(ctx, g.subject, []byte(g.body)); err != nil {
			t.Fatal(err)
		}
	}
	after := []*event.Event{testEvent(4, "job.JobFinished"), testEvent(5, "job.JobFinished")}
	r.publish(t, after)

	stop := r.start(t, env.SNS, bridge.Options{})
	counts, _ := drain(t, r.queueURL, 4, time.Minute)
	r.settled(t)
	stats := stop()
	for _, e := range append(before, after...) {
		if counts[e.UUID] != 1 {
			t.Errorf("event %s arrived %d times, want once", e.UUID, counts[e.UUID])
		}
	}
	if stats.DeadLettered != int64(len(garbage)) {
		t.Errorf("dead-lettered %d, want %d", stats.DeadLettered, len(garbage))
	}

	// The dead-letter stream holds each bad message with the reason.
	s, err := r.js.Stream(ctx, bus.DeadLetterStream)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range garbage {
		msg, err := s.GetMsg(ctx, uint64(i+1))
		if err != nil {
			t.Fatalf("dead letter %d (%s): %v", i, g.why, err)
		}
		if string(msg.Data) != g.body {
			t.Errorf("dead letter %d body = %q, want %q", i, msg.Data, g.body)
		}
		if msg.Header.Get(bus.ErrorHeader) == "" || msg.Header.Get("Herald-Subject") != g.subject {
			t.Errorf("dead letter %d (%s) headers = %v", i, g.why, msg.Header)
		}
	}
}

func TestSNSOutageLosesNothing(t *testing.T) {
	r := newRig(t, "")
	proxy := testenv.StartProxy(t, strings.TrimPrefix(env.Endpoints.SNS, "http://"))
	proxy.SetDown(true)
	client := sns.NewFromConfig(env.AWS, func(o *sns.Options) {
		o.BaseEndpoint = aws.String(proxy.URL())
		o.RetryMaxAttempts = 1
	})
	const n = 200
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = testEvent(i, "resource.ResourceCreated")
	}
	r.publish(t, events)
	stop := r.start(t, client, bridge.Options{Retries: -1, NakDelay: 50 * time.Millisecond, MaxNakDelay: 200 * time.Millisecond})

	// While SNS is unreachable, events are handed back to NATS, not acknowledged.
	testenv.WaitFor(t, 30*time.Second, func() bool {
		c, err := r.js.Consumer(context.Background(), event.StreamName, bridge.ConsumerName)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.NumRedelivered > 0
	}, "redeliveries while SNS is down")
	// Asked without receiving: a long poll abandoned by its caller would hide the messages
	// it took for the queue's visibility timeout.
	if n := queueDepth(t, r.queueURL); n != 0 {
		t.Fatalf("%d events arrived while SNS was down", n)
	}

	proxy.SetDown(false)
	counts, _ := drain(t, r.queueURL, n, time.Minute)
	r.settled(t)
	stats := stop()
	for _, e := range events {
		if counts[e.UUID] == 0 {
			t.Errorf("event %s was lost", e.UUID)
		}
	}
	if stats.Nakked == 0 {
		t.Errorf("stats = %+v: expected NAKs during the outage", stats)
	}
}

func TestRunReturnsWhenCancelled(t *testing.T) {
	r := newRig(t, "")
	stop := r.start(t, env.SNS, bridge.Options{})
	testenv.WaitFor(t, 10*time.Second, func() bool {
		_, err := r.js.Consumer(context.Background(), event.StreamName, bridge.ConsumerName)
		return err == nil
	}, "the bridge to create its consumer")
	r.publish(t, []*event.Event{testEvent(1, "job.JobCreated")})
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func mustJSON(t testing.TB, e *event.Event) string {
	t.Helper()
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRelaysTraceHeader checks that the trace header an event was published with reaches
// the topic's subscribers as the trace_header attribute, and that an event without one,
// or with a malformed one (published straight to NATS by anyone), gets none.
func TestRelaysTraceHeader(t *testing.T) {
	r := newRig(t, "")
	const header = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"
	traced, plain, malformed := testEvent(0, "resource.ResourceUpdated"), testEvent(1, "resource.ResourceUpdated"), testEvent(2, "resource.ResourceUpdated")
	if _, err := bus.Publish(trace.WithEvent(t.Context(), header), r.js, traced); err != nil {
		t.Fatal(err)
	}
	r.publish(t, []*event.Event{plain})
	data, _ := malformed.MarshalJSON()
	msg := nats.NewMsg(malformed.Subject())
	msg.Data = data
	msg.Header.Set(trace.Header, "Root=1-67891233-\u00e9;Parent=53995c3f42cd8ad8")
	if _, err := r.js.PublishMsg(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	stop := r.start(t, env.SNS, bridge.Options{})
	_, msgs := drain(t, r.queueURL, 3, time.Minute)
	stop()
	if got := aws.ToString(msgs[traced.UUID].MessageAttributes["trace_header"].StringValue); got != header {
		t.Errorf("trace_header = %q, want %q", got, header)
	}
	// A traced event with a user and a resource has every attribute of Herald's topic:
	// nine, which a raw delivery to SQS (ten at most) passes on whole.
	if got := msgs[traced.UUID].MessageAttributes; len(got) != 9 || aws.ToString(got["uuid"].StringValue) != traced.UUID {
		t.Errorf("the traced event's attributes are %v, want the nine of Herald's topic with uuid %s", slices.Sorted(maps.Keys(got)), traced.UUID)
	}
	for _, e := range []*event.Event{plain, malformed} {
		if a, ok := msgs[e.UUID].MessageAttributes["trace_header"]; ok {
			t.Errorf("event %s: trace_header %q, want none", e.UUID, aws.ToString(a.StringValue))
		}
	}
}
