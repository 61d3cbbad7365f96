// Command bridge is the Bridge function: it relays the HERALD_EVENTS stream to the SNS
// topic, and turns the advisories of consumers that dropped messages into their owners'
// MESSAGE_DROPPED notices. As a Lambda it is scheduled every minute and drains until shortly before its
// deadline; with HERALD_BRIDGE_MODE=daemon it runs until SIGINT or SIGTERM (the local
// stack runs it so, for low latency).
package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/heraldhq/herald/internal/advisory"
	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/fanout"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/metrics"
)

func main() {
	lambdamain.Run(setup, func(h *Handler) lambdamain.Function {
		f := lambdamain.Function{Handler: h.Handle, Close: func() { _ = h.Bridge.Close() }}
		if config.String("HERALD_BRIDGE_MODE", "lambda") == "daemon" {
			f.Daemon = h.Daemon
		}
		return f
	})
}

// setup reads the configuration and opens the connections the handler keeps. The SNS
// and DynamoDB clients and the NATS credentials' secret share one load of the AWS
// configuration.
func setup(ctx context.Context) (*Handler, error) {
	topic, err := config.Required("HERALD_TOPIC_ARN")
	if err != nil {
		return nil, err
	}
	consumers, err := config.Required("HERALD_CONSUMERS_TABLE")
	if err != nil {
		return nil, err
	}
	loadAWS := config.AWSOnce()
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	js, err := bus.Open(ctx, loadAWS, "herald-bridge")
	if err != nil {
		return nil, err
	}
	notices, err := inbox.OpenStore(awsCfg, inbox.NewFeed(js.Conn()))
	if err != nil {
		bus.Close(js)
		return nil, err
	}
	pub := fanout.NewPublisher(sns.NewFromConfig(awsCfg), topic)
	return &Handler{
		Bridge: bridge.New(js, pub, bridge.Options{}),
		Advisories: &advisory.Processor{
			JS:     js,
			Owners: &consumer.Store{JS: js, DB: dynamodb.NewFromConfig(awsCfg), Table: consumers, Now: time.Now},
			Inbox:  notices,
		},
		Metrics: metrics.FromEnv(),
	}, nil
}
