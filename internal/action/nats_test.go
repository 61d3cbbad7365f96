package action

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/event"
)

const actionsPassword = "actions-password"

// natsRig is a NATS server configured as the local stack's (Herald's user and the
// confined actions user), Herald's connection to it, and a Runner whose nats actions
// publish as the actions user.
type natsRig struct {
	herald *nats.Conn
	js     jetstream.JetStream
	runner *Runner
}

func newNATSRig(t *testing.T) *natsRig {
	t.Helper()
	s, err := testenv.StartConfinedNATS(t.TempDir(), localnats.Actions{Password: actionsPassword, Subjects: actionspec.DefaultSubjects})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return rigOn(t, s)
}

// rigOn connects to s as Herald and as the actions user.
func rigOn(t *testing.T, s *server.Server) *natsRig {
	t.Helper()
	herald, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(herald.Close)
	js, err := jetstream.New(herald)
	if err != nil {
		t.Fatal(err)
	}
	url, err := localnats.ActionsURL(s.ClientURL(), actionsPassword)
	if err != nil {
		t.Fatal(err)
	}
	actions, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(actions.Close)
	return &natsRig{herald: herald, js: js, runner: &Runner{Actions: actions, Policy: actionspec.Policy{NATS: true}}}
}

// delivery returns a delivery of a job event to subject by trigger 01JTRIGGER.
func natsDelivery(subject, deliveryID string, requireListener bool) Delivery {
	ev := &event.Event{Event: "job.JobFinished", UUID: "0f8fad5b-d9cb-469f-a165-70867728950e", Resource: &event.Resource{Type: "job", Path: "projects/p1/jobs/j1"}}
	return Delivery{Action: &Config{Type: "nats", Subject: subject, RequireListener: requireListener}, Event: ev, Raw: []byte(`{"event":"job.JobFinished"}`),
		DeliveryID: deliveryID, TriggerID: "01JTRIGGER00000000000000000"}
}

// shorten makes the waits of this test short, restoring them after.
func shorten(t *testing.T) {
	probe, ack := natsProbeWait, natsAckTimeout
	natsProbeWait, natsAckTimeout = 200*time.Millisecond, 300*time.Millisecond
	t.Cleanup(func() { natsProbeWait, natsAckTimeout = probe, ack })
}

// TestNATSStream: on a subject a stream captures, the stream's acknowledgement is the
// success, the message carries Herald's headers, and a second attempt of the same
// delivery is dropped by the stream as a duplicate while another delivery is stored.
func TestNATSStream(t *testing.T) {
	x := newNATSRig(t)
	ctx := context.Background()
	stream, err := x.js.CreateStream(ctx, jetstream.StreamConfig{Name: "PARTNER", Subjects: []string{"herald.actions.js.>"}, Duplicates: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	d := natsDelivery("herald.actions.js.orders", "01JDELIVERY0000000000000001", false)
	for i, want := range []string{"stored by a stream", "stream that captures the subject (a duplicate"} {
		if o := x.runner.Run(ctx, d); !o.OK || !strings.Contains(o.Response, want) {
			t.Fatalf("attempt %d: %+v, want OK and %q", i+1, o, want)
		}
	}
	other := natsDelivery("herald.actions.js.orders", "01JDELIVERY0000000000000002", false)
	if o := x.runner.Run(ctx, other); !o.OK || o.Response != "stored by a stream that captures the subject" {
		t.Fatalf("another delivery: %+v", o)
	}
	m, err := stream.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"Nats-Msg-Id": d.DeliveryID, "Herald-Event": "job.JobFinished", "Herald-Trigger": d.TriggerID} {
		if got := m.Header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	if string(m.Data) != string(d.Raw) {
		t.Errorf("stored %s, want the payload", m.Data)
	}
	if info, _ := stream.Info(ctx); info.State.Msgs != 2 {
		t.Errorf("the stream holds %d messages, want 2", info.State.Msgs)
	}
}

// TestNATSStreamMustAcknowledge: once a stream is known to capture a subject, a publish
// there that no stream acknowledges fails and is retried, even when a subscriber got it.
func TestNATSStreamMustAcknowledge(t *testing.T) {
	shorten(t)
	x := newNATSRig(t)
	ctx := context.Background()
	if _, err := x.js.CreateStream(ctx, jetstream.StreamConfig{Name: "GONE", Subjects: []string{"herald.actions.gone"}}); err != nil {
		t.Fatal(err)
	}
	if o := x.runner.Run(ctx, natsDelivery("herald.actions.gone", "01JDELIVERY0000000000000001", false)); !o.OK {
		t.Fatalf("the first publish: %+v", o)
	}
	if err := x.js.DeleteStream(ctx, "GONE"); err != nil {
		t.Fatal(err)
	}
	sub, err := x.herald.Subscribe("herald.actions.gone", func(m *nats.Msg) { m.Respond([]byte("thanks")) })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := x.herald.Flush(); err != nil {
		t.Fatal(err)
	}
	o := x.runner.Run(ctx, natsDelivery("herald.actions.gone", "01JDELIVERY0000000000000002", false))
	if o.OK || o.Permanent || !strings.Contains(o.Err.Error(), "did not acknowledge") {
		t.Errorf("%+v, want a failed attempt to be retried", o)
	}
}

// TestNATSListeners: without a stream, a publish succeeds whether anything listens or
// not, unless the action requires a listener; silent subscribers cost the wait once.
func TestNATSListeners(t *testing.T) {
	shorten(t)
	x := newNATSRig(t)
	ctx := context.Background()

	// Nothing listens.
	if o := x.runner.Run(ctx, natsDelivery("herald.actions.nobody", "01JDELIVERY0000000000000001", false)); !o.OK || !strings.Contains(o.Response, "nothing listens") {
		t.Errorf("nobody listening: %+v, want a success that says so", o)
	}
	o := x.runner.Run(ctx, natsDelivery("herald.actions.nobody", "01JDELIVERY0000000000000002", true))
	if o.OK || o.Permanent || !strings.Contains(o.Err.Error(), "nothing listens") {
		t.Errorf("nobody listening, a listener required: %+v, want a failed attempt to be retried", o)
	}

	// A subscriber that does not answer: it gets the message; the first publish waits
	// for an answer, the next does not.
	silent, err := x.herald.SubscribeSync("herald.actions.silent")
	if err != nil {
		t.Fatal(err)
	}
	if err := x.herald.Flush(); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"no stream acknowledged it", "no stream captures it"} {
		o := x.runner.Run(ctx, natsDelivery("herald.actions.silent", "01JDELIVERY0000000000000003", true))
		if !o.OK || !strings.Contains(o.Response, want) {
			t.Errorf("publish %d to a silent subscriber: %+v, want OK and %q", i+1, o, want)
		}
		m, err := silent.NextMsg(5 * time.Second)
		if err != nil || m.Header.Get("Herald-Event") != "job.JobFinished" {
			t.Fatalf("the subscriber got %v, %v", m, err)
		}
	}
	// Once it has gone, a listener required fails again.
	silent.Unsubscribe()
	x.herald.Flush()
	if o := x.runner.Run(ctx, natsDelivery("herald.actions.silent", "01JDELIVERY0000000000000004", true)); o.OK {
		t.Errorf("after the subscriber left: %+v, want a failed attempt", o)
	}

	// A subscriber that answers: the attempt says so, and leaves out what it said (the
	// namespace is every tenant's).
	answers, err := x.herald.Subscribe("herald.actions.answers", func(m *nats.Msg) { m.Respond([]byte("got it")) })
	if err != nil {
		t.Fatal(err)
	}
	defer answers.Unsubscribe()
	x.herald.Flush()
	if o := x.runner.Run(ctx, natsDelivery("herald.actions.answers", "01JDELIVERY0000000000000005", true)); !o.OK || o.Response != "a subscriber answered" {
		t.Errorf("an answering subscriber: %+v", o)
	}
}

// TestNATSRefused: the server refuses a publish outside the actions user's permissions
// (where Herald's own check was widened), and the attempt fails for good. Herald's own
// check refuses the actions' reply inbox before anything is sent.
func TestNATSRefused(t *testing.T) {
	x := newNATSRig(t)
	ctx := context.Background()
	x.runner.Policy.Subjects = []string{"partner.>", "herald.actions.>"}
	o := x.runner.Run(ctx, natsDelivery("partner.items", "01JDELIVERY0000000000000001", false))
	if o.OK || !o.Permanent || !strings.Contains(o.Err.Error(), "refused by the NATS server") {
		t.Errorf("outside the permissions: %+v, want refused for good", o)
	}
	o = x.runner.Run(ctx, natsDelivery("_INBOX.herald-actions.x", "01JDELIVERY0000000000000002", false))
	if o.OK || !o.Permanent || !strings.Contains(o.Err.Error(), "Herald's own subjects") {
		t.Errorf("the actions' reply inbox: %+v, want refused for good", o)
	}
}

// TestNATSCannotReadAnswers: an actions user set up before nats actions read answers
// (no subscribe permission) still publishes, unconfirmed, as a core publish did; an
// action that requires a listener cannot be served and fails for good.
func TestNATSCannotReadAnswers(t *testing.T) {
	o := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
	if err := localnats.Configure(o, localnats.Actions{Password: actionsPassword, Subjects: actionspec.DefaultSubjects}); err != nil {
		t.Fatal(err)
	}
	for _, u := range o.Users {
		if u.Username == localnats.ActionsUser {
			u.Permissions.Subscribe = &server.SubjectPermission{Deny: []string{">"}}
		}
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	x := rigOn(t, s)
	sub, err := x.herald.SubscribeSync("herald.actions.old")
	if err != nil {
		t.Fatal(err)
	}
	x.herald.Flush()
	ctx := context.Background()
	if res := x.runner.Run(ctx, natsDelivery("herald.actions.old", "01JDELIVERY0000000000000001", false)); !res.OK || !strings.Contains(res.Response, "unconfirmed") {
		t.Errorf("%+v, want published unconfirmed", res)
	}
	if _, err := sub.NextMsg(5 * time.Second); err != nil {
		t.Errorf("the subscriber got nothing: %v", err)
	}
	if res := x.runner.Run(ctx, natsDelivery("herald.actions.old", "01JDELIVERY0000000000000002", true)); res.OK || !res.Permanent {
		t.Errorf("a listener required: %+v, want failed for good", res)
	}
}

// TestNATSRoutesBounded: the remembered subjects never grow past maxNATSRoutes.
func TestNATSRoutesBounded(t *testing.T) {
	var n natsRoutes
	now := time.Now()
	for i := range maxNATSRoutes + 5 {
		n.set("herald.actions."+strings.Repeat("x", i%50)+string(rune('a'+i%26))+time.Duration(i).String(), natsRoute{core: true}, now.Add(time.Minute))
	}
	if len(n.m) > maxNATSRoutes {
		t.Errorf("%d subjects remembered", len(n.m))
	}
	n.set("a", natsRoute{captured: true}, now.Add(time.Minute))
	if r := n.get("a", now); !r.captured {
		t.Error("a subject just remembered is forgotten")
	}
	if r := n.get("a", now.Add(time.Minute)); r.captured {
		t.Error("a subject is remembered past its time")
	}
}
