// Command bridge is the Bridge function: it relays the HERALD_EVENTS stream to the SNS
// topic. As a Lambda it is scheduled every minute and drains until shortly before its
// deadline; with HERALD_BRIDGE_MODE=daemon it runs until SIGINT or SIGTERM (the local
// stack runs it so, for low latency).
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/heraldhq/herald/internal/bridge"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/fanout"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	ctx := context.Background()
	h, err := setup(ctx)
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	if config.String("HERALD_BRIDGE_MODE", "lambda") == "daemon" {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		h.Daemon(ctx)
		_ = h.Bridge.Close()
		return
	}
	// Lambda sends SIGTERM when it retires an idle environment: flush, close, and exit
	// rather than wait to be killed.
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(func() { _ = h.Bridge.Close(); os.Exit(0) }))
}

func setup(ctx context.Context) (*Handler, error) {
	topic, err := config.Required("HERALD_TOPIC_ARN")
	if err != nil {
		return nil, err
	}
	awsCfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	js, err := bus.Open(ctx, "herald-bridge")
	if err != nil {
		return nil, err
	}
	pub := fanout.NewPublisher(sns.NewFromConfig(awsCfg), topic)
	return &Handler{Bridge: bridge.New(js, pub, bridge.Options{})}, nil
}
