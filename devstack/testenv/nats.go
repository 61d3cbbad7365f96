package testenv

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/heraldhq/herald/devstack/localnats"
)

// StartNATS starts an embedded NATS server with JetStream on a free loopback port,
// storing streams under storeDir, and waits until it accepts connections. The caller
// shuts it down (Shutdown, then WaitForShutdown before removing storeDir).
func StartNATS(storeDir string) (*server.Server, error) {
	return startNATS(natsOptions(storeDir))
}

// StartConfinedNATS is StartNATS with the users of the local stack's server (see package
// localnats): connections without credentials are Herald's, with every permission, and
// the actions user a names may publish only on its subjects.
func StartConfinedNATS(storeDir string, a localnats.Actions) (*server.Server, error) {
	o := natsOptions(storeDir)
	if err := localnats.Configure(o, a); err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	return startNATS(o)
}

func natsOptions(storeDir string) *server.Options {
	return &server.Options{
		Host:      "127.0.0.1",
		Port:      -1,
		JetStream: true,
		StoreDir:  storeDir,
		NoLog:     true,
		NoSigs:    true,
	}
}

func startNATS(o *server.Options) (*server.Server, error) {
	s, err := server.NewServer(o)
	if err != nil {
		return nil, fmt.Errorf("testenv: nats-server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		return nil, errors.New("testenv: nats-server did not accept connections within 10s")
	}
	if !s.JetStreamEnabled() {
		s.Shutdown()
		return nil, errors.New("testenv: nats-server started without JetStream")
	}
	return s, nil
}

// NewNATS starts a fresh JetStream server for one test, for tests that need streams of
// their own or that stop the server; it is shut down when the test ends. It returns the
// server and its client URL. Like the shared server it has the actions user (see
// ActionsURL); its client URL needs no credentials.
func (e *Env) NewNATS(t testing.TB) (*server.Server, string) {
	t.Helper()
	dir := t.TempDir() // registered first, so removed after the shutdown below
	s, err := StartConfinedNATS(dir, e.actions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s, s.ClientURL()
}

// newNATSDir makes the store directory of the environment's shared server.
func newNATSDir() (string, error) {
	return os.MkdirTemp("", "herald-nats-")
}

// ActionsURL returns natsURL, the client URL of the shared server or of one from NewNATS,
// as the actions user: what nats actions publish through.
func (e *Env) ActionsURL(t testing.TB, natsURL string) string {
	t.Helper()
	u, err := localnats.ActionsURL(natsURL, e.actions.Password)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
