package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/test/stacktest"
)

// BenchmarkEndToEnd measures the latency from POST /v1/events on herald-local to the
// webhook of a matching trigger on a local receiver: the EventsApi, NATS, the bridge,
// SNS, the route queue, the Router, the deliveries queue and Deliver. Events are sent
// one at a time, each after the previous one arrived; the figures are p50 and p99.
//
// The baseline, measured in the same iterations (alternating with Herald's events), is
// the same transports with nothing of Herald between them: a JetStream publish to a
// stream of its own on the stack's NATS server, a plain loop relaying it to an SNS topic
// of its own on the stack's fauxqs, the topic's raw delivery to an SQS queue, a plain
// loop moving it to a second queue (Herald's route → deliveries hop), and a plain loop
// POSTing it to a receiver like the trigger's. What Herald adds over it is the API and
// authorizer, the Lambda runtime hand-overs, matching, the DynamoDB reads and writes of
// the Router and Deliver, and signing.
func BenchmarkEndToEnd(b *testing.B) {
	p := stacktest.Start(b)
	api := p.Banner["HTTP API"]
	hook := stacktest.NewHookReceiver(b)
	stacktest.CreateTrigger(b, p, api, hook.URL)
	token := strings.TrimSpace(p.Shell(b, `printf '%s' "$PUBLISHER_TOKEN"`))
	publish := func() {
		req, _ := http.NewRequest(http.MethodPost, api+"/v1/events", strings.NewReader(`{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/demo/items/i1","after":{"title":"i1"}}}`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var ack struct {
			UUID string `json:"uuid"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&ack)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || ack.UUID == "" {
			b.Fatalf("publish: %d", resp.StatusCode)
		}
	}
	raw := startRawPipeline(b, p)

	// The trigger reaches the Router at its first batch; one delivery warms every
	// function on the way. One event through the baseline warms its connections.
	arrived := func(r *stacktest.HookReceiver, n int) func() bool {
		return func() bool { h, _ := r.Received(); return len(h) >= n }
	}
	publish()
	waitUntil(b, arrived(hook, 1))
	raw.publish(b)
	waitUntil(b, arrived(raw.receiver, 1))

	measure := func(r *stacktest.HookReceiver, send func()) time.Duration {
		h, _ := r.Received()
		start := time.Now()
		send()
		waitUntil(b, arrived(r, len(h)+1))
		return time.Since(start)
	}
	var herald, baseline []time.Duration
	for i := 0; b.Loop(); i++ {
		// Alternating which goes first keeps any effect of order out of the ratio.
		if i%2 == 0 {
			herald = append(herald, measure(hook, publish))
			baseline = append(baseline, measure(raw.receiver, func() { raw.publish(b) }))
		} else {
			baseline = append(baseline, measure(raw.receiver, func() { raw.publish(b) }))
			herald = append(herald, measure(hook, publish))
		}
	}
	for _, q := range []struct {
		name string
		at   func(int) int
	}{{"p50", func(n int) int { return n / 2 }}, {"p99", func(n int) int { return n * 99 / 100 }}} {
		v, base := percentile(herald, q.at), percentile(baseline, q.at)
		b.ReportMetric(ms(v), q.name+"-ms")
		b.ReportMetric(ms(base), "base-"+q.name+"-ms")
		b.ReportMetric(float64(v)/float64(base), q.name+"-ratio")
	}
}

// percentile returns the element of sorted ds at the index at(len(ds)) gives.
func percentile(ds []time.Duration, at func(int) int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[at(len(s))]
}

// ms is d in milliseconds, the unit of the figures.
func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// rawPipeline is the end-to-end baseline: NATS → SNS → SQS → SQS → HTTP relayed by
// plain loops in this process, on the stack's own servers but resources of its own.
type rawPipeline struct {
	js       jetstream.JetStream
	receiver *stacktest.HookReceiver
	seq      atomic.Int64
}

func startRawPipeline(b *testing.B, p *stacktest.Stack) *rawPipeline {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	js := stacktest.ConnectJetStream(b, p.Banner["NATS"])
	// File storage, as HERALD_EVENTS has.
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH_E2E", Subjects: []string{"bench.e2e.>"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "BENCH_E2E", jetstream.ConsumerConfig{Durable: "bench-relay", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		b.Fatal(err)
	}

	endpoint := p.Banner["SNS/SQS"]
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}
	sqsc := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) })
	snsc := sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = aws.String(endpoint) })
	topic, err := snsc.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bench-e2e")})
	if err != nil {
		b.Fatal(err)
	}
	queue := func(name string) (url, arn string) {
		q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			b.Fatal(err)
		}
		attrs, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			b.Fatal(err)
		}
		return *q.QueueUrl, attrs.Attributes["QueueArn"]
	}
	routeURL, routeARN := queue("bench-e2e-route")
	deliveriesURL, _ := queue("bench-e2e-deliveries")
	if _, err := snsc.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(routeARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"},
	}); err != nil {
		b.Fatal(err)
	}

	r := &rawPipeline{js: js, receiver: stacktest.NewHookReceiver(b)}
	// NATS → SNS.
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if _, err := snsc.Publish(ctx, &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String(string(m.Data()))}); err != nil {
			if ctx.Err() == nil {
				b.Error(err)
			}
			return
		}
		m.Ack()
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cc.Stop)
	// SQS → SQS, and SQS → HTTP, long-polling as herald-local's event source mappings do.
	relay := func(from string, each func(body string) error) {
		for ctx.Err() == nil {
			out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(from), MaxNumberOfMessages: 10, WaitTimeSeconds: 5})
			if err != nil {
				if ctx.Err() == nil {
					b.Error(err)
				}
				return
			}
			for _, m := range out.Messages {
				if err := each(*m.Body); err != nil {
					if ctx.Err() == nil {
						b.Error(err)
					}
					return
				}
				if _, err := sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(from), ReceiptHandle: m.ReceiptHandle}); err != nil && ctx.Err() == nil {
					b.Error(err)
				}
			}
		}
	}
	go relay(routeURL, func(body string) error {
		_, err := sqsc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(deliveriesURL), MessageBody: aws.String(body)})
		return err
	})
	go relay(deliveriesURL, func(body string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.receiver.URL+"/hook", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
	return r
}

// publish puts one event, the same as Herald's benchmark publishes, on the baseline's
// stream, with a uuid of its own as Herald's API gives each event.
func (r *rawPipeline) publish(b *testing.B) {
	id := "bench-e2e-" + strconv.FormatInt(r.seq.Add(1), 10)
	body := `{"event":"resource.ResourceCreated","uuid":"` + id + `","resource":{"type":"itemsvc.Item","path":"projects/demo/items/i1","after":{"title":"i1"}}}`
	if _, err := r.js.Publish(context.Background(), "bench.e2e.items", []byte(body), jetstream.WithMsgID(id)); err != nil {
		b.Fatal(err)
	}
}

// waitUntil polls cond every millisecond (the resolution the latency needs) for up to
// 30 s.
func waitUntil(b *testing.B, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatal("the webhook did not arrive within 30 s")
		}
		time.Sleep(time.Millisecond)
	}
}
