package bus_test

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
)

// TestDialCoreWithoutServer: a cold start connecting for announcements does not fail
// while NATS is down, a publish meanwhile is held rather than refused, and the
// connection comes up once a server listens. Connect, for functions that need NATS,
// still fails.
func TestDialCoreWithoutServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	url := "nats://127.0.0.1:" + strconv.Itoa(port)
	for _, k := range []string{"HERALD_NATS_CREDS_SECRET", "HERALD_NATS_CREDS_FILE", "HERALD_NATS_CA_FILE", "HERALD_NATS_CA_SECRET"} {
		t.Setenv(k, "")
	}
	t.Setenv("HERALD_NATS_URL", url)

	if nc, err := bus.Connect(bus.Options{URL: url}); err == nil {
		nc.Close()
		t.Fatal("Connect succeeded with no server")
	}
	nc, err := bus.DialCore(t.Context(), config.AWS, "herald-test")
	if err != nil {
		t.Fatalf("DialCore with no server: %v", err)
	}
	defer bus.CloseConn(nc)
	if nc.IsConnected() {
		t.Fatal("connected with no server")
	}
	if err := nc.Publish("herald.inbox.x", []byte("held")); err != nil {
		t.Fatalf("publishing while down: %v", err)
	}

	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	defer s.Shutdown()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	testenv.WaitFor(t, 10*time.Second, nc.IsConnected, "the connection to come up")

	if up, err := bus.DialCore(t.Context(), config.AWS, "herald-test"); err != nil {
		t.Errorf("DialCore with a server: %v", err)
	} else {
		up.Close()
	}
	t.Setenv("HERALD_NATS_URL", "")
	if _, err := bus.DialCore(t.Context(), config.AWS, "herald-test"); err == nil {
		t.Error("DialCore without HERALD_NATS_URL succeeded")
	}
}
