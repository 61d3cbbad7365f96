// Command triggers is the TriggersApi function: creating, listing, reading, replacing,
// deleting, testing, firing and re-enabling triggers, their delivery log, retries and
// replays, behind the HTTP API.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/trigger"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.Close(h.JS) }}
	})
}

// coldStart reads the configuration and builds the clients the handler keeps. The
// clients and the NATS credentials' secret share one load of the AWS configuration.
func coldStart(ctx context.Context) (*Handler, error) {
	loadAWS := config.AWSOnce()
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	store, err := trigger.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	if store.MaxPerOwner, err = config.Int("HERALD_MAX_TRIGGERS_PER_USER", trigger.DefaultMaxPerOwner); err != nil {
		return nil, err
	}
	deliveries, queue, err := delivery.Open(cfg)
	if err != nil {
		return nil, err
	}
	js, err := bus.Open(ctx, loadAWS, "herald-triggers-api")
	if err != nil {
		return nil, err
	}
	policy, err := actionspec.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store:      store,
		Deliveries: deliveries,
		Queue:      queue,
		JS:         js,
		Policy:     policy,
	}, nil
}
