package fanout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Main(m, &env)) }

// attr is a message attribute as data type and value, comparable with ==.
type attr struct{ Type, Value string }

func str(v string) attr { return attr{"String", v} }
func num(v string) attr { return attr{"Number", v} }

// flatten turns SNS message attributes into comparable values.
func flatten(attrs map[string]types.MessageAttributeValue) map[string]attr {
	out := make(map[string]attr, len(attrs))
	for k, v := range attrs {
		out[k] = attr{aws.ToString(v.DataType), aws.ToString(v.StringValue)}
	}
	return out
}

var ts = time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)

// TestAttributes checks the message attributes of events with and without each optional
// part: present parts give their attribute with the right data type, absent ones none.
func TestAttributes(t *testing.T) {
	tests := []struct {
		name string
		e    *event.Event
		seq  uint64
		want map[string]attr
	}{
		{
			name: "full event",
			e: &event.Event{
				Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: ts,
				User:       &event.User{ID: "u-1"},
				Resource:   &event.Resource{Type: "collection", ID: "c1", Path: "projects/p1/collections/c1"},
				Recipients: []string{"u-2"},
			},
			seq: 42,
			want: map[string]attr{
				"event":          str("resource.ResourceCreated"),
				"domain":         str("resource"),
				"resource_type":  str("collection"),
				"resource_path":  str("projects/p1/collections/c1"),
				"user_id":        str("u-1"),
				"has_recipients": str("true"),
				"sequence":       num("42"),
			},
		},
		{
			name: "system announcement without user or resource",
			e:    &event.Event{Event: "system.Announcement", UUID: uuid.NewString(), Timestamp: ts, Recipients: []string{"u-1", "u-2"}},
			seq:  7,
			want: map[string]attr{
				"event":          str("system.Announcement"),
				"domain":         str("system"),
				"resource_path":  str("system"),
				"has_recipients": str("true"),
				"sequence":       num("7"),
			},
		},
		{
			name: "no recipients",
			e: &event.Event{
				Event: "job.JobFinished", UUID: uuid.NewString(), Timestamp: ts,
				User:     &event.User{ID: "u-1"},
				Resource: &event.Resource{Type: "job", ID: "j1", Path: "jobs/j1"},
			},
			seq: 1,
			want: map[string]attr{
				"event":          str("job.JobFinished"),
				"domain":         str("job"),
				"resource_type":  str("job"),
				"resource_path":  str("jobs/j1"),
				"user_id":        str("u-1"),
				"has_recipients": str("false"),
				"sequence":       num("1"),
			},
		},
		{
			name: "sequence 0 omitted",
			e: &event.Event{
				Event: "resource.ResourceUpdated", UUID: uuid.NewString(), Timestamp: ts,
				Resource: &event.Resource{Type: "collection", Path: "projects/p1"},
			},
			seq: 0,
			want: map[string]attr{
				"event":          str("resource.ResourceUpdated"),
				"domain":         str("resource"),
				"resource_type":  str("collection"),
				"resource_path":  str("projects/p1"),
				"has_recipients": str("false"),
			},
		},
		{
			name: "user without id and path derived from type and id",
			e: &event.Event{
				Event: "item.ItemCreated", UUID: uuid.NewString(), Timestamp: ts,
				User:     &event.User{},
				Resource: &event.Resource{Type: "itemsvc.Item", ID: "i 1"},
			},
			seq: 18446744073709551615,
			want: map[string]attr{
				"event":          str("item.ItemCreated"),
				"domain":         str("item"),
				"resource_type":  str("itemsvc.Item"),
				"resource_path":  str(event.DerivePath("itemsvc.Item", "i 1")),
				"has_recipients": str("false"),
				"sequence":       num("18446744073709551615"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flatten(fanout.Attributes(tt.e, tt.seq))
			// Every event here has a uuid, which identifies it to subscribers.
			tt.want["uuid"] = str(tt.e.UUID)
			if !maps.Equal(got, tt.want) {
				t.Errorf("Attributes =\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

// TestEntrySize checks that an entry's size counts the body and every attribute's name,
// data type and value.
func TestEntrySize(t *testing.T) {
	tests := []struct {
		name  string
		entry fanout.Entry
		want  int
	}{
		{"empty", fanout.Entry{}, 0},
		{"body only", fanout.Entry{Body: `{"event":"a.B"}`}, 15},
		{
			name: "string attribute",
			entry: fanout.Entry{Body: "abc", Attributes: map[string]types.MessageAttributeValue{
				"event": {DataType: aws.String("String"), StringValue: aws.String("a.B")},
			}},
			want: 3 + len("event") + len("String") + len("a.B"),
		},
		{
			name: "string and number attributes",
			entry: fanout.Entry{Body: "abcd", Attributes: map[string]types.MessageAttributeValue{
				"domain":   {DataType: aws.String("String"), StringValue: aws.String("job")},
				"sequence": {DataType: aws.String("Number"), StringValue: aws.String("12345")},
			}},
			want: 4 + len("domain") + len("String") + len("job") + len("sequence") + len("Number") + len("12345"),
		},
		{
			name: "multi-byte characters count in bytes",
			entry: fanout.Entry{Body: "é", Attributes: map[string]types.MessageAttributeValue{
				"user_id": {DataType: aws.String("String"), StringValue: aws.String("ü")},
			}},
			want: 2 + len("user_id") + len("String") + 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.entry.Size(); got != tt.want {
				t.Errorf("Size = %d, want %d", got, tt.want)
			}
		})
	}
}

// countingClient passes requests to the default HTTP client and counts them, so that a
// test can tell whether a call reached SNS at all.
type countingClient struct {
	next  *http.Client
	calls atomic.Int32
}

func (c *countingClient) Do(req *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return c.next.Do(req)
}

// newPublisher returns a publisher for topicARN on the emulator, with a client that counts
// its HTTP requests.
func newPublisher(topicARN string) (*fanout.Publisher, *countingClient) {
	hc := &countingClient{next: &http.Client{Timeout: 10 * time.Second}}
	client := sns.NewFromConfig(env.AWS, func(o *sns.Options) { o.HTTPClient = hc })
	return fanout.NewPublisher(client, topicARN), hc
}

// newTopic creates a topic with a unique name and a raw-delivery queue subscribed to it,
// returning the topic ARN and the queue URL.
func newTopic(t *testing.T) (topicARN, queueURL string) {
	t.Helper()
	out, err := env.SNS.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("fanout-" + uuid.NewString()[:8])})
	if err != nil {
		t.Fatal(err)
	}
	topicARN = aws.ToString(out.TopicArn)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := env.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topicARN)}); err != nil {
			t.Errorf("delete topic %s: %v", topicARN, err)
		}
	})
	url, queueARN := env.NewQueue(t, "fanout")
	env.Subscribe(t, topicARN, queueARN, "", true)
	return topicARN, url
}

// entries returns n entries made from distinct events, as the bridge makes them.
func entries(t *testing.T, n int) []fanout.Entry {
	t.Helper()
	out := make([]fanout.Entry, n)
	for i := range out {
		e := &event.Event{
			Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: ts,
			User:     &event.User{ID: fmt.Sprintf("u-%d", i)},
			Resource: &event.Resource{Type: "collection", ID: fmt.Sprintf("c%d", i), Path: fmt.Sprintf("projects/p1/collections/c%d", i)},
		}
		if i%2 == 0 {
			e.Recipients = []string{"u-x"}
		}
		body, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = fanout.Entry{Body: string(body), Attributes: fanout.Attributes(e, uint64(i+1))}
	}
	return out
}

// TestPublishBatchDelivers checks that a full batch is accepted in one call and that a
// raw-delivery subscriber receives every body with its message attributes.
func TestPublishBatchDelivers(t *testing.T) {
	topicARN, queueURL := newTopic(t)
	pub, hc := newPublisher(topicARN)
	if pub.TopicARN() != topicARN {
		t.Errorf("TopicARN = %q, want %q", pub.TopicARN(), topicARN)
	}
	batch := entries(t, fanout.MaxBatchEntries)
	errs, err := pub.PublishBatch(t.Context(), batch)
	if err != nil {
		t.Fatalf("PublishBatch: %v", err)
	}
	if len(errs) != len(batch) {
		t.Fatalf("PublishBatch returned %d error slots for %d entries", len(errs), len(batch))
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	if n := hc.calls.Load(); n != 1 {
		t.Errorf("PublishBatch made %d HTTP requests, want 1", n)
	}

	want := make(map[string]map[string]attr, len(batch))
	for _, e := range batch {
		want[e.Body] = flatten(e.Attributes)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	msgs := env.Receive(ctx, t, queueURL, len(batch))
	if len(msgs) != len(batch) {
		t.Fatalf("received %d messages, want %d", len(msgs), len(batch))
	}
	for _, m := range msgs {
		body := aws.ToString(m.Body)
		wantAttrs, ok := want[body]
		if !ok {
			t.Errorf("received an unexpected or repeated body %q", body)
			continue
		}
		delete(want, body)
		got := make(map[string]attr, len(m.MessageAttributes))
		for k, v := range m.MessageAttributes {
			got[k] = attr{aws.ToString(v.DataType), aws.ToString(v.StringValue)}
		}
		if !maps.Equal(got, wantAttrs) {
			t.Errorf("message %s attributes =\n%v\nwant\n%v", body, got, wantAttrs)
		}
	}
	if len(want) != 0 {
		t.Errorf("%d bodies never arrived", len(want))
	}
}

// TestPublishBatchLimits checks the batches PublishBatch answers without calling SNS:
// an empty one with nothing, an oversized one with an error.
func TestPublishBatchLimits(t *testing.T) {
	topicARN, _ := newTopic(t)
	tests := []struct {
		name    string
		n       int
		wantErr bool
	}{
		{"empty", 0, false},
		{"eleven entries", fanout.MaxBatchEntries + 1, true},
		{"hundred entries", 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, hc := newPublisher(topicARN)
			errs, err := pub.PublishBatch(t.Context(), entries(t, tt.n))
			if (err != nil) != tt.wantErr {
				t.Errorf("PublishBatch(%d entries) error = %v, want error %v", tt.n, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), strconv.Itoa(tt.n)) {
				t.Errorf("error %q does not say how many entries there were", err)
			}
			if errs != nil {
				t.Errorf("PublishBatch(%d entries) error slots = %v, want nil", tt.n, errs)
			}
			if n := hc.calls.Load(); n != 0 {
				t.Errorf("PublishBatch(%d entries) made %d HTTP requests, want 0", tt.n, n)
			}
		})
	}
}

// TestPublishBatchMissingTopic checks that publishing to a topic that does not exist
// reports no entry as accepted, whether SNS refuses the call or each entry.
func TestPublishBatchMissingTopic(t *testing.T) {
	topicARN, _ := newTopic(t)
	// Same region and account as a real topic, so that only the name is wrong.
	missing := topicARN[:strings.LastIndexByte(topicARN, ':')+1] + "missing-" + uuid.NewString()[:8]
	pub, _ := newPublisher(missing)
	batch := entries(t, 3)
	errs, err := pub.PublishBatch(t.Context(), batch)
	if err != nil {
		if errs != nil {
			t.Errorf("call-level error %v came with error slots %v", err, errs)
		}
		return
	}
	if len(errs) != len(batch) {
		t.Fatalf("PublishBatch returned %d error slots for %d entries", len(errs), len(batch))
	}
	if i := slices.IndexFunc(errs, func(err error) bool { return err == nil }); i >= 0 {
		t.Errorf("entry %d reported accepted by a missing topic", i)
	}
}
