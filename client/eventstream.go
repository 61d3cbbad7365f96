package client

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"strings"
	"sync/atomic"
	"time"
)

// maxFrameLine bounds one line of the stream. A message's data line holds an event of
// up to 240 KiB as JSON inside JSON; escaping can double it.
const maxFrameLine = 4 << 20

// openEventStream sends req, a GET of a stream, and returns a reader of its frames,
// starting from req.lastEventID. The request has a context of its own, which Close and
// the idle watchdog end.
func (c *Client) openEventStream(ctx context.Context, req *request) (*frameReader, error) {
	sctx, cancel := context.WithCancel(ctx)
	resp, err := c.do(sctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		// A 200 that is not an event stream comes from something in between (a
		// captive portal, a misrouted proxy); reading it as one would hang or mislead.
		drain(resp.Body)
		cancel()
		return nil, fmt.Errorf("%w: GET %s answered %q", errNotEventStream, req.path, resp.Header.Get("Content-Type"))
	}
	return newFrameReader(sctx, cancel, resp.Body, c.idle, req.lastEventID), nil
}

// frameReader reads the frames of an event stream: an event name and its data, with
// comments skipped, a silent connection taken for dead after the idle timeout, and the
// last frame id kept.
type frameReader struct {
	body   io.ReadCloser
	lines  *bufio.Scanner
	cancel context.CancelFunc
	ctx    context.Context
	idle   *time.Timer
	limit  time.Duration
	lastID string
	err    error

	started bool // a line was read: the byte order mark may come only before it
	closed  atomic.Bool
	stalled atomic.Bool
}

// newFrameReader reads frames from body; cancel ends the request that body belongs
// to. idle is the watchdog's timeout, none when not positive; lastID is the id before
// any frame has one.
func newFrameReader(ctx context.Context, cancel context.CancelFunc, body io.ReadCloser, idle time.Duration, lastID string) *frameReader {
	r := &frameReader{body: body, lines: bufio.NewScanner(body), cancel: cancel, ctx: ctx, limit: idle, lastID: lastID}
	r.lines.Buffer(make([]byte, 0, 64<<10), maxFrameLine)
	r.lines.Split(scanLines)
	if idle > 0 {
		// The watchdog runs only while next waits for the server (it is stopped here and
		// between calls): a caller slow to handle a frame must not make a healthy
		// stream look silent.
		r.idle = time.AfterFunc(idle, func() {
			r.stalled.Store(true)
			r.cancel()
			r.body.Close()
		})
		r.idle.Stop()
	}
	return r
}

// next reads up to the next frame that has data and returns its event name ("" when
// it has none) and data; ok is false at the end of the stream, and then err says why:
// ErrReconnect for a reconnect frame (data or not), nil after close.
func (r *frameReader) next() (kind string, data []byte, ok bool) {
	if r.err != nil {
		return "", nil, false
	}
	if r.idle != nil {
		r.idle.Reset(r.limit)
		defer r.idle.Stop()
	}
	var b strings.Builder
	hasData := false
	for r.lines.Scan() {
		if r.idle != nil {
			r.idle.Reset(r.limit)
		}
		line := r.lines.Text()
		if !r.started {
			r.started = true
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" {
			// A blank line dispatches the frame read so far.
			switch {
			case kind == "reconnect":
				r.err = ErrReconnect
				return "", nil, false
			case hasData:
				return kind, []byte(b.String()), true
			}
			// Only comments, or fields without data: nothing to dispatch.
			kind = ""
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
				b.WriteByte('\n')
			}
			b.WriteString(value)
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				r.lastID = value
			}
		}
		// Other fields ("retry") are ignored: the server sends none, and the client,
		// not the connection, decides where a reconnected stream resumes.
	}
	r.err = r.endError()
	return "", nil, false
}

// fail ends the stream with err: a frame that its reader could not make sense of.
func (r *frameReader) fail(err error) {
	r.err = err
}

// endError says why the lines ran out. A frame cut off by the end is dropped, as the
// event-stream format requires; what it held comes back on a later stream.
func (r *frameReader) endError() error {
	err := r.lines.Err()
	switch {
	case r.closed.Load():
		return nil
	case r.stalled.Load():
		return ErrStreamStalled
	case r.ctx.Err() != nil:
		return r.ctx.Err()
	case err == nil:
		return fmt.Errorf("herald: the stream ended without asking to reconnect: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("%w: %w", errStreamBroken, err)
}

// close ends the stream and releases its connection; it may be called from another
// goroutine, and more than once.
func (r *frameReader) close() error {
	if r.closed.Swap(true) {
		return nil
	}
	if r.idle != nil {
		r.idle.Stop()
	}
	r.cancel()
	return r.body.Close()
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
