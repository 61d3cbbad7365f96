package bridge

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/internal/event"
)

// Fullness returns how full the HERALD_EVENTS stream is: the bytes it holds as a
// percentage of its MaxBytes, as the server has them. ok is false for a stream without
// a bound, which has no fullness.
func (b *Bridge) Fullness(ctx context.Context) (pct float64, ok bool, err error) {
	s, err := b.js.Stream(ctx, event.StreamName)
	if err != nil {
		return 0, false, fmt.Errorf("bridge: reading stream %s: %w", event.StreamName, err)
	}
	info := s.CachedInfo()
	if info.Config.MaxBytes <= 0 {
		return 0, false, nil
	}
	return 100 * float64(info.State.Bytes) / float64(info.Config.MaxBytes), true, nil
}
