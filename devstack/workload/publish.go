package workload

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/wire"
)

// publish sends the events, PublishBatch at a time with Publishers requests in flight,
// and returns how many requests it sent.
func (r *Run) publish(ctx context.Context) (int, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Publishers)
	requests := 0
	for start := 0; start < r.cfg.Events; start += r.cfg.PublishBatch {
		end := min(start+r.cfg.PublishBatch, r.cfg.Events)
		evs := make([]*wire.Event, 0, end-start)
		for i := start; i < end; i++ {
			evs = append(evs, NewEvent(r.cfg.Path, i))
		}
		requests++
		g.Go(func() error {
			if r.cfg.PublishBatch == 1 {
				if _, err := r.pub.Publish(ctx, evs[0]); err != nil {
					return fmt.Errorf("workload: publishing: %w", err)
				}
				return nil
			}
			res, err := r.pub.PublishBatch(ctx, evs)
			if err != nil {
				return fmt.Errorf("workload: publishing a batch: %w", err)
			}
			if failed := res.Failed(); len(failed) > 0 {
				return fmt.Errorf("workload: %d events of a batch were not stored: %s", len(failed), failed[0].Error)
			}
			return nil
		})
	}
	return requests, g.Wait()
}
