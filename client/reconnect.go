package client

import (
	"context"
	"errors"
	"io"
	"net/url"
)

// eventStream is what the reconnect loop reads: a Stream or an InboxStream.
type eventStream interface {
	Next() bool
	Err() error
	LastEventID() string
	Close() error
}

// reconnecting opens streams with open, one after another, and hands each item of them
// (item reads it off the stream) to handle, as Consume and WatchInbox describe: at once
// after the server asked to reconnect, after a backoff that grows with consecutive
// failures when reconnecting may cure the failure, never otherwise. open gets the
// LastEventID of the stream before, from at first. It returns the error of handle,
// ctx's error when ctx ends, or the error that reconnecting cannot cure.
func reconnecting[S eventStream, T any](ctx context.Context, c *Client, from string, open func(ctx context.Context, lastEventID string) (S, error), item func(S) T, handle func(T) error) error {
	failures := 0
	lastEventID := from
	for {
		s, err := open(ctx, lastEventID)
		if err == nil {
			for s.Next() {
				if err := handle(item(s)); err != nil {
					s.Close()
					return err
				}
			}
			err = s.Err()
			lastEventID = s.LastEventID()
			s.Close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case errors.Is(err, ErrReconnect):
			// Planned: the server is healthy and expects the client back at once.
			failures = 0
			continue
		case !reconnectable(err):
			return err
		}
		failures++
		if err := c.sleep(ctx, c.retry.backoff(failures)); err != nil {
			return err
		}
	}
}

// reconnectable reports whether a stream that failed with err is worth opening again:
// it ended or broke off, or could not be opened for a reason that passes (a failed
// connection, 429, 5xx). Other answers mean the request itself is refused (the
// consumer is gone, the token bad) and will be again, and so would a malformed frame
// or an answer that is not an event stream.
func reconnectable(err error) bool {
	var e *Error
	var transport *url.Error
	switch {
	case errors.Is(err, ErrReconnect), errors.Is(err, ErrStreamStalled),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, errStreamBroken):
		return true
	case errors.As(err, &e):
		return retryableStatus(e.Status, true)
	case errors.As(err, &transport):
		return true
	}
	return false
}
