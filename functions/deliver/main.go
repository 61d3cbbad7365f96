// Command deliver is the Deliver function: fed by the deliveries queue, it runs each
// task's trigger action, logs every attempt, schedules retries on the trigger's
// schedule, and settles what cannot be delivered (dead-letter queue, the owner's
// inbox, disabling the trigger).
package main

import (
	"context"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/heraldhq/herald/internal/action"
	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/trigger"
	"github.com/heraldhq/herald/internal/webhook"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() {
			if h.Runner.Actions != nil {
				h.Runner.Actions.Close()
			}
			bus.Close(h.Runner.JS)
		}}
	})
}

// coldStart reads the configuration and builds the clients the handler keeps. The
// clients and the NATS credentials' secrets share one load of the AWS configuration.
func coldStart(ctx context.Context) (*Handler, error) {
	loadAWS := config.AWSOnce()
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	triggers, err := trigger.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	dlq, err := config.Required("HERALD_DELIVERIES_DLQ_URL")
	if err != nil {
		return nil, err
	}
	disableAfter, err := config.Int("HERALD_DISABLE_AFTER_EXHAUSTED", DefaultDisableAfterExhausted)
	if err != nil {
		return nil, err
	}
	allow, err := webhook.AllowNetworksFromEnv()
	if err != nil {
		return nil, err
	}
	deliveries, queue, err := delivery.Open(cfg)
	if err != nil {
		return nil, err
	}
	js, err := bus.Open(ctx, loadAWS, "herald-deliver")
	if err != nil {
		return nil, err
	}
	// Herald's own notices (DELIVERY_EXHAUSTED, TRIGGER_DISABLED) are announced on the
	// same connection.
	notifications, err := inbox.OpenStore(cfg, inbox.NewFeed(js.Conn()))
	if err != nil {
		return nil, err
	}
	// nats actions publish as a NATS user of their own, confined to the action namespace;
	// nil (none configured) refuses them.
	actions, err := bus.OpenActions(ctx, loadAWS, "herald-deliver-actions")
	if err != nil {
		return nil, err
	}
	policy, err := actionspec.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	// nats actions are on exactly when the confined connection is.
	policy.NATS = actions != nil
	sqsc := queue.SQS
	return &Handler{
		Triggers:   triggers,
		Deliveries: deliveries,
		Inbox:      notifications,
		Runner: &action.Runner{
			Webhooks: action.NewWebhooks(webhook.ClientOptions{Allow: allow}),
			SQS:      sqsc, SNS: sns.NewFromConfig(cfg), Lambda: awslambda.NewFromConfig(cfg), JS: js,
			Actions: actions, Policy: policy,
		},
		SQS: sqsc, QueueURL: queue.URL, DeadLetterURL: dlq, DisableAfter: disableAfter,
		Metrics: metrics.FromEnv(),
	}, nil
}
