package bridge

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/internal/event"
)

// Lag returns how many messages of the stream the bridge has yet to relay: the
// stream's last sequence minus the durable consumer's acknowledgement floor (the stream
// sequence up to which everything was acknowledged). Messages relayed out of order above
// the floor still count, until the floor passes them.
func (b *Bridge) Lag(ctx context.Context) (uint64, error) {
	// The consumer first: a message stored meanwhile then adds to the lag, rather than an
	// acknowledgement making it look negative.
	c, err := b.js.Consumer(ctx, event.StreamName, ConsumerName)
	if err != nil {
		return 0, fmt.Errorf("bridge: reading consumer %s: %w", ConsumerName, err)
	}
	floor := c.CachedInfo().AckFloor.Stream
	s, err := b.js.Stream(ctx, event.StreamName)
	if err != nil {
		return 0, fmt.Errorf("bridge: reading stream %s: %w", event.StreamName, err)
	}
	last := s.CachedInfo().State.LastSeq
	if floor >= last {
		// Caught up, or the stream was purged below the floor.
		return 0, nil
	}
	return last - floor, nil
}
