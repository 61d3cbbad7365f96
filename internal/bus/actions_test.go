package bus_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
)

// setActionsEnv sets every variable ActionsOptionsFromEnv reads, empty unless given.
func setActionsEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, k := range []string{
		"HERALD_ACTIONS_NATS_URL", "HERALD_ACTIONS_NATS_CREDS_SECRET", "HERALD_ACTIONS_NATS_CREDS_FILE",
		"HERALD_NATS_URL", "HERALD_NATS_CREDS_SECRET", "HERALD_NATS_CREDS_FILE", "HERALD_NATS_CA_FILE", "HERALD_NATS_CA_SECRET",
	} {
		t.Setenv(k, vars[k])
	}
}

func TestActionsOptionsFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantOK  bool
		wantURL string
		wantErr string // part of the error; empty for none
	}{
		{name: "nothing set: no connection", env: map[string]string{"HERALD_NATS_URL": "nats://n:4222"}},
		{
			name:    "a URL with a user and password",
			env:     map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_URL": "nats://herald-actions:pw@n:4222"},
			wantOK:  true,
			wantURL: "nats://herald-actions:pw@n:4222",
		},
		{
			name:    "a .creds file: Herald's URL",
			env:     map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_CREDS_FILE": "/opt/actions.creds"},
			wantOK:  true,
			wantURL: "nats://n:4222",
		},
		{
			name:    "a .creds file and a URL of its own",
			env:     map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_URL": "tls://a:4222", "HERALD_ACTIONS_NATS_CREDS_FILE": "/opt/actions.creds"},
			wantOK:  true,
			wantURL: "tls://a:4222",
		},
		{
			name:    "a URL without a user: Herald's authority, refused",
			env:     map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_ACTIONS_NATS_URL": "nats://n:4222"},
			wantErr: "names no user",
		},
		{
			name:    "one URL of a list without a user",
			env:     map[string]string{"HERALD_ACTIONS_NATS_URL": "nats://u:p@a:4222,nats://b:4222"},
			wantErr: "names no user",
		},
		{
			name:    "Herald's own .creds file",
			env:     map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_NATS_CREDS_FILE": "/opt/herald.creds", "HERALD_ACTIONS_NATS_CREDS_FILE": "/opt/herald.creds"},
			wantErr: "Herald's own .creds file",
		},
		{
			name: "Herald's own secret",
			env: map[string]string{"HERALD_NATS_URL": "nats://n:4222", "HERALD_NATS_CREDS_SECRET": "arn:aws:secretsmanager:eu-west-1:1:secret:nats",
				"HERALD_ACTIONS_NATS_CREDS_SECRET": "arn:aws:secretsmanager:eu-west-1:1:secret:nats"},
			wantErr: "Herald's own secret",
		},
		{
			name:    "credentials without any URL",
			env:     map[string]string{"HERALD_ACTIONS_NATS_CREDS_FILE": "/opt/actions.creds"},
			wantErr: "HERALD_NATS_URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setActionsEnv(t, tt.env)
			o, ok, err := bus.ActionsOptionsFromEnv(t.Context(), config.AWS, "test")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.wantOK || o.URL != tt.wantURL {
				t.Errorf("got ok=%v URL=%q, want ok=%v URL=%q", ok, o.URL, tt.wantOK, tt.wantURL)
			}
			if ok != bus.ActionsConfigured() {
				t.Errorf("ActionsConfigured() = %v, ActionsOptionsFromEnv ok = %v", !ok, ok)
			}
		})
	}
}

// TestOpenActionsNone checks that without configuration there is no connection and no
// error: nats actions are then refused, not sent through Herald's connection.
func TestOpenActionsNone(t *testing.T) {
	setActionsEnv(t, map[string]string{"HERALD_NATS_URL": env.NATSURL})
	nc, err := bus.OpenActions(t.Context(), config.AWS, "test")
	if err != nil || nc != nil {
		t.Fatalf("OpenActions = %v, %v; want no connection and no error", nc, err)
	}
}

// TestOpenActionsConfined opens the action connection as the test environment's actions
// user and checks that the server delivers what it publishes in the action namespace and
// refuses a publish on Herald's events or the JetStream API, which leaves the stream it
// asked to delete as it was.
func TestOpenActionsConfined(t *testing.T) {
	// Herald's connection (no credentials) on the environment's shared server, and a
	// stream of this test's own there for the actions user to try to delete.
	herald, err := bus.Connect(bus.Options{URL: env.NATSURL, Name: "bus-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer herald.Close()
	js, err := jetstream.New(herald)
	if err != nil {
		t.Fatal(err)
	}
	name := "ACTIONS_TEST_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	s, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: name, Subjects: []string{strings.ToLower(name) + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	defer js.DeleteStream(context.Background(), name)
	if _, err := js.Publish(t.Context(), strings.ToLower(name)+".kept", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	setActionsEnv(t, map[string]string{"HERALD_NATS_URL": env.NATSURL, "HERALD_ACTIONS_NATS_URL": env.ActionsNATSURL})
	nc, err := bus.OpenActions(t.Context(), config.AWS, "test")
	if err != nil {
		t.Fatal(err)
	}
	if nc == nil {
		t.Fatal("OpenActions returned no connection")
	}
	defer nc.Close()
	refused := make(chan error, 8)
	nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		if errors.Is(err, nats.ErrPermissionViolation) {
			refused <- err
		}
	})

	sub, err := herald.SubscribeSync("herald.actions.>")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := herald.Flush(); err != nil {
		t.Fatal(err)
	}
	before, err := s.Info(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	if err := nc.Publish("herald.actions.partner.x", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"$JS.API.STREAM.DELETE." + name, "herald.events.resource.ResourceCreated.projects.p1._"} {
		if err := nc.Publish(subj, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(5 * time.Second); err != nil || string(m.Data) != "ok" {
		t.Fatalf("the publish inside the action namespace: %v, %v", m, err)
	}
	var got []string
	testenv.WaitFor(t, 5*time.Second, func() bool {
		select {
		case err := <-refused:
			got = append(got, err.Error())
		default:
		}
		return len(got) == 2
	}, "the server to refuse both publishes outside the namespace")
	after, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("the stream after the actions user asked to delete it: %v", err)
	}
	if after.State.Msgs != before.State.Msgs || after.Created != before.Created {
		t.Errorf("the stream changed: %d messages created %v, before %d created %v", after.State.Msgs, after.Created, before.State.Msgs, before.Created)
	}
}
