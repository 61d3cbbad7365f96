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
	completed bool // finished by the runtime's response, not by a timeout or an exit
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

// complete ends the invocation at the end of the runtime's response, with the error it
// reported, if any (nil for success). The instance can take the next invocation. Only
// the first of complete and abort has an effect; each reports whether it was first.
func (inv *invocation) complete(err *FunctionError) bool {
	if err == nil {
		return inv.end(nil, "", nil, true)
	}
	return inv.end(err, contentTypeJSON, err.marshal(), true)
}

// completeWith is complete with the error body as the runtime sent it to /error.
func (inv *invocation) completeWith(err *FunctionError, contentType string, errBody []byte) bool {
	return inv.end(err, contentType, errBody, true)
}

// abort ends the invocation with err because the instance failed it (a timeout, an exit);
// the instance must not be reused.
func (inv *invocation) abort(err *FunctionError) bool {
	return inv.end(err, contentTypeJSON, err.marshal(), false)
}

// end records the outcome. If no response had started, the caller gets err as a JSON
// error response instead.
func (inv *invocation) end(err *FunctionError, contentType string, errBody []byte, completed bool) bool {
	inv.mu.Lock()
	if inv.finished {
		inv.mu.Unlock()
		return false
	}
	inv.finished = true
	inv.completed = completed
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
	if completed && release != nil {
		release()
	}
	// Ends a streamed body with EOF; the caller then finds err in Response.Err. Any write
	// still blocked in the response handler fails, and the handler drains the rest.
	inv.pw.Close()
	close(inv.done)
	return true
}

// wasCompleted reports whether the invocation ended by the runtime's response.
func (inv *invocation) wasCompleted() bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.completed
}

// result is the outcome, valid once finished.
func (inv *invocation) result() (*FunctionError, time.Duration) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.err, inv.duration
}

// abandon records that the caller went away (its context ended) and unblocks both its
// pending Read and the response handler's pending write. The function itself runs on.
func (inv *invocation) abandon(cause error) {
	inv.mu.Lock()
	if inv.abandoned == nil {
		inv.abandoned = cause
	}
	inv.mu.Unlock()
	inv.pr.CloseWithError(cause)
}

func (inv *invocation) abandonCause() error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.abandoned
}
