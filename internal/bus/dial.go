package bus

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/config"
)

// DialCore connects to NATS as the environment says (OptionsFromEnv), for a function
// that only publishes on core NATS what is not its job to deliver: the announcements of
// inbox changes, whose writes must not fail because NATS does. Unlike Connect it does
// not fail when the server cannot be reached: the connection keeps trying in the
// background and holds what is published meanwhile. A malformed URL or an unreadable
// secret is still an error.
func DialCore(ctx context.Context, loadAWS config.AWSLoader, name string) (*nats.Conn, error) {
	o, err := OptionsFromEnv(ctx, loadAWS, name)
	if err != nil {
		return nil, err
	}
	nc, err := connect(o, nats.RetryOnFailedConnect(true))
	if err != nil {
		return nil, err
	}
	return nc, nil
}

// CloseConn flushes what nc still buffers for at most 300 ms and closes it: for a
// function's SIGTERM hook, which Lambda gives 500 ms.
func CloseConn(nc *nats.Conn) {
	_ = nc.FlushTimeout(300 * time.Millisecond)
	nc.Close()
}
