// Command notifications is the NotificationsApi function: the caller's personal
// notifications (list, count, acknowledge, tickets for the inbox stream) and the
// publishers' create, behind the HTTP API. What it writes is announced to the users'
// live streams.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/internal/ticket"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.CloseConn(h.Store.Feed.NC) }}
	})
}

// coldStart builds the stream tickets' keys from the reply keys and the notifications
// store, which announces what it writes on core NATS; both share the one load of the
// AWS configuration.
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
	store, err := inbox.DialStore(ctx, loadAWS, "herald-notifications")
	if err != nil {
		return nil, err
	}
	return &Handler{Store: store, Tickets: tickets}, nil
}
