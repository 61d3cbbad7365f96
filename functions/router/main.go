// Command router is the Router function: fed by the route queue (every event on the
// topic), it matches each event against the triggers and queues one delivery task per
// (trigger, event) on the deliveries queue.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

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
	lambda.Start(h.Handle)
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
	}, nil
}
