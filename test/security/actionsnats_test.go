package security

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// actionsPassword reads the NATS actions user's password from p's state folder.
func actionsPassword(t testing.TB, p *stacktest.Stack) string {
	t.Helper()
	b, err := os.ReadFile(localstack.ActionsPasswordFile(p.State))
	if err != nil {
		t.Fatalf("the actions user's password in the state folder: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// actionsNATSConfined connects to p's NATS as the user nats actions publish as (the one
// Deliver is given) and checks that the server itself refuses what a hostile trigger
// owner would aim an action at: deleting the event stream through the JetStream API and
// publishing a forged event. The stream survives unchanged and the forged event is not
// stored, while a publish inside the action namespace is delivered.
func actionsNATSConfined(t *testing.T, p *stacktest.Stack) {
	heraldURL := p.Banner["NATS"]
	actionsURL, err := localnats.ActionsURL(heraldURL, actionsPassword(t, p))
	if err != nil {
		t.Fatal(err)
	}

	// Herald's view, without credentials as the banner's commands connect.
	herald, err := nats.Connect(heraldURL)
	if err != nil {
		t.Fatal(err)
	}
	defer herald.Close()
	js, err := jetstream.New(herald)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.Stream(t.Context(), event.StreamName)
	if err != nil {
		t.Fatalf("the event stream: %v", err)
	}
	before, err := stream.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := herald.SubscribeSync("herald.actions.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := herald.Flush(); err != nil {
		t.Fatal(err)
	}

	var refusals stacktest.Refusals
	actions, err := nats.Connect(actionsURL, refusals.Option())
	if err != nil {
		t.Fatalf("connecting as the actions user: %v", err)
	}
	defer actions.Close()

	// The attack: a request to the JetStream API, as a nats action's publish would be.
	deleteSubject := "$JS.API.STREAM.DELETE." + event.StreamName
	if _, err := actions.Request(deleteSubject, nil, 2*time.Second); err == nil {
		t.Errorf("the server answered the actions user's %s", deleteSubject)
	}
	forged := "herald.events.resource.ResourceHardDeleted.projects.demo." + uuid.NewString() + "._"
	if err := actions.Publish(forged, []byte(`{"event":"resource.ResourceHardDeleted"}`)); err != nil {
		t.Fatal(err)
	}
	// A forged max-deliveries advisory would put a MESSAGE_DROPPED notice in the inbox of
	// whoever owns the consumer it names.
	forgedAdvisory := bus.MaxDeliveriesPrefix + "." + event.StreamName + ".01JC0000000000000000000000"
	if err := actions.Publish(forgedAdvisory, []byte(`{"type":"io.nats.jetstream.advisory.v1.max_deliver","stream":"HERALD_EVENTS","consumer":"01JC0000000000000000000000","stream_seq":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := actions.Publish("herald.actions.partner.hook", []byte("allowed")); err != nil {
		t.Fatal(err)
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}

	refusals.WaitFor(t, "permission violations for the stream deletion, the forged event and the forged advisory", deleteSubject, forged, forgedAdvisory)

	if m, err := inbox.NextMsg(10 * time.Second); err != nil || string(m.Data) != "allowed" {
		t.Errorf("a publish inside the action namespace: got %v, %v", m, err)
	}
	after, err := stream.Info(t.Context())
	if err != nil {
		t.Fatalf("the event stream after the actions user asked to delete it: %v", err)
	}
	if !after.Created.Equal(before.Created) || after.State.FirstSeq != before.State.FirstSeq || after.State.Msgs < before.State.Msgs {
		t.Errorf("the event stream changed: created %v, first %d, %d messages; before: %v, %d, %d",
			after.Created, after.State.FirstSeq, after.State.Msgs, before.Created, before.State.FirstSeq, before.State.Msgs)
	}
	if _, err := stream.GetLastMsgForSubject(t.Context(), forged); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("the forged event: %v, want it not stored", err)
	}
	advisories, err := js.Stream(t.Context(), bus.AdvisoryStream)
	if err != nil {
		t.Fatalf("the advisory stream: %v", err)
	}
	if _, err := advisories.GetLastMsgForSubject(t.Context(), forgedAdvisory); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("the forged advisory: %v, want it not stored", err)
	}
}
