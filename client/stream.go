package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

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

// maxFrameLine bounds one line of the stream. A message's data line holds an event of
// up to 240 KiB as JSON inside JSON; escaping can double it.
const maxFrameLine = 4 << 20

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
	body   io.ReadCloser
	lines  *bufio.Scanner
	cancel context.CancelFunc
	ctx    context.Context
	idle   *time.Timer
	limit  time.Duration

	msg    wire.Message
	lastID string
	err    error

	started bool // a line was read: the byte order mark may come only before it

	closed  atomic.Bool
	stalled atomic.Bool
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
	// The stream's own context: Close and the idle watchdog end the request through it.
	sctx, cancel := context.WithCancel(ctx)
	resp, err := c.do(sctx, &request{method: http.MethodGet, path: path, idempotent: true, stream: true})
	if err != nil {
		cancel()
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		// A 200 that is not an event stream comes from something in between (a
		// captive portal, a misrouted proxy); reading it as one would hang or mislead.
		drain(resp.Body)
		cancel()
		return nil, fmt.Errorf("%w: GET %s answered %q", errNotEventStream, path, resp.Header.Get("Content-Type"))
	}
	return newStream(sctx, cancel, resp.Body, c.idle), nil
}

// newStream reads frames from body; cancel ends the request that body belongs to. idle
// is the watchdog's timeout, none when not positive.
func newStream(ctx context.Context, cancel context.CancelFunc, body io.ReadCloser, idle time.Duration) *Stream {
	s := &Stream{body: body, lines: bufio.NewScanner(body), cancel: cancel, ctx: ctx, limit: idle}
	s.lines.Buffer(make([]byte, 0, 64<<10), maxFrameLine)
	s.lines.Split(scanLines)
	if idle > 0 {
		// The watchdog runs only while Next waits for the server (it is stopped here and
		// between calls): a caller slow to handle a message must not make a healthy
		// stream look silent.
		s.idle = time.AfterFunc(idle, func() {
			s.stalled.Store(true)
			s.cancel()
			s.body.Close()
		})
		s.idle.Stop()
	}
	return s
}

// Next reads up to the next message and reports whether there is one; Message returns
// it. Keep-alive comments are skipped. Next returns false at the end of the stream,
// and Err says why.
func (s *Stream) Next() bool {
	if s.err != nil {
		return false
	}
	if s.idle != nil {
		s.idle.Reset(s.limit)
		defer s.idle.Stop()
	}
	var (
		kind    string
		data    strings.Builder
		hasData bool
	)
	for s.lines.Scan() {
		if s.idle != nil {
			s.idle.Reset(s.limit)
		}
		line := s.lines.Text()
		if !s.started {
			s.started = true
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" {
			// A blank line dispatches the frame read so far.
			switch {
			case kind == "reconnect":
				s.err = ErrReconnect
				return false
			case !hasData:
				// Only comments, or fields without data: nothing to dispatch.
			case kind == "" || kind == "message":
				var m wire.Message
				if err := json.Unmarshal([]byte(data.String()), &m); err != nil {
					s.err = fmt.Errorf("herald: stream frame %q: %w", s.lastID, err)
					return false
				}
				s.msg = m
				return true
			}
			// An event type this client does not know is skipped, so that the server
			// may add some without breaking it.
			kind, hasData = "", false
			data.Reset()
			continue
		}
		if line[0] == ':' {
			continue // a comment: the keep-alive
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			kind = value
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			data.WriteString(value)
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				s.lastID = value
			}
		}
		// Other fields ("retry") are ignored: the server sends none, and the consumer,
		// not the connection, decides where a reconnected stream resumes.
	}
	s.err = s.endError()
	return false
}

// endError says why the lines ran out. A frame cut off by the end is dropped, as the
// event-stream format requires; its message comes back after its ack wait.
func (s *Stream) endError() error {
	err := s.lines.Err()
	switch {
	case s.closed.Load():
		return nil
	case s.stalled.Load():
		return ErrStreamStalled
	case s.ctx.Err() != nil:
		return s.ctx.Err()
	case err == nil:
		return fmt.Errorf("herald: the stream ended without asking to reconnect: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%w: %w", errStreamBroken, err)
}

// Message returns the message that the last successful Next read.
func (s *Stream) Message() wire.Message { return s.msg }

// LastEventID returns the id of the last frame that had one: the stream sequence of
// the last message.
func (s *Stream) LastEventID() string { return s.lastID }

// Err returns why Next returned false: ErrReconnect when the server asked the client
// to reconnect, ErrStreamStalled when the connection went silent, an error wrapping
// io.ErrUnexpectedEOF when the server closed the stream without asking, the context's
// error when it ended, nil after Close, or the read's error.
func (s *Stream) Err() error { return s.err }

// Close ends the stream and releases its connection. It may be called from another
// goroutine to stop a blocked Next, and more than once.
func (s *Stream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.idle != nil {
		s.idle.Stop()
	}
	s.cancel()
	return s.body.Close()
}

// scanLines splits an event stream into lines, which end in "\r\n", "\n" or "\r", the
// three line ends the format allows, without them.
func scanLines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if !atEOF {
			// A "\r" last in the buffer may be the start of "\r\n": wait for the next
			// byte, so that the "\n" is not taken for a blank line.
			return 0, nil, nil
		}
		return i + 1, data[:i], nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

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
	failures := 0
	for {
		s, err := c.Stream(ctx, id)
		if err == nil {
			for s.Next() {
				if err := handle(s.Message()); err != nil {
					s.Close()
					return err
				}
			}
			err = s.Err()
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
