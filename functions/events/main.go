// Command events is the EventsApi function: GET /v1/health, GET /v1/catalog and
// POST /v1/events behind the HTTP API.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/shared/bus"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())
	ctx := context.Background()
	js, err := bus.Open(ctx, "herald-events-api")
	if err != nil {
		slog.Error("cold start failed", "error", err.Error())
		os.Exit(1)
	}
	h := &Handler{JS: js, Now: time.Now}
	// Lambda sends SIGTERM when it retires an idle environment: flush, close, and exit
	// rather than wait to be killed.
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(func() { bus.Close(js); os.Exit(0) }))
}
