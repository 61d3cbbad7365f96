package localnats_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/devstack/localnats"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
)

// startServer runs a real NATS server with JetStream, configured by localnats.Configure.
func startServer(t *testing.T, a localnats.Actions) *server.Server {
	t.Helper()
	o := &server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true}
	if err := localnats.Configure(o, a); err != nil {
		t.Fatal(err)
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not accept connections")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

// violations connects to url collecting the permission violations the server reports.
func violations(t *testing.T, url string) (*nats.Conn, func() []string) {
	t.Helper()
	errs := make(chan error, 16)
	nc, err := nats.Connect(url, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	var seen []string
	return nc, func() []string {
		for {
			select {
			case err := <-errs:
				if errors.Is(err, nats.ErrPermissionViolation) {
					seen = append(seen, err.Error())
				}
			default:
				return seen
			}
		}
	}
}

// TestConfigure checks what each user may do on a server configured by Configure.
func TestConfigure(t *testing.T) {
	s := startServer(t, localnats.Actions{Password: "actions-password", Subjects: []string{"herald.actions.>"}})

	// Without credentials: Herald's user, with JetStream and every subject.
	herald, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatalf("a connection without credentials: %v", err)
	}
	defer herald.Close()
	js, err := jetstream.New(herald)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(t.Context(), jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"herald.events.>"}})
	if err != nil {
		t.Fatalf("Herald's user creating a stream: %v", err)
	}
	if _, err := js.Publish(t.Context(), "herald.events.a", []byte("kept")); err != nil {
		t.Fatalf("Herald's user publishing: %v", err)
	}
	received, err := herald.SubscribeSync("herald.actions.>")
	if err != nil {
		t.Fatal(err)
	}
	if err := herald.Flush(); err != nil {
		t.Fatal(err)
	}

	actionsURL, err := localnats.ActionsURL(s.ClientURL(), "actions-password")
	if err != nil {
		t.Fatal(err)
	}
	actions, refused := violations(t, actionsURL)

	// Inside the namespace: delivered.
	if err := actions.Publish("herald.actions.partner", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	if m, err := received.NextMsg(5 * time.Second); err != nil || string(m.Data) != "hello" {
		t.Fatalf("a publish inside the namespace: got %v, %v", m, err)
	}

	// Outside: each refused by the server.
	outside := []string{"$JS.API.STREAM.DELETE.EVENTS", "herald.events.b", "herald.deadletter.events", "herald.inbox.dTE", "elsewhere", "$SYS.REQ.SERVER.PING"}
	for _, subj := range outside {
		if err := actions.Publish(subj, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, func() bool { return len(refused()) == len(outside) }, "a permission violation for every subject outside the namespace")
	got := refused()
	for _, subj := range outside {
		if !slices.ContainsFunc(got, func(e string) bool { return strings.Contains(e, `"`+subj+`"`) }) {
			t.Errorf("no permission violation for a publish to %s; got %q", subj, got)
		}
	}
	// Nor may it subscribe: it reads nothing, not even its own namespace, and no user's
	// inbox changes.
	readers := []string{"herald.actions.>", "herald.inbox.>", "herald.inbox.dTE"}
	for _, subj := range readers {
		if _, err := actions.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, func() bool {
		for _, subj := range readers {
			if !slices.ContainsFunc(refused(), func(e string) bool { return strings.Contains(e, `Subscription to "`+subj+`"`) }) {
				return false
			}
		}
		return true
	}, "a permission violation for each of the actions user's subscriptions")

	// It reads the answers to its own publishes, under its own inbox prefix, and no other
	// connection's replies: a JetStream API answer to Herald would be Herald's data.
	for _, subj := range []string{"_INBOX.>", "_INBOX.AbCdEfGhIjKlMnOpQrStUv", "_INBOX.herald-actions"} {
		if _, err := actions.SubscribeSync(subj); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := actions.SubscribeSync(bus.ActionsInbox()); err != nil {
		t.Fatal(err)
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, func() bool {
		n := 0
		for _, e := range refused() {
			if strings.Contains(e, "Subscription to \"_INBOX.") {
				n++
			}
		}
		return n == 3
	}, "a permission violation for each inbox but the actions user's own")
	if got := refused(); slices.ContainsFunc(got, func(e string) bool { return strings.Contains(e, bus.ActionsInboxPrefix+".") }) {
		t.Errorf("the actions user may not read its own answers: %q", got)
	}

	info, err := stream.Info(t.Context())
	if err != nil {
		t.Fatalf("the stream after the actions user tried to delete it: %v", err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("the stream holds %d messages, want the 1 Herald published", info.State.Msgs)
	}

	// A wrong password is no way in.
	bad, _ := localnats.ActionsURL(s.ClientURL(), "wrong")
	if nc, err := nats.Connect(bad); err == nil {
		nc.Close()
		t.Error("a wrong password was accepted")
	}
}

// TestConfigureReserved checks that a namespace written too wide still leaves the
// JetStream API and Herald's own subjects out of the actions user's reach.
func TestConfigureReserved(t *testing.T) {
	s := startServer(t, localnats.Actions{Password: "p", Subjects: []string{">"}})
	url, _ := localnats.ActionsURL(s.ClientURL(), "p")
	actions, refused := violations(t, url)
	for _, subj := range localnats.ReservedSubjects {
		if err := actions.Publish(strings.Replace(subj, ">", "x", 1), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := actions.Flush(); err != nil {
		t.Fatal(err)
	}
	testenv.WaitFor(t, 5*time.Second, func() bool { return len(refused()) == len(localnats.ReservedSubjects) },
		"a permission violation for every reserved subject")
}

func TestConfigureErrors(t *testing.T) {
	tests := []struct {
		name string
		a    localnats.Actions
	}{
		{"no password", localnats.Actions{Subjects: []string{"herald.actions.>"}}},
		{"no subject", localnats.Actions{Password: "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := localnats.Configure(&server.Options{}, tt.a); err == nil {
				t.Error("Configure accepted it")
			}
		})
	}
}

// TestLoadPassword checks that the first call makes a password only its owner can read
// and later calls return the same one.
func TestLoadPassword(t *testing.T) {
	path := filepath.Join(t.TempDir(), "actions-password")
	first, err := localnats.LoadPassword(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 64 {
		t.Errorf("password %d characters long, want 64", len(first))
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := localnats.LoadPassword(path)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("a second LoadPassword returned another password")
	}
}

func TestSplitSubjects(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"herald.actions.>", []string{"herald.actions.>"}},
		{" a.> , b.c ,", []string{"a.>", "b.c"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := localnats.SplitSubjects(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("SplitSubjects(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestActionsURL(t *testing.T) {
	got, err := localnats.ActionsURL("nats://127.0.0.1:4222", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if want := "nats://herald-actions:s3cret@127.0.0.1:4222"; got != want {
		t.Errorf("ActionsURL = %q, want %q", got, want)
	}
}
