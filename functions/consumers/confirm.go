package main

import (
	"context"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

// confirm sends payload to the ack subject of every reply, all of them for one consumer,
// and waits until the server has confirmed them, or AckTimeout passed. It returns every
// reply as unconfirmed when the confirmation did not come.
//
// Only the last acknowledgement asks for an answer. One connection delivers the others
// before it, in order, and the server applies a consumer's acknowledgements in the order
// they arrive, from one queue: its answer to the last one means all of them were
// applied. So a request of a thousand replies costs one round trip, and the server sends
// one answer rather than a thousand.
func confirm(ctx context.Context, nc *nats.Conn, replies []reply.Reply, payload []byte) []fault.FieldError {
	last := len(replies) - 1
	var err error
	for _, r := range replies[:last] {
		if err = nc.Publish(r.Reply, payload); err != nil {
			break
		}
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(ctx, AckTimeout)
		defer cancel()
		// Nobody listens on the ack subjects of a deleted consumer: the server answers
		// that there are no responders instead of a confirmation.
		_, err = nc.RequestWithContext(ctx, replies[last].Reply, payload)
	}
	if err == nil {
		return nil
	}
	failed := make([]fault.FieldError, len(replies))
	for i := range replies {
		failed[i] = fault.FieldError{Field: "replies[" + strconv.Itoa(i) + "]", Message: "not confirmed: " + err.Error()}
	}
	return failed
}
