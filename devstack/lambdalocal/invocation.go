package lambdalocal

import (
	"io"
	"sync"
	"time"
)

// invocation is one request on its way through an instance: handed to the runtime by
// GET /next, answered by POST /response or /error, or ended by a timeout, a crash or the
// instance shutting down, whichever comes first.
type invocation struct {
	id      string
	payload []byte

	// The response body travels from the runtime's POST to the caller through this pipe,
	// so the caller reads bytes as the function writes them.
	pr *io.PipeReader
	pw *io.PipeWriter

	resp *Response
	// responded is closed once resp is ready for the caller: the runtime started its
	// response, or the invocation ended without one (resp then carries the error).
	responded chan struct{}
	// done is closed when the invocation ended; only then may the instance take another.
	done chan struct{}
	// gone is closed when the caller stopped reading: it closed Body or its context
	// ended.
	gone     chan struct{}
	goneOnce sync.Once
	// nextAsked is closed when the runtime asks for its next invocation while this one
	// is its current: a detached invocation's instance is free again then.
	nextAsked chan struct{}
	nextOnce  sync.Once

	// stopCtx unregisters the watch on the caller's context; called when Body is closed.
	stopCtx func() bool
	// release returns the instance to its pool when the runtime completed the
	// invocation. It runs before the caller sees the end of the body, so that a caller
	// invoking again right away finds the instance free, as in Lambda.
	release func()
	// record is Config.Record, or nil.
	record func(time.Duration)

	mu        sync.Mutex
	start     time.Time // handed to the runtime
	streaming bool      // the runtime started a response
	finished  bool
	ending    ending // how it finished
	err       *FunctionError
	duration  time.Duration
	abandoned error // why the caller stopped reading, if it did
}

func newInvocation(id string, payload []byte) *invocation {
	pr, pw := io.Pipe()
	inv := &invocation{
		id:        id,
		payload:   payload,
		pr:        pr,
		pw:        pw,
		responded: make(chan struct{}),
		done:      make(chan struct{}),
		gone:      make(chan struct{}),
		nextAsked: make(chan struct{}),
		stopCtx:   func() bool { return false },
	}
	inv.resp = &Response{RequestID: id}
	return inv
}

// started records the moment the runtime received the invocation (Duration counts from
// there, as Lambda's billed duration does), how to release its instance, and whom to tell
// its duration when it ends (nil for no one).
func (inv *invocation) started(t time.Time, release func(), record func(time.Duration)) {
	inv.mu.Lock()
	inv.start = t
	inv.release = release
	inv.record = record
	inv.mu.Unlock()
}

// beginResponse makes the piped body available to the caller. It reports false if the
// invocation already ended (timed out, say), in which case the runtime's response is
// refused.
func (inv *invocation) beginResponse(contentType string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.finished || inv.streaming {
		return false
	}
	inv.streaming = true
	inv.resp.ContentType = contentType
	inv.resp.Body = &body{inv: inv, r: inv.pr, resp: inv.resp}
	close(inv.responded)
	return true
}

// ending is how an invocation ended, which decides what becomes of its instance.
type ending int

const (
	// aborted: the instance failed it (a timeout, an exit); the instance is not reused.
	aborted ending = iota
	// completed: the runtime's response ended it; the instance is free at once.
	completed
	// detached: the caller left a streamed response and the runtime's POST was failed
	// for it, as a connection fails once its client is gone. The instance is free once
	// its runtime asks for the next invocation; a runtime that exits instead (as
	// aws-lambda-go does when it cannot deliver a response) is not reused.
	detached
)

// complete ends the invocation at the end of the runtime's response, with the error it
// reported, if any (nil for success). The instance can take the next invocation. Only
// the first of complete, abort and detach has an effect; each reports whether it was
// first.
func (inv *invocation) complete(err *FunctionError) bool {
	if err == nil {
		return inv.end(nil, "", nil, completed)
	}
	return inv.end(err, contentTypeJSON, err.marshal(), completed)
}

// completeWith is complete with the error body as the runtime sent it to /error.
func (inv *invocation) completeWith(err *FunctionError, contentType string, errBody []byte) bool {
	return inv.end(err, contentType, errBody, completed)
}

// abort ends the invocation with err because the instance failed it (a timeout, an exit);
// the instance must not be reused.
func (inv *invocation) abort(err *FunctionError) bool {
	return inv.end(err, contentTypeJSON, err.marshal(), aborted)
}

// detach ends a streamed invocation whose caller left; see detached.
func (inv *invocation) detach() bool {
	return inv.end(nil, "", nil, detached)
}

// end records the outcome. If no response had started, the caller gets err as a JSON
// error response instead.
func (inv *invocation) end(err *FunctionError, contentType string, errBody []byte, how ending) bool {
	inv.mu.Lock()
	if inv.finished {
		inv.mu.Unlock()
		return false
	}
	inv.finished = true
	inv.ending = how
	inv.err = err
	if !inv.start.IsZero() {
		inv.duration = time.Since(inv.start)
		if inv.record != nil {
			// Before responded or the body's end can tell the caller it is over.
			inv.record(inv.duration)
		}
	}
	if !inv.streaming {
		// Set before closing responded, which publishes resp to the caller.
		inv.resp.ContentType = contentType
		inv.resp.Err = err
		inv.resp.Duration = inv.duration
		inv.resp.Body = &body{inv: inv, r: bytesReader(errBody), resp: inv.resp}
		close(inv.responded)
	}
	release := inv.release
	inv.mu.Unlock()
	if how == completed && release != nil {
		release()
	}
	// Ends a streamed body with EOF; the caller then finds err in Response.Err. Any write
	// still blocked in the response handler fails, and the handler drains the rest.
	inv.pw.Close()
	close(inv.done)
	return true
}

// endedBy reports how the invocation ended; valid once done is closed.
func (inv *invocation) endedBy() ending {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.ending
}

// result is the outcome, valid once finished.
func (inv *invocation) result() (*FunctionError, time.Duration) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.err, inv.duration
}

// abandon records that the caller went away (its context ended) and unblocks both its
// pending Read and the response handler's pending write.
func (inv *invocation) abandon(cause error) {
	inv.mu.Lock()
	if inv.abandoned == nil {
		inv.abandoned = cause
	}
	inv.mu.Unlock()
	inv.leave()
	inv.pr.CloseWithError(cause)
}

// leave records that the caller stopped reading. It comes before the pipe closes, so
// that a write failing on the closed pipe finds the caller gone.
func (inv *invocation) leave() {
	inv.goneOnce.Do(func() { close(inv.gone) })
}

// isGone reports whether the caller stopped reading.
func (inv *invocation) isGone() bool {
	select {
	case <-inv.gone:
		return true
	default:
		return false
	}
}

// askedNext records that the runtime asked for its next invocation while this one was
// its current.
func (inv *invocation) askedNext() {
	inv.nextOnce.Do(func() { close(inv.nextAsked) })
}

func (inv *invocation) abandonCause() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.abandoned
}
