// Command events is the EventsApi function: GET /v1/health, GET /v1/catalog and
// POST /v1/events (with ?mode=sync, vetted by sync triggers first) behind the HTTP API.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/internal/webhook"
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
	js, err := bus.Open(ctx, "herald-events-api")
	if err != nil {
		return nil, err
	}
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	triggers, err := trigger.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	deliveries, err := delivery.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	allow, err := webhook.AllowNetworksFromEnv()
	if err != nil {
		return nil, err
	}
	return &Handler{
		JS:         js,
		Now:        time.Now,
		Sync:       &trigger.Index{Store: triggers, Select: trigger.IsSync},
		Runner:     &action.Runner{Webhooks: action.NewWebhooks(webhook.ClientOptions{Allow: allow})},
		Deliveries: deliveries,
	}, nil
}
