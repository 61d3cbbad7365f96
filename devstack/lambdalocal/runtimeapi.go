package lambdalocal

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Runtime API header and content type names, as the Lambda service and aws-lambda-go use
// them.
const (
	headerRequestID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline        = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID         = "Lambda-Runtime-Trace-Id"
	headerErrorType       = "Lambda-Runtime-Function-Error-Type"
	headerErrorBody       = "Lambda-Runtime-Function-Error-Body"
	headerExtensionName   = "Lambda-Extension-Name"
	headerExtensionID     = "Lambda-Extension-Identifier"
	contentTypeJSON       = "application/json"
	contentTypeStreamHTTP = "application/vnd.awslambda.http-integration-response"
)

// Payload limits of synchronous invocations. Lambda's buffered response limit is a little
// over 6 MiB; streamed responses are not limited here.
const (
	maxRequestBytes  = 6 << 20
	maxResponseBytes = 6291556
)

// routes is the Runtime API (and the part of the Extensions API runtimes use) of one
// instance.
func (inst *instance) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", inst.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", inst.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", inst.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", inst.handleInitError)
	mux.HandleFunc("POST /2020-01-01/extension/register", inst.handleExtensionRegister)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", inst.handleExtensionNext)
	return mux
}

// handleNext blocks until the Function assigns an invocation, then hands it over. The
// first call marks the end of init. A runtime calls it again only after it responded,
// which is when Lambda considers the previous invocation complete.
func (inst *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	inst.markReady()
	if cur := inst.inFlight(); cur != nil {
		cur.askedNext()
	}
	var inv *invocation
	select {
	case inv = <-inst.next:
	case <-r.Context().Done():
		// The process went away, or the instance is shutting down. On shutdown the
		// runtime keeps waiting here while its SIGTERM handlers run, as in Lambda.
		return
	}
	deadline, ok := inst.assign(inv)
	if !ok {
		return
	}
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadline, strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set(headerFunctionARN, inst.f.arn)
	h.Set(headerTraceID, newTraceID(time.Now()))
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	// A failed write means the process died; wait reports that to the invocation.
	_, _ = w.Write(inv.payload)
}

// handleResponse forwards the response body to the caller as it arrives. The runtime
// streams it (chunked); an error after the first bytes arrives in HTTP trailers.
func (inst *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := inst.lookup(r.PathValue("id"))
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	contentType := r.Header.Get("Content-Type")
	if !inv.beginResponse(contentType) {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Invocation already ended")
		return
	}
	streamed := contentType == contentTypeStreamHTTP
	var limit int64
	if !streamed {
		limit = maxResponseBytes
	}
	var err error
	if streamed {
		err = forwardStream(w, inv, r.Body)
	} else {
		err = forward(inv, r.Body, limit, false)
	}
	switch {
	case errors.Is(err, errCallerGone):
		// Answered while the runtime may still be sending, so that it learns at once, not
		// at its next write; the connection is not reused.
		inv.detach()
		w.Header().Set("Connection", "close")
		apiError(w, http.StatusGone, "Caller.Gone", "The caller stopped reading the response")
		return
	case err != nil:
		// The runtime's connection broke mid-response, most likely because the process
		// is dying; give wait the chance to report the exit as such.
		select {
		case <-inst.exited:
		case <-time.After(brokenStreamGrace):
			inv.abort(&FunctionError{Type: ErrorTypeExit, Message: "RequestId: " + inv.id + " Error: response stream broken: " + err.Error()})
			inst.kill()
		}
		return
	}
	inv.complete(trailerError(r.Trailer))
	accepted(w)
}

// errCallerGone means the caller stopped reading a streamed response.
var errCallerGone = errors.New("lambdalocal: the caller stopped reading the response")

// forwardStream forwards a streamed response, failing with errCallerGone as soon as the
// caller stops reading, even while the runtime sends nothing: a pending read of the
// runtime's body is cut short then.
func forwardStream(w http.ResponseWriter, inv *invocation, src io.Reader) error {
	rc := http.NewResponseController(w)
	// The answer may go out while the runtime is still sending.
	if err := rc.EnableFullDuplex(); err != nil {
		return forward(inv, src, 0, true)
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-inv.gone:
			// A read deadline in the past ends the pending read of the runtime's body.
			_ = rc.SetReadDeadline(time.Now())
		case <-stop:
		}
	}()
	err := forward(inv, src, 0, true)
	// The controller must not outlive the handler.
	close(stop)
	<-stopped
	return err
}

// forward copies the runtime's body into the invocation's pipe. A buffered response over
// limit ends the invocation with ErrorTypeResponseTooLarge. Once the caller stops reading
// (closed Body, cancelled context), a streamed response (failWhenGone) ends with
// errCallerGone; the rest of a buffered one is read and discarded, so that the runtime's
// POST completes and the instance goes on, as Lambda buffers such a response whoever
// waits for it. The rest is discarded too once the invocation ended otherwise (a
// timeout). Any other error returned is a read error from the runtime.
func forward(inv *invocation, src io.Reader, limit int64, failWhenGone bool) error {
	buf := make([]byte, 32<<10)
	var total int64
	passing := true
	for {
		n, err := src.Read(buf)
		if n > 0 {
			total += int64(n)
			if passing && limit > 0 && total > limit {
				passing = false
				inv.complete(&FunctionError{
					Type:    ErrorTypeResponseTooLarge,
					Message: fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", limit),
				})
			}
			if passing {
				if _, werr := inv.pw.Write(buf[:n]); werr != nil {
					passing = false
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if failWhenGone && inv.isGone() {
			return errCallerGone
		}
		if err != nil {
			return err
		}
	}
}

// trailerError decodes a mid-stream error the runtime reported in trailers: the type, and
// the error JSON base64-encoded.
func trailerError(t http.Header) *FunctionError {
	typ := t.Get(headerErrorType)
	if typ == "" {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(t.Get(headerErrorBody))
	if err != nil {
		return &FunctionError{Type: typ}
	}
	return parseFunctionError(raw, typ)
}

// handleError ends the invocation with the error the function reported. Its JSON is
// passed on to the caller as the body.
func (inst *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := inst.lookup(r.PathValue("id"))
	if inv == nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	if err != nil {
		return // the process is going away; wait reports it
	}
	ferr := parseFunctionError(raw, r.Header.Get(headerErrorType))
	if !json.Valid(raw) {
		raw = ferr.marshal()
	}
	if !inv.completeWith(ferr, contentTypeJSON, raw) {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Invocation already ended")
		return
	}
	accepted(w)
}

// handleInitError records why init failed. The process is then killed: Lambda resets an
// environment whose init failed and tries a fresh one on the next invocation.
func (inst *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	ferr := parseFunctionError(raw, r.Header.Get(headerErrorType))
	// Recorded before answering: a runtime exits as soon as it has its answer, and the
	// exit must not be mistaken for an unexplained one.
	if !inst.recordInitError(ferr) {
		apiError(w, http.StatusForbidden, "InvalidStateTransition", "Init already completed")
		return
	}
	accepted(w)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	inst.kill()
}

// handleExtensionRegister accepts an extension. aws-lambda-go registers one, listening to
// no events, to have Lambda send SIGTERM before SIGKILL (lambda.WithEnableSIGTERM).
func (inst *instance) handleExtensionRegister(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(headerExtensionName) == "" {
		apiError(w, http.StatusBadRequest, "InvalidRequest", "Missing "+headerExtensionName)
		return
	}
	var req struct {
		Events []string `json:"events"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil && err != io.EOF {
		apiError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	id := inst.registerExtension(req.Events)
	w.Header().Set(headerExtensionID, id)
	w.Header().Set("Content-Type", contentTypeJSON)
	json.NewEncoder(w).Encode(map[string]string{
		"functionName":    inst.f.cfg.Name,
		"functionVersion": "$LATEST",
		"handler":         "bootstrap",
	})
}

// handleExtensionNext blocks until the instance shuts down; then it delivers SHUTDOWN to an
// extension that asked for it. INVOKE events are not delivered locally.
func (inst *instance) handleExtensionNext(w http.ResponseWriter, r *http.Request) {
	events, ok := inst.extensionEvents(r.Header.Get(headerExtensionID))
	if !ok {
		apiError(w, http.StatusForbidden, "Extension.UnknownExtensionIdentifier", "Unknown extension identifier")
		return
	}
	wantsShutdown := false
	for _, e := range events {
		wantsShutdown = wantsShutdown || e == "SHUTDOWN"
	}
	select {
	case <-inst.shutdown:
		if !wantsShutdown {
			<-r.Context().Done()
			return
		}
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", contentTypeJSON)
	json.NewEncoder(w).Encode(map[string]any{
		"eventType":      "SHUTDOWN",
		"shutdownReason": "spindown",
		"deadlineMs":     time.Now().Add(shutdownGrace).UnixMilli(),
	})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

// apiError answers as the Runtime API does: a JSON error with errorMessage and errorType.
func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"errorType": typ, "errorMessage": msg})
}

// newTraceID returns an X-Ray trace header value. Tracing is not sampled locally, but
// functions expect the header to be there.
func newTraceID(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), randomHex(12), randomHex(8))
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
