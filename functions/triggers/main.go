// Command triggers is the TriggersApi function: creating, listing, reading, replacing,
// deleting, testing, firing and re-enabling triggers, their delivery log, retries and
// replays, behind the HTTP API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/trigger"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	h, err := coldStart(context.Background())
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(func() { bus.Close(h.JS); os.Exit(0) }))
}

// coldStart reads the configuration and builds the clients the handler keeps.
func coldStart(ctx context.Context) (*Handler, error) {
	cfg, err := config.AWS(ctx)
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
	js, err := bus.Open(ctx, "herald-triggers-api")
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
