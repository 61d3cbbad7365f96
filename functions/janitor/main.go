// Command janitor is the Janitor function: scheduled every hour, it removes expired
// consumers, JetStream consumers left without a record, and records whose JetStream
// consumer has gone (idle consumers are cleaned up, not kept forever).
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/consumer"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	h, err := coldStart(context.Background())
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	// Lambda sends SIGTERM when it retires an idle environment: close, and exit rather
	// than wait to be killed.
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(func() { bus.Close(h.JS); os.Exit(0) }))
}

// coldStart reads the configuration and opens the connections the handler keeps.
func coldStart(ctx context.Context) (*Handler, error) {
	store, err := consumer.OpenStore(ctx, "herald-janitor")
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store: store,
		JS:    store.JS,
		Now:   time.Now,
	}, nil
}
