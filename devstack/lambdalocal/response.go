package lambdalocal

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"time"
)

// Response is the result of one invocation.
//
// Body yields the response as the function writes it, so a Function URL streaming
// response can be passed on while the function is still running. The caller must read
// Body to EOF or close it: until then the function's POST is not complete and its instance
// takes no other invocation. If the context given to Invoke ends, Body's Read returns the
// context's error.
//
// A caller that stops reading a streamed response (closes Body, or its context ends) is
// a client gone: the function's POST of the response fails at once, as its writes would
// on a connection whose client left, so that the function learns of it rather than
// stream on for no one. aws-lambda-go closes the response's body then and exits; the
// next invocation starts a fresh instance.
//
// Err and Duration describe the invocation as a whole, so for a response that started
// streaming they are set only when a Read of Body returns io.EOF — check Err then, not
// before: a function can fail after it has sent part of its body (a mid-stream error,
// a timeout, a crash). When the invocation failed before any response (the function
// returned an error, timed out or crashed first, or the instance failed to initialize),
// Err is set when Invoke returns and Body holds the error as Lambda's JSON error payload.
type Response struct {
	// RequestID is the invocation's id (Lambda-Runtime-Aws-Request-Id).
	RequestID string
	// ContentType is the content type the runtime POSTed: application/json for a JSON
	// result, application/vnd.awslambda.http-integration-response for a Function URL
	// streaming response (a JSON prelude, 8 NUL bytes, then the body), and
	// application/json for an error.
	ContentType string
	// Body is the response payload, or the error JSON for an error response.
	Body io.ReadCloser
	// Err is non-nil if the invocation failed; see the type's documentation for when it is
	// set.
	Err *FunctionError
	// Duration is the time from the runtime receiving the invocation to the end of its
	// response (Lambda's "Duration"), set together with Err. It is zero if the invocation
	// never reached the runtime (an init failure).
	Duration time.Duration
}

// body is Response.Body: the response pipe, or the error JSON when no response started.
type body struct {
	inv  *invocation
	r    io.Reader
	resp *Response
	eof  bool

	closeOnce sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	if b.eof {
		// Even if the context ended since: the response was complete.
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		// The writer closes the pipe only after recording the outcome, so it is final.
		b.eof = true
		b.inv.stopCtx()
		b.resp.Err, b.resp.Duration = b.inv.result()
	case errors.Is(err, io.ErrClosedPipe):
		if cause := b.inv.abandonCause(); cause != nil {
			err = cause
		}
	}
	return n, err
}

// Close stops reading. A streamed response (a Function URL's) then fails the function's
// writes, as a connection does once its client is gone; the rest of a buffered one is
// discarded and its instance reused once the function has finished it.
func (b *body) Close() error {
	b.closeOnce.Do(func() {
		b.inv.stopCtx()
		b.inv.leave()
		b.inv.pr.Close()
	})
	return nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
