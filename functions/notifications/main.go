// Command notifications is the NotificationsApi function: the caller's personal
// notifications (list, count, acknowledge, tickets for the inbox stream) and the
// publishers' create, behind the HTTP API.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle}
	})
}

// coldStart loads the AWS configuration and builds the notifications store on it, and
// the stream tickets' keys from the reply keys (whose secret shares the one load).
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
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	store, err := inbox.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{Store: store, Tickets: tickets}, nil
}
