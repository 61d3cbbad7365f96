package workload

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/wire"
)

// consumeResult is what the consumer did.
type consumeResult struct {
	fetches, acknowledges, acknowledged int
	err                                 error
}

// consume fetches batches from the consumer and acknowledges each, until it has
// acknowledged every event of the workload.
func (r *Run) consume(ctx context.Context) consumeResult {
	var res consumeResult
	seen := map[string]bool{}
	for len(seen) < r.cfg.Events {
		msgs, err := r.user.Fetch(ctx, r.consumer, client.FetchOptions{BatchSize: r.cfg.FetchBatch, Wait: r.cfg.FetchWait})
		res.fetches++
		if err != nil {
			res.err = fmt.Errorf("workload: fetching: %w", err)
			return res
		}
		if len(msgs) == 0 {
			continue
		}
		replies := make([]wire.Reply, len(msgs))
		for i, m := range msgs {
			replies[i] = m.Reply
		}
		res.acknowledges++
		if _, err := r.user.Acknowledge(ctx, replies, wire.Ack, 0); err != nil {
			res.err = fmt.Errorf("workload: acknowledging: %w", err)
			return res
		}
		for _, m := range msgs {
			var ev struct {
				UUID string `json:"uuid"`
			}
			if json.Unmarshal(m.Event, &ev) == nil && ev.UUID != "" {
				seen[ev.UUID] = true
			}
		}
		res.acknowledged = len(seen)
	}
	return res
}
