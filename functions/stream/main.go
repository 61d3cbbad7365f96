// Command stream is the Stream function: GET /v1/consumers/{id}/stream, a consumer's
// messages, and GET /v1/me/notifications/stream, the caller's inbox, as server-sent
// events, served through a Function URL in response-streaming mode. A Function URL has
// no authorizer, so the function verifies the bearer token, or redeems the single-use
// ticket (?ticket=) a browser opens the stream with.
package main

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/consumer"
	"github.com/heraldhq/herald/internal/inbox"
	"github.com/heraldhq/herald/internal/lambdamain"
	"github.com/heraldhq/herald/internal/lease"
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
	ticketKeys, err := ticket.NewKeys(keys)
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(ctx, auth.OptionsFromEnv())
	if err != nil {
		return nil, err
	}
	streams, err := config.Required("HERALD_STREAMS_TABLE")
	if err != nil {
		return nil, err
	}
	maxStreams, err := config.Int("HERALD_MAX_STREAMS_PER_USER", DefaultMaxStreams)
	if err != nil {
		return nil, err
	}
	if maxStreams < 1 {
		return nil, fmt.Errorf("config: HERALD_MAX_STREAMS_PER_USER=%d must be at least 1", maxStreams)
	}
	maxOpen, err := config.Int("HERALD_MAX_OPEN_STREAMS", DefaultMaxOpenStreams)
	if err != nil {
		return nil, err
	}
	if maxOpen < 1 {
		return nil, fmt.Errorf("config: HERALD_MAX_OPEN_STREAMS=%d must be at least 1", maxOpen)
	}
	store, err := consumer.OpenStore(ctx, loadAWS, "herald-stream")
	if err != nil {
		return nil, err
	}
	// The inbox stream hears of changes on Herald's connection and reads the
	// notifications table (it writes none).
	cfg, err := loadAWS(ctx)
	if err != nil {
		return nil, err
	}
	feed := inbox.NewFeed(store.JS.Conn())
	notifications, err := inbox.OpenStore(cfg, feed)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Store:      store,
		JS:         store.JS,
		Keys:       keys,
		Verifier:   verifier,
		Tickets:    &ticket.Redeemer{Keys: ticketKeys, Ledger: &ticket.Ledger{DB: store.DB, Table: streams}},
		Leases:     &lease.Store{DB: store.DB, Table: streams, Name: StreamsQuota},
		MaxStreams: maxStreams,

		OpenStreams:    &lease.Store{DB: store.DB, Table: streams, Name: "open streams"},
		MaxOpenStreams: maxOpen,

		Inbox: &InboxSource{Store: notifications, Feed: feed},
	}, nil
}
