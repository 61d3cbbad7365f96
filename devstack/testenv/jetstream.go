package testenv

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/bus"
)

// JetStream starts a fresh JetStream server for one test (NewNATS), connects to it with
// a client that keeps reconnecting, and creates Herald's streams (an hour of shelf life,
// a minute of dedupe window). The server is returned for tests that stop it.
func (e *Env) JetStream(t testing.TB) (jetstream.JetStream, *server.Server) {
	t.Helper()
	s, url := e.NewNATS(t)
	nc, err := nats.Connect(url, nats.MaxReconnects(-1))
	if err != nil {
		t.Fatalf("testenv: connect to NATS: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("testenv: JetStream: %v", err)
	}
	if _, err := bus.EnsureStreams(t.Context(), js, bus.StreamOptions{ShelfLife: time.Hour, DedupeWindow: time.Minute}); err != nil {
		t.Fatalf("testenv: streams: %v", err)
	}
	return js, s
}
