// Command stream is the Stream function: GET /v1/consumers/{id}/stream, a consumer's
// messages as server-sent events, served through a Function URL in response-streaming
// mode. A Function URL has no authorizer, so the function verifies the bearer token.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/lease"
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
	verifier, err := auth.NewVerifier(ctx, auth.OptionsFromEnv())
	if err != nil {
		return nil, err
	}
	streams, err := config.Required("HERALD_STREAMS_TABLE")
	if err != nil {
		return nil, err
	}
	maxStreams, err := config.Int("HERALD_MAX_STREAMS_PER_USER", DefaultMaxStreams)
	if err != nil {
		return nil, err
	}
	if maxStreams < 1 {
		return nil, fmt.Errorf("config: HERALD_MAX_STREAMS_PER_USER=%d must be at least 1", maxStreams)
	}
	store, err := consumer.OpenStore(ctx, "herald-stream")
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store:      store,
		JS:         store.JS,
		Keys:       keys,
		Verifier:   verifier,
		Leases:     &lease.Store{DB: store.DB, Table: streams, Name: StreamsQuota},
		MaxStreams: maxStreams,
	}, nil
}
