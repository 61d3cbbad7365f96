package reply_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/reply"
)

// startJetStream starts an embedded JetStream server with the given options on a free
// loopback port and returns a JetStream client connected to it; both are shut down when
// the test ends.
func startJetStream(t *testing.T, opts server.Options) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	opts.Host, opts.Port = "127.0.0.1", -1
	opts.JetStream, opts.StoreDir = true, t.TempDir()
	opts.NoLog, opts.NoSigs = true, true
	s, err := server.NewServer(&opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown() // before t.TempDir removes the store
	})
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not accept connections within 10s")
	}
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return nc, js
}

// newPullConsumer creates the stream S on "s.>" and a durable pull consumer on it, as
// Herald does for a consumer, and publishes n messages.
func newPullConsumer(ctx context.Context, t *testing.T, js jetstream.JetStream, name string, n int) jetstream.Consumer {
	t.Helper()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}}); err != nil {
		t.Fatal(err)
	}
	c, err := js.CreateOrUpdateConsumer(ctx, "S", jetstream.ConsumerConfig{
		Durable:   name,
		AckPolicy: jetstream.AckExplicitPolicy,
		AckWait:   30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := js.Publish(ctx, "s.event", []byte{byte('a' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// fetch fetches exactly n messages.
func fetch(t *testing.T, c jetstream.Consumer, n int) []jetstream.Msg {
	t.Helper()
	batch, err := c.Fetch(n, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	if err := batch.Error(); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != n {
		t.Fatalf("fetched %d messages, want %d", len(msgs), n)
	}
	return msgs
}

// TestParseAckSubjectFromServer reads the ack subject of a message a real server
// delivered, in each layout the server can use, and checks that ParseAckSubject agrees
// with nats.go's Metadata and that a reply signed for it passes VerifyAll.
func TestParseAckSubjectFromServer(t *testing.T) {
	tests := []struct {
		name   string
		opts   server.Options
		v2     bool
		domain string
	}{
		{"v1", server.Options{}, false, ""},
		{"v2 without a domain", server.Options{FeatureFlags: map[string]bool{"js_ack_fc_v2": true}}, true, ""},
		{"v2 with a domain", server.Options{FeatureFlags: map[string]bool{"js_ack_fc_v2": true}, JetStreamDomain: "hub"}, true, "hub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, js := startJetStream(t, tt.opts)
			if tt.domain != "" {
				var err error
				if js, err = jetstream.NewWithDomain(js.Conn(), tt.domain); err != nil {
					t.Fatal(err)
				}
			}
			c := newPullConsumer(ctx, t, js, consumer, 1)
			msg := fetch(t, c, 1)[0]

			subject := msg.Reply()
			// Make sure the server used the layout under test: 9 tokens for v1, 11 or
			// more for v2.
			if n := strings.Count(subject, ".") + 1; tt.v2 && n < 11 || !tt.v2 && n != 9 {
				t.Fatalf("the server's ack subject %q has %d tokens, not the layout under test", subject, n)
			}
			got, err := reply.ParseAckSubject(subject)
			if err != nil {
				t.Fatalf("ParseAckSubject(%q): %v", subject, err)
			}
			meta, err := msg.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			want := reply.AckInfo{
				Stream: meta.Stream, Consumer: meta.Consumer, Domain: meta.Domain,
				Delivered: meta.NumDelivered, StreamSeq: meta.Sequence.Stream, ConsumerSeq: meta.Sequence.Consumer,
				Timestamp: meta.Timestamp.UnixNano(), Pending: meta.NumPending,
			}
			if got != want {
				t.Errorf("ParseAckSubject(%q) =\n%+v, Metadata says\n%+v", subject, got, want)
			}
			if got.Stream != "S" || got.Consumer != consumer || got.Domain != tt.domain || got.StreamSeq != 1 || got.Delivered != 1 || got.Timestamp == 0 {
				t.Errorf("ParseAckSubject(%q) = %+v, want stream S, consumer %s, domain %q, sequence 1, first delivery and a timestamp", subject, got, consumer, tt.domain)
			}

			k := newKeyring(t, "live", "k1")
			infos, err := reply.VerifyAll(k, []reply.Reply{k.Sign(subject, consumer)}, consumer, "S")
			if err != nil || len(infos) != 1 || infos[0] != want {
				t.Errorf("VerifyAll of a signed reply = %+v, %v; want [%+v]", infos, err, want)
			}
		})
	}
}

// TestPayloadOnServer publishes each action's payload on the ack subject of a real
// delivery and checks the server does what the action says: ack and term settle the
// message, in_progress and a delayed nak keep it pending and out of the next fetch, and
// a plain nak has it redelivered at once.
func TestPayloadOnServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc, js := startJetStream(t, server.Options{})
	c := newPullConsumer(ctx, t, js, consumer, 4)
	msgs := fetch(t, c, 4)

	send := func(m jetstream.Msg, a reply.Action, delay time.Duration) {
		t.Helper()
		body, err := a.Payload(delay)
		if err != nil {
			t.Fatal(err)
		}
		// A request, not a publish: the server answers once it has applied the ack,
		// so the checks below see its effect.
		if _, err := nc.RequestWithContext(ctx, m.Reply(), body); err != nil {
			t.Fatalf("%s on %s: %v", a, m.Reply(), err)
		}
	}
	send(msgs[0], reply.Ack, 0)
	send(msgs[1], reply.Term, 0)
	send(msgs[2], reply.InProgress, 0)
	send(msgs[3], reply.Nak, time.Hour)

	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 2 || info.NumAckPending != 2 {
		t.Errorf("after ack, term, in_progress and a delayed nak: ack floor %d, %d pending; want floor 2 (ack and term settled), 2 pending",
			info.AckFloor.Stream, info.NumAckPending)
	}
	if batch, err := c.FetchNoWait(4); err != nil {
		t.Fatal(err)
	} else {
		for m := range batch.Messages() {
			t.Errorf("message %s came back although it is in progress or its nak is delayed an hour", m.Reply())
		}
	}

	send(msgs[2], reply.Nak, 0)
	again := fetch(t, c, 1)[0]
	meta, err := again.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if meta.Sequence.Stream != 3 || meta.NumDelivered != 2 {
		t.Errorf("after a plain nak, fetched stream sequence %d delivered %d times; want the nak'd message 3, delivered twice",
			meta.Sequence.Stream, meta.NumDelivered)
	}
}
