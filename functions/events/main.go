// Command events is the EventsApi function: GET /v1/health, GET /v1/catalog,
// GET /v1/catalog/{type} and POST /v1/events (with ?mode=sync, vetted by sync triggers
// first) behind the HTTP API.
package main

import (
	"context"
	"time"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/internal/webhook"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.Close(h.JS) }}
	})
}

// coldStart reads the configuration and opens the connections the handler keeps. The
// stores and the NATS credentials' secret share one load of the AWS configuration.
func coldStart(ctx context.Context) (*Handler, error) {
	loadAWS := config.AWSOnce()
	js, err := bus.Open(ctx, loadAWS, "herald-events-api")
	if err != nil {
		return nil, err
	}
	cfg, err := loadAWS(ctx)
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
	// A sync trigger's lambda action is checked against the operator's policy before it
	// is asked, as Deliver checks every send.
	policy, err := actionspec.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	return &Handler{
		JS:   js,
		Now:  time.Now,
		Sync: &trigger.Index{Store: triggers, Select: trigger.IsSync},
		Runner: &action.Runner{
			Webhooks: action.NewWebhooks(webhook.ClientOptions{Allow: allow}),
			Lambda:   awslambda.NewFromConfig(cfg),
			Policy:   policy,
		},
		Deliveries: deliveries,
		Metrics:    metrics.FromEnv(),
	}, nil
}
