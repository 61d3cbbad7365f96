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

// coldStart loads the AWS configuration, connects to NATS for the announcements, and
// builds the notifications store on both.
func coldStart(ctx context.Context) (*Handler, error) {
	loadAWS := config.AWSOnce()
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	nc, err := bus.DialCore(ctx, loadAWS, "herald-inbox")
	if err != nil {
		return nil, err
	}
	store, err := inbox.OpenStore(cfg, inbox.NewFeed(nc))
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &Handler{Store: store}, nil
}
