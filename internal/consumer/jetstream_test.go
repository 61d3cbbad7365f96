package consumer

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

// newStream starts a NATS server with JetStream for the test alone and creates the
// HERALD_EVENTS stream on it as production does.
func newStream(t *testing.T) (jetstream.JetStream, jetstream.Stream) {
	t.Helper()
	srv, err := testenv.StartNATS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(t.Context(), bus.StreamConfig(bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	return js, stream
}

// publish stores an event of eventType about path, with "<eventType> <path>" as its
// body, and returns its stream sequence.
func publish(t *testing.T, js jetstream.JetStream, eventType, path string) uint64 {
	t.Helper()
	ack, err := js.Publish(t.Context(), event.Subject(eventType, path), []byte(eventType+" "+path))
	if err != nil {
		t.Fatalf("publishing %s %s: %v", eventType, path, err)
	}
	return ack.Sequence
}

// createConsumer normalizes the spec in body and creates its consumer.
func createConsumer(t *testing.T, js jetstream.JetStream, name, body string) jetstream.Consumer {
	t.Helper()
	s := decodeSpec(t, body)
	if err := s.Normalize(); err != nil {
		t.Fatalf("Normalize(%s): %v", body, err)
	}
	cons, err := js.CreateConsumer(t.Context(), event.StreamName, s.ConsumerConfig(name, "u-test"))
	if err != nil {
		t.Fatalf("creating the consumer for %s: %v", body, err)
	}
	return cons
}

// receive fetches and acknowledges every message the consumer has pending and returns
// their bodies, sorted. It asks the server how many are pending, fetches until it has
// them all, and then checks that no further message is waiting.
func receive(t *testing.T, cons jetstream.Consumer) []string {
	t.Helper()
	info, err := cons.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pending := int(info.NumPending)
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < pending {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d pending messages within 10s: %q", len(got), pending, got)
		}
		batch, err := cons.Fetch(pending-len(got), jetstream.FetchMaxWait(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		for msg := range batch.Messages() {
			got = append(got, string(msg.Data()))
			if err := msg.Ack(); err != nil {
				t.Fatal(err)
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) {
			t.Fatal(err)
		}
	}
	more, err := cons.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	for msg := range more.Messages() {
		t.Errorf("message %q arrived after the %d pending ones", msg.Data(), pending)
	}
	slices.Sort(got)
	return got
}

// The events of TestConsumersOnServer: event types at every depth of one project, a
// sibling project whose name extends the first's, users and an announcement.
const (
	rc = "resource.ResourceCreated"
	ru = "resource.ResourceUpdated"
	jf = "job.JobFinished"
	pg = "user.PermissionGranted"
	an = "system.Announcement"

	p1    = "projects/p1"
	c1    = "projects/p1/collections/c1"
	o1    = "projects/p1/collections/c1/objects/o1"
	c10   = "projects/p1/collections/c10"
	p10   = "projects/p10"
	p10c1 = "projects/p10/collections/c1"
)

var serverEvents = [][2]string{
	{rc, p1}, {ru, p1},
	{rc, c1}, {jf, c1},
	{rc, o1}, {ru, o1},
	{rc, c10},
	{rc, p10}, {rc, p10c1},
	{pg, "users/u1"}, {pg, "users/u2"}, {rc, "users/u1"},
	{an, "system"},
}

func TestConsumersOnServer(t *testing.T) {
	js, _ := newStream(t)
	for _, e := range serverEvents {
		publish(t, js, e[0], e[1])
	}
	res := func(path string, subresources bool) string {
		return fmt.Sprintf(`{"path":%q,"include_subresources":%v}`, path, subresources)
	}
	one := func(path string, subresources bool) string {
		return `{"resources":[` + res(path, subresources) + `]}`
	}
	ev := func(eventType, path string) string { return eventType + " " + path }

	tests := []struct {
		name string
		body string
		want []string
	}{
		{"project with subresources", `{"target":` + one(p1, true) + `}`,
			[]string{ev(rc, p1), ev(ru, p1), ev(rc, c1), ev(jf, c1), ev(rc, o1), ev(ru, o1), ev(rc, c10)}},
		{"project only", `{"target":` + one(p1, false) + `}`,
			[]string{ev(rc, p1), ev(ru, p1)}},
		{"collection with subresources", `{"target":` + one(c1, true) + `}`,
			[]string{ev(rc, c1), ev(jf, c1), ev(rc, o1), ev(ru, o1)}},
		{"collection only", `{"target":` + one(c1, false) + `}`,
			[]string{ev(rc, c1), ev(jf, c1)}},
		{"object with subresources", `{"target":` + one(o1, true) + `}`,
			[]string{ev(rc, o1), ev(ru, o1)}},
		{"object only", `{"target":` + one(o1, false) + `}`,
			[]string{ev(rc, o1), ev(ru, o1)}},
		{"sibling project only", `{"target":` + one(p10, false) + `}`,
			[]string{ev(rc, p10)}},
		{"sibling project with subresources", `{"target":` + one(p10, true) + `}`,
			[]string{ev(rc, p10), ev(rc, p10c1)}},
		{"one event type", `{"target":` + one(p1, true) + `,"event_types":["resource.ResourceUpdated"]}`,
			[]string{ev(ru, p1), ev(ru, o1)}},
		{"a domain", `{"target":` + one(p1, true) + `,"event_types":["job.*"]}`,
			[]string{ev(jf, c1)}},
		{"types and resources", `{"target":{"resources":[` + res(c1, false) + `,` + res(p10, true) + `]},"event_types":["resource.ResourceCreated","job.*"]}`,
			[]string{ev(rc, c1), ev(jf, c1), ev(rc, p10), ev(rc, p10c1)}},
		{"covering patterns and resources", `{"target":{"resources":[` + res(p1, true) + `,` + res(c1, false) + `,` + res(p1, false) + `,` + res(o1, true) + `]},"event_types":["resource.*","*","job.JobFinished"]}`,
			[]string{ev(rc, p1), ev(ru, p1), ev(rc, c1), ev(jf, c1), ev(rc, o1), ev(ru, o1), ev(rc, c10)}},
		{"own user", `{"target":{"user":"u1"}}`,
			[]string{ev(pg, "users/u1")}},
		{"own user, every event type", `{"target":{"user":"u1"},"event_types":["*"]}`,
			[]string{ev(pg, "users/u1"), ev(rc, "users/u1")}},
		{"announcements", `{"target":{"announcements":true}}`,
			[]string{ev(an, "system")}},
		{"all", `{"target":{"all":true}}`,
			func() []string {
				var all []string
				for _, e := range serverEvents {
					all = append(all, ev(e[0], e[1]))
				}
				return all
			}()},
		{"all of some domains", `{"target":{"all":true},"event_types":["user.*","system.*"]}`,
			[]string{ev(pg, "users/u1"), ev(pg, "users/u2"), ev(an, "system")}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cons := createConsumer(t, js, fmt.Sprintf("C%02d", i), tt.body)
			got := receive(t, cons)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("received\n\t%q\nwant\n\t%q", got, want)
			}
		})
	}
}

// TestServerAcceptsFilterSubjects creates consumers from random specs and from a spec
// with the most filters allowed: the server must accept every set of filters, which it would
// not if two of them overlapped, and keep them as given.
func TestServerAcceptsFilterSubjects(t *testing.T) {
	js, _ := newStream(t)
	g := specGen{rand.New(rand.NewPCG(3, 4))}
	specs := make([]*Spec, 40)
	for i := range specs {
		specs[i] = g.spec()
	}
	// The most filters a spec may have: every resource and every event type count.
	largest := &Spec{}
	for i := range MaxResources {
		largest.Target.Resources = append(largest.Target.Resources, ResourceTarget{Path: fmt.Sprintf("projects/p%d", i), IncludeSubresources: i%2 == 0})
	}
	for i := range MaxFilterSubjects / MaxResources {
		largest.EventTypes = append(largest.EventTypes, fmt.Sprintf("domain%d.Name", i))
	}
	specs = append(specs, largest)

	for i, s := range specs {
		if err := s.Normalize(); err != nil {
			t.Fatalf("spec %d: Normalize: %v", i, err)
		}
		cfg := s.ConsumerConfig(fmt.Sprintf("R%02d", i), "u-test")
		cons, err := js.CreateConsumer(t.Context(), event.StreamName, cfg)
		if err != nil {
			t.Fatalf("spec %d %+v with filters %q: %v", i, s, s.FilterSubjects(), err)
		}
		got := cons.CachedInfo().Config
		filters := got.FilterSubjects
		if got.FilterSubject != "" {
			filters = []string{got.FilterSubject}
		}
		if !slices.Equal(filters, s.FilterSubjects()) {
			t.Errorf("spec %d: the server keeps the filters\n\t%q\nnot\n\t%q", i, filters, s.FilterSubjects())
		}
		if err := js.DeleteConsumer(t.Context(), event.StreamName, cfg.Durable); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(largest.FilterSubjects()); n != MaxFilterSubjects {
		t.Errorf("the largest spec has %d filters, want %d", n, MaxFilterSubjects)
	}
}

func TestConsumerSettingsOnServer(t *testing.T) {
	js, _ := newStream(t)
	cons := createConsumer(t, js, "S1", `{"target":{"all":true},"ack_wait_ms":2500,"max_deliver":4,"idle_expiry":"2h"}`)
	cfg := cons.CachedInfo().Config
	if cfg.Durable != "S1" || cfg.AckPolicy != jetstream.AckExplicitPolicy || cfg.AckWait != 2500*time.Millisecond ||
		cfg.MaxDeliver != 4 || cfg.InactiveThreshold != 2*time.Hour || cfg.MaxAckPending != DefaultMaxAckPending ||
		cfg.MaxWaiting != MaxWaiting || !strings.Contains(cfg.Description, "u-test") {
		t.Errorf("the server holds %+v", cfg)
	}
}

func TestDeliverPolicies(t *testing.T) {
	js, stream := newStream(t)
	const path = "projects/dp"
	target := `{"target":{"resources":[{"path":"` + path + `"}]}`
	seqs := make([]uint64, 3)
	for i := range seqs {
		seqs[i] = publish(t, js, fmt.Sprintf("test.E%d", i+1), path)
	}
	// Another resource's events in between must not count.
	publish(t, js, "test.Other", "projects/other")
	name := func(i int) string { return fmt.Sprintf("test.E%d %s", i, path) }

	t.Run("all replays what is on the stream", func(t *testing.T) {
		got := receive(t, createConsumer(t, js, "D1", target+`}`))
		if want := []string{name(1), name(2), name(3)}; !slices.Equal(got, want) {
			t.Errorf("received %q, want %q", got, want)
		}
	})

	t.Run("by start time starts at the instant", func(t *testing.T) {
		msg, err := stream.GetMsg(t.Context(), seqs[1])
		if err != nil {
			t.Fatal(err)
		}
		// Take the time as a client sees it in a message's metadata.
		cons, err := stream.OrderedConsumer(t.Context(), jetstream.OrderedConsumerConfig{
			DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: seqs[1]})
		if err != nil {
			t.Fatal(err)
		}
		m, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		meta, err := m.Metadata()
		if err != nil {
			t.Fatal(err)
		}
		at := meta.Timestamp
		if !at.Equal(msg.Time) {
			t.Fatalf("metadata time %v, stored time %v", at, msg.Time)
		}
		// Through JSON, as a client would send it: RFC 3339 with all nine digits.
		startTime, _ := json.Marshal(at)
		got := receive(t, createConsumer(t, js, "D3", target+`,"deliver_policy":"by_start_time","start_time":`+string(startTime)+`}`))
		if want := []string{name(2), name(3)}; !slices.Equal(got, want) {
			t.Errorf("from %s received %q, want %q", startTime, got, want)
		}
		// One nanosecond later is after the second event: precision is not rounded away.
		later, _ := json.Marshal(at.Add(time.Nanosecond))
		got = receive(t, createConsumer(t, js, "D4", target+`,"deliver_policy":"by_start_time","start_time":`+string(later)+`}`))
		if want := []string{name(3)}; !slices.Equal(got, want) {
			t.Errorf("from %s received %q, want %q", later, got, want)
		}
	})

	t.Run("by start sequence starts at the sequence", func(t *testing.T) {
		got := receive(t, createConsumer(t, js, "D5", target+fmt.Sprintf(`,"deliver_policy":"by_start_sequence","start_sequence":%d}`, seqs[1])))
		if want := []string{name(2), name(3)}; !slices.Equal(got, want) {
			t.Errorf("from sequence %d received %q, want %q", seqs[1], got, want)
		}
	})

	// These add events: after the subtests that count every event.
	t.Run("last per subject gives the last of each subject", func(t *testing.T) {
		// The second E1 on its subject replaces the first; the body tells them apart.
		if _, err := js.Publish(t.Context(), event.Subject("test.E1", path), []byte("second "+name(1))); err != nil {
			t.Fatal(err)
		}
		got := receive(t, createConsumer(t, js, "D6", target+`,"deliver_policy":"last_per_subject"}`))
		if want := []string{"second " + name(1), name(2), name(3)}; !slices.Equal(got, want) {
			t.Errorf("received %q, want %q", got, want)
		}
	})
	t.Run("last gives the last event and what follows", func(t *testing.T) {
		got := receive(t, createConsumer(t, js, "D7", target+`,"deliver_policy":"last"}`))
		if want := []string{"second " + name(1)}; !slices.Equal(got, want) {
			t.Errorf("received %q, want %q", got, want)
		}
	})

	// Last: it adds an event.
	t.Run("new gets only what follows", func(t *testing.T) {
		cons := createConsumer(t, js, "D2", target+`,"deliver_policy":"new"}`)
		publish(t, js, "test.E4", path)
		// The consumer counts a new message a moment after the stream stored it.
		testenv.WaitFor(t, 10*time.Second, func() bool {
			info, err := cons.Info(t.Context())
			return err == nil && info.NumPending+uint64(info.NumAckPending) > 0
		}, "the new event to reach the consumer")
		got := receive(t, cons)
		if want := []string{name(4)}; !slices.Equal(got, want) {
			t.Errorf("received %q, want %q", got, want)
		}
	})
}
