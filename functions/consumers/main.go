// Command consumers is the ConsumersApi function: creating, listing, reading and
// deleting consumers, fetching their batches, issuing tickets for their streams, and
// POST /v1/acknowledge, behind the HTTP API.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.Close(h.JS) }}
	})
}

// coldStart reads the configuration and opens the connections the handler keeps. The
// reply keys' secret and the store share one load of the AWS configuration.
func coldStart(ctx context.Context) (*Handler, error) {
	loadAWS := config.AWSOnce()
	keys, err := reply.KeyringFromEnv(ctx, loadAWS)
	if err != nil {
		return nil, err
	}
	tickets, err := ticket.NewKeys(keys)
	if err != nil {
		return nil, err
	}
	store, err := consumer.OpenStore(ctx, loadAWS, "herald-consumers-api")
	if err != nil {
		return nil, err
	}
	if store.MaxPerOwner, err = config.Int("HERALD_MAX_CONSUMERS_PER_USER", consumer.DefaultMaxPerOwner); err != nil {
		return nil, err
	}
	return &Handler{
		Store:   store,
		JS:      store.JS,
		Keys:    keys,
		Tickets: tickets,
	}, nil
}
