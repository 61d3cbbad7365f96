// Command inbox is the Inbox function: fed by the inbox queue (the topic's events that
// have recipients), it writes one personal notification per recipient.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/inbox"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	store, err := openStore(context.Background())
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	h := &Handler{Store: store}
	lambda.Start(h.Handle)
}

// openStore loads the AWS configuration and builds the notifications store on it.
func openStore(ctx context.Context) (*inbox.Store, error) {
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return inbox.OpenStore(cfg)
}
