// Command janitor is the Janitor function: scheduled every hour, it removes expired
// consumers, JetStream consumers left without a record, and records whose JetStream
// consumer has gone (idle consumers are cleaned up, not kept forever).
package main

import (
	"context"
	"time"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/lambdamain"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.Close(h.JS) }}
	})
}

// coldStart reads the configuration and opens the connections the handler keeps.
func coldStart(ctx context.Context) (*Handler, error) {
	store, err := consumer.OpenStore(ctx, config.AWSOnce(), "herald-janitor")
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store: store,
		JS:    store.JS,
		Now:   time.Now,
	}, nil
}
