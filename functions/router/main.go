// Command router is the Router function: fed by the route queue (every event on the
// topic), it matches each event against the triggers and queues one delivery task per
// (trigger, event) on the deliveries queue.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trigger"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle}
	})
}

// coldStart reads the configuration and builds the clients the handler keeps.
func coldStart(ctx context.Context) (*Handler, error) {
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	triggers, err := trigger.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	deliveries, queue, err := delivery.Open(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Triggers:   &trigger.Index{Store: triggers, Select: trigger.IsAsync},
		Deliveries: deliveries,
		Queue:      queue,
		Metrics:    metrics.FromEnv(),
	}, nil
}
