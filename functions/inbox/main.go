// Command inbox is the Inbox function: fed by the inbox queue (the topic's events that
// have recipients), it writes one personal notification per recipient.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle}
	})
}

// coldStart loads the AWS configuration and builds the notifications store on it.
func coldStart(ctx context.Context) (*Handler, error) {
	cfg, err := config.AWS(ctx)
	if err != nil {
		return nil, err
	}
	store, err := inbox.OpenStore(cfg)
	if err != nil {
		return nil, err
	}
	return &Handler{Store: store}, nil
}
