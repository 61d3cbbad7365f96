package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// minPull is the shortest pull worth asking the server for.
const minPull = 10 * time.Millisecond

// Pull pulls batches of up to batch messages from the durable consumer cons, named name,
// and hands each to each, until ctx ends or wait (asked before every pull) leaves less
// than a few milliseconds. A pull that fails while NATS restarts or elects a leader is
// retried after a pause that doubles up to 2 s, and logged on log; a closed connection
// or a consumer gone ends it with an error, prefixed by who ("bridge: reading …").
func Pull(ctx context.Context, log *slog.Logger, who, name string, cons jetstream.Consumer, batch int, wait func() time.Duration, each func(jetstream.MessageBatch)) error {
	pause := 50 * time.Millisecond
	for ctx.Err() == nil {
		w := wait()
		if w < minPull {
			return nil
		}
		fetch, err := cons.Fetch(batch, jetstream.FetchMaxWait(w))
		if err == nil {
			each(fetch)
			err = fetch.Error()
		}
		switch {
		case err == nil, errors.Is(err, nats.ErrTimeout):
			pause = 50 * time.Millisecond
		case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, jetstream.ErrConsumerDeleted), errors.Is(err, jetstream.ErrConsumerNotFound):
			return fmt.Errorf("%s: reading %s: %w", who, name, err)
		default:
			log.WarnContext(ctx, who+": pull failed; retrying", "error", err.Error(), "pause", pause.String())
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			pause = min(2*pause, 2*time.Second)
		}
	}
	return nil
}
