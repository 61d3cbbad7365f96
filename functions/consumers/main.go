// Command consumers is the ConsumersApi function: creating, listing, reading and
// deleting consumers, fetching their batches, and POST /v1/acknowledge, behind the
// HTTP API.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/reply"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	h, err := coldStart(context.Background())
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	// Lambda sends SIGTERM when it retires an idle environment: flush, close, and exit
	// rather than wait to be killed.
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(func() { bus.Close(h.JS); os.Exit(0) }))
}

// coldStart reads the configuration and opens the connections the handler keeps.
func coldStart(ctx context.Context) (*Handler, error) {
	keys, err := reply.KeyringFromEnv(ctx)
	if err != nil {
		return nil, err
	}
	store, err := consumer.OpenStore(ctx, "herald-consumers-api")
	if err != nil {
		return nil, err
	}
	if store.MaxPerOwner, err = config.Int("HERALD_MAX_CONSUMERS_PER_USER", consumer.DefaultMaxPerOwner); err != nil {
		return nil, err
	}
	return &Handler{
		Store: store,
		JS:    store.JS,
		Keys:  keys,
	}, nil
}
