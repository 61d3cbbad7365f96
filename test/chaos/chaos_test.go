package chaos

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/test/stacktest"
	"github.com/heraldhq/herald/wire"
)

// The no-loss suite. While a publisher sends a steady stream of events, the parts of
// the stack that carry them are killed with SIGKILL at random moments and come back as
// they would in AWS: the Bridge daemon and the Router and Deliver functions are
// restarted by herald-local (a new instance for the next invocation), NATS and the AWS
// emulators by herald-local's supervisor, on the same ports and state. At the end every
// event the API accepted must have reached the events topic, both matching triggers'
// actions (a webhook and an SQS queue), the consumer and the recipient's inbox, at least
// once; duplicates are counted and reported, not failed, since delivery is at least once.
//
// make test runs a short form (HERALD_CHAOS_KILLS unset: 6 kills); make test-chaos runs
// 25. HERALD_CHAOS_SEED replays a run's kill schedule.

// chaosTargets are what the suite kills, by how their processes are recognised among
// herald-local's children.
var chaosTargets = []struct {
	name  string
	match func(args []string) bool
}{
	{"bridge", binaryOf("Bridge")},
	{"router", binaryOf("Router")},
	{"deliver", binaryOf("Deliver")},
	{"nats", func(a []string) bool { return len(a) > 1 && a[1] == "nats-server" }},
	{"sqs-emulator", func(a []string) bool {
		return slices.ContainsFunc(a, func(s string) bool { return strings.HasSuffix(s, "emulators.mjs") })
	}},
}

// localVisibility is the visibility timeout the suite gives Herald's queues. The
// template's are six times their function's timeout (up to 12 minutes), sized for
// AWS's slowest runs; a local run takes milliseconds, and a message in flight in a
// killed function would keep the suite waiting that long for nothing. Shorter than a
// run, a timeout would make duplicates, which the suite counts: it does not hide a loss.
const localVisibility = 30

// shortenVisibility sets Herald's queues' visibility timeouts to localVisibility. The
// SQS emulator keeps them across its restarts.
func shortenVisibility(t *testing.T, c *sqs.Client) {
	t.Helper()
	for _, name := range []string{"RouteQueue", "InboxQueue", "DeliveriesQueue"} {
		u, err := c.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatalf("queue %s: %v", name, err)
		}
		if _, err := c.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{
			QueueUrl:   u.QueueUrl,
			Attributes: map[string]string{string(sqstypes.QueueAttributeNameVisibilityTimeout): strconv.Itoa(localVisibility)},
		}); err != nil {
			t.Fatalf("queue %s: %v", name, err)
		}
	}
}

// binaryOf matches the processes of a function's binary (<functions>/<id>/bootstrap).
func binaryOf(logicalID string) func([]string) bool {
	suffix := string(filepath.Separator) + filepath.Join(logicalID, "bootstrap")
	return func(a []string) bool { return len(a) > 0 && strings.HasSuffix(a[0], suffix) }
}

func TestChaosNoLoss(t *testing.T) {
	kills := 6
	if s := os.Getenv("HERALD_CHAOS_KILLS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < len(chaosTargets) {
			t.Fatalf("HERALD_CHAOS_KILLS=%q: want a number of at least %d", s, len(chaosTargets))
		}
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HERALD_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("HERALD_CHAOS_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("chaos: %d kills, HERALD_CHAOS_SEED=%d", kills, seed)
	rng := rand.New(rand.NewPCG(seed, seed)) // the kill schedule
	// The events' uuids, drawn by the publisher alone, so a replayed run publishes the same.
	var uuidSeed [32]byte
	binary.LittleEndian.PutUint64(uuidSeed[:], seed)
	uuidSource := rand.NewChaCha8(uuidSeed)

	// The sqs action's queue is not Herald's: allowed by name, as an operator would.
	p := stacktest.Start(t, "-action-targets", "arn:aws:sqs:*:*:chaos-action")
	api := p.Banner["HTTP API"]
	ctx := t.Context()

	// The four places every event must reach.
	sqsc, _ := p.AWSClients()
	shortenVisibility(t, sqsc)
	topic := &queueSink{sqs: sqsc, url: p.SubscribeQueue(t, "chaos-downstream", nil)}
	actionQueue := &queueSink{sqs: sqsc, url: createQueue(t, sqsc, "chaos-action")}
	hook := stacktest.NewHookReceiver(t)
	stacktest.CreateTrigger(t, p, api, hook.URL)
	// A second trigger on the same events, whose action sends them to an SQS queue: its
	// deliveries go through the emulator that is being killed.
	if out := p.Shell(t, `curl -s -X POST `+api+`/v1/triggers -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' `+
		`-d '{"name":"items to sqs","resource":{"path":"projects/demo","include_subresources":true},"events":["resource.*"],"filter":{"resource.type":"itemsvc.*"},"action":{"type":"sqs","queue_url":"`+actionQueue.url+`"}}'`); !strings.Contains(out, `"id"`) {
		t.Fatalf("create the sqs trigger: %s", out)
	}
	demo := newClient(t, api, p.Env(t, "DEMO_TOKEN"))
	cons, err := demo.CreateConsumer(ctx, wire.ConsumerSpec{Target: wire.Target{
		Resources: []wire.ResourceTarget{{Path: "projects/demo", IncludeSubresources: true}},
	}})
	if err != nil {
		t.Fatalf("create consumer: %v", err)
	}
	waitRouted(t, p, api, 2)

	// Publish until the kills are over, one event at a time: each is retried with its
	// own uuid until the API accepts it, so an accepted event is one the stack owes.
	publisher := newClient(t, api, p.Env(t, "PUBLISHER_TOKEN"))
	var (
		mu       sync.Mutex
		accepted []string
	)
	stop := make(chan struct{})
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			ev := &wire.Event{
				Event: "resource.ResourceUpdated",
				UUID:  uuid.Must(uuid.NewRandomFromReader(uuidSource)).String(),
				Resource: &wire.Resource{Type: "itemsvc.Item", Path: fmt.Sprintf("projects/demo/items/chaos-%d", i),
					Before: json.RawMessage(`{"version":0}`), After: json.RawMessage(`{"version":1}`)},
				Recipients: []string{"demo"},
			}
			for ctx.Err() == nil {
				if _, err := publisher.Publish(ctx, ev); err == nil {
					break
				}
				time.Sleep(100 * time.Millisecond) // the stack is coming back; try again
			}
			mu.Lock()
			accepted = append(accepted, ev.UUID)
			mu.Unlock()
		}
	}()

	killed := chaos(t, p, rng, kills)
	close(stop)
	<-published
	mu.Lock()
	uuids := slices.Clone(accepted)
	mu.Unlock()
	t.Logf("chaos: %d events accepted; kills: %v", len(uuids), killed)

	// Collect until every sink has every event. A message in flight in a killed function
	// comes back after its queue's visibility timeout (localVisibility), hence the wait.
	want := map[string]bool{}
	for _, u := range uuids {
		want[u] = true
	}
	sinks := []*sink{
		{name: "events topic", collect: topic.collect},
		{name: "trigger webhook", collect: func(context.Context) []string { return hookUUIDs(hook) }},
		{name: "trigger SQS action", collect: actionQueue.collect},
		{name: "consumer", collect: consumerCollector(demo, cons.ID)},
		{name: "inbox", collect: inboxCollector(demo)},
	}
	deadline := time.Now().Add(6 * time.Minute)
	for _, s := range sinks {
		s.seen = map[string]int{}
		if !testenv.Poll(time.Until(deadline), func() bool {
			for _, u := range s.collect(ctx) {
				s.seen[u]++
			}
			return len(s.missing(want)) == 0
		}) {
			missing := s.missing(want)
			t.Errorf("LOST: %d of %d accepted events never reached the %s, e.g. %v", len(missing), len(want), s.name, missing[:min(5, len(missing))])
		}
	}
	if t.Failed() {
		return
	}

	// Report duplicates: at-least-once delivery allows them, and an operator wants to know
	// how many a crash costs.
	var report []string
	for _, s := range sinks {
		report = append(report, fmt.Sprintf("%s %d", s.name, s.duplicates()))
	}
	t.Logf("chaos: %d events, %d kills %v; lost 0; duplicates: %s", len(uuids), total(killed), killed, strings.Join(report, ", "))
	if total(killed) < kills {
		t.Errorf("only %d of %d kills happened", total(killed), kills)
	}
}

// sink is one place events must reach; collect returns the uuids that arrived since its
// last call.
type sink struct {
	name    string
	collect func(context.Context) []string
	seen    map[string]int
}

func (s *sink) missing(want map[string]bool) []string {
	var missing []string
	for u := range want {
		if s.seen[u] == 0 {
			missing = append(missing, u)
		}
	}
	slices.Sort(missing)
	return missing
}

func (s *sink) duplicates() int {
	n := 0
	for _, c := range s.seen {
		n += c - 1
	}
	return n
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// chaos kills kills processes, cycling through every target in a shuffled order so that
// each is killed, at random intervals, and returns the kills per target. A target is
// killed again only once it is back (a new process).
func chaos(t *testing.T, p *stacktest.Stack, rng *rand.Rand, kills int) map[string]int {
	t.Helper()
	done := map[string]int{}
	last := map[string]int{} // target → pid killed last
	var order []int
	for len(order) < kills {
		round := rng.Perm(len(chaosTargets))
		order = append(order, round...)
	}
	for _, i := range order[:kills] {
		target := chaosTargets[i]
		time.Sleep(time.Duration(500+rng.IntN(2500)) * time.Millisecond) // a random moment
		var pid int
		testenv.WaitFor(t, time.Minute, func() bool {
			pid = childMatching(t, p.Cmd.Process.Pid, target.match)
			return pid != 0 && pid != last[target.name]
		}, "a running "+target.name+" to kill")
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatalf("kill %s (%d): %v", target.name, pid, err)
		}
		last[target.name] = pid
		done[target.name]++
		t.Logf("chaos: killed %s (pid %d)", target.name, pid)
	}
	return done
}

// childMatching returns the pid of a child process of parent whose command line match
// accepts, or 0. Linux only, like the rest of the local stack's process handling.
func childMatching(t *testing.T, parent int, match func([]string) bool) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after its last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 2 || fields[0] == "Z" || fields[1] != strconv.Itoa(parent) {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if match(strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")) {
			return pid
		}
	}
	return 0
}

func newClient(t testing.TB, api, token string) *client.Client {
	t.Helper()
	c, err := client.New(api, client.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitRouted publishes item events until the Router matches them to the triggers it
// should (it refreshes its index every few seconds), so that no chaos event is published
// before they could match it.
func waitRouted(t *testing.T, p *stacktest.Stack, api string, triggers int) {
	t.Helper()
	var sent []string
	testenv.WaitFor(t, time.Minute, func() bool {
		for _, u := range sent {
			if strings.Contains(p.Text(), `"uuid":"`+u+`","event":"resource.ResourceCreated","triggers":`+strconv.Itoa(triggers)) {
				return true
			}
		}
		out := p.Shell(t, `curl -s -X POST `+api+`/v1/events -H "Authorization: Bearer $PUBLISHER_TOKEN" -H 'Content-Type: application/json' `+
			`-d '{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/demo/items/warm","after":{"title":"warm"}}}'`)
		if u := stacktest.EventUUID([]byte(out)); u != "" {
			sent = append(sent, u)
		}
		return false
	}, "the Router matching the triggers")
}

// queueSink is an SQS queue events arrive in: one subscribed to the events topic, as a
// downstream system's, or one a trigger's sqs action sends to.
type queueSink struct {
	sqs *sqs.Client
	url string
}

// createQueue makes the queue name and returns its URL.
func createQueue(t *testing.T, c *sqs.Client, name string) string {
	t.Helper()
	out, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// collect receives and deletes what the queue holds now.
func (q *queueSink) collect(ctx context.Context) []string {
	var uuids []string
	for {
		out, err := q.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) == 0 {
			return uuids
		}
		var entries []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range out.Messages {
			if u := stacktest.EventUUID([]byte(aws.ToString(m.Body))); u != "" {
				uuids = append(uuids, u)
			}
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		q.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
	}
}

// hookUUIDs takes the webhooks received since its last call and returns their uuids.
func hookUUIDs(h *stacktest.HookReceiver) []string {
	var uuids []string
	for _, b := range h.Drain() {
		if u := stacktest.EventUUID(b); u != "" {
			uuids = append(uuids, u)
		}
	}
	return uuids
}

// consumerCollector fetches and acknowledges what the consumer has now.
func consumerCollector(c *client.Client, id string) func(context.Context) []string {
	return func(ctx context.Context) []string {
		var uuids []string
		for {
			msgs, err := c.Fetch(ctx, id, client.FetchOptions{BatchSize: 500, Wait: time.Second})
			if err != nil || len(msgs) == 0 {
				return uuids
			}
			replies := make([]wire.Reply, len(msgs))
			for i, m := range msgs {
				if u := stacktest.EventUUID(m.Event); u != "" {
					uuids = append(uuids, u)
				}
				replies[i] = m.Reply
			}
			c.Acknowledge(ctx, replies, wire.Ack, 0)
		}
	}
}

// inboxCollector returns every notification's event uuid, once: the inbox is read whole
// each time, so only notifications not seen before are returned.
func inboxCollector(c *client.Client) func(context.Context) []string {
	seen := map[string]bool{}
	return func(ctx context.Context) []string {
		var uuids []string
		for n, err := range c.AllNotifications(ctx, wire.StateAll, client.ListOptions{Limit: 100}) {
			if err != nil {
				return uuids
			}
			if !seen[n.ID] {
				seen[n.ID] = true
				uuids = append(uuids, n.EventUUID)
			}
		}
		return uuids
	}
}
