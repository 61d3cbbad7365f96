// Command inbox is the Inbox function: fed by the inbox queue (the topic's events that
// have recipients), it writes one personal notification per recipient and announces it
// to the recipient's live streams.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle, Close: func() { bus.CloseConn(h.Store.Feed.NC) }}
	})
}

// coldStart builds the notifications store, which announces what it writes on core
// NATS.
func coldStart(ctx context.Context) (*Handler, error) {
	store, err := inbox.DialStore(ctx, config.AWSOnce(), "herald-inbox")
	if err != nil {
		return nil, err
	}
	return &Handler{Store: store}, nil
}
