package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/heraldhq/herald/wire"
)

// Errors that end a stream. After each of them the consumer is intact: reconnecting
// resumes with the messages not yet acknowledged.
var (
	// ErrReconnect is Stream.Err after the server asked the client to reconnect
	// ("event: reconnect"): the server's invocation is about to end, or it lost the
	// event bus and will tell on reconnecting whether the consumer is gone.
	ErrReconnect = errors.New("herald: the server asked to reconnect the stream")
	// ErrStreamStalled is Stream.Err after nothing, not even a keep-alive, arrived
	// for the idle timeout (WithStreamIdleTimeout): the connection is taken for dead.
	ErrStreamStalled = errors.New("herald: the stream went silent")

	// errStreamBroken marks a read that failed, which reconnecting may cure.
	errStreamBroken = errors.New("herald: the stream broke off")
	// errNotEventStream marks a 200 answer of another type, which reconnecting will
	// not change.
	errNotEventStream = errors.New("herald: the answer is not an event stream")
)

// Stream reads a consumer's messages as the server sends them (server-sent events). It
// is used like bufio.Scanner:
//
//	for s.Next() {
//		m := s.Message()
//		…
//	}
//	if errors.Is(s.Err(), client.ErrReconnect) { … open it again … }
//
// Next and Message are for one goroutine; Close may be called from any.
type Stream struct {
	frames *frameReader
	msg    wire.Message
}

// Stream opens the live stream of the consumer id (GET /v1/consumers/{id}/stream),
// at the URL of WithStreamURL. Opening is retried like any GET; an error answer (404
// for a consumer that is gone, 401 for a bad token) is an *Error. The stream lasts
// until ctx ends, Close is called, or the server ends it, usually asking to reconnect
// (ErrReconnect) after up to 15 minutes. Consume reconnects by itself.
//
// Nothing is acknowledged by reading: hand each message's Reply to Acknowledge.
func (c *Client) Stream(ctx context.Context, id string) (*Stream, error) {
	path, err := pathOf("v1", "consumers", id, "stream")
	if err != nil {
		return nil, err
	}
	r, err := c.openEventStream(ctx, &request{method: http.MethodGet, path: path, idempotent: true, stream: true})
	if err != nil {
		return nil, err
	}
	return &Stream{frames: r}, nil
}

// Next reads up to the next message and reports whether there is one; Message returns
// it. Keep-alive comments are skipped. Next returns false at the end of the stream,
// and Err says why.
func (s *Stream) Next() bool {
	for {
		kind, data, ok := s.frames.next()
		if !ok {
			return false
		}
		if kind != "" && kind != "message" {
			// An event type this client does not know is skipped, so that the server
			// may add some without breaking it.
			continue
		}
		var m wire.Message
		if err := json.Unmarshal(data, &m); err != nil {
			s.frames.fail(fmt.Errorf("herald: stream frame %q: %w", s.frames.lastID, err))
			return false
		}
		s.msg = m
		return true
	}
}

// Message returns the message that the last successful Next read.
func (s *Stream) Message() wire.Message { return s.msg }

// LastEventID returns the id of the last frame that had one: the stream sequence of
// the last message.
func (s *Stream) LastEventID() string { return s.frames.lastID }

// Err returns why Next returned false: ErrReconnect when the server asked the client
// to reconnect, ErrStreamStalled when the connection went silent, an error wrapping
// io.ErrUnexpectedEOF when the server closed the stream without asking, the context's
// error when it ended, nil after Close, or the read's error.
func (s *Stream) Err() error { return s.frames.err }

// Close ends the stream and releases its connection. It may be called from another
// goroutine to stop a blocked Next, and more than once.
func (s *Stream) Close() error { return s.frames.close() }

// Consume streams the consumer id's messages to handle, one at a time, reconnecting
// whenever the stream ends for a reason that reconnecting cures: the server asking
// for it (at once), a broken or silent connection, or an answer worth retrying (after
// a backoff that grows with consecutive failures, without limit). It returns the
// error of handle, which ends it, ctx's error when ctx ends, or an error that
// reconnecting cannot cure, such as an *Error for a deleted consumer (IsNotFound) or a
// refused token.
//
// handle acknowledges messages itself, through Acknowledge; one it does not comes back
// after its ack wait, on this stream or a later one.
func (c *Client) Consume(ctx context.Context, id string, handle func(wire.Message) error) error {
	// The consumer, not a Last-Event-ID, decides where a reconnected stream resumes.
	open := func(ctx context.Context, _ string) (*Stream, error) { return c.Stream(ctx, id) }
	return reconnecting(ctx, c, "", open, (*Stream).Message, handle)
}
