package lambdalocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Error types reported by the local runtime itself, spelled as Lambda spells them, so that
// code handling Lambda errors works unchanged against the local stack.
const (
	// ErrorTypeTimeout: the invocation ran longer than Config.Timeout.
	ErrorTypeTimeout = "Sandbox.Timedout"
	// ErrorTypeExit: the process exited or crashed during an invocation.
	ErrorTypeExit = "Runtime.ExitError"
	// ErrorTypeInit: the process exited before asking for its first invocation, or
	// took longer than Lambda's init limit.
	ErrorTypeInit = "Runtime.InitError"
	// ErrorTypeInvalidEntrypoint: the bootstrap executable could not be started.
	ErrorTypeInvalidEntrypoint = "Runtime.InvalidEntrypoint"
	// ErrorTypeResponseTooLarge: a buffered (non-streaming) response exceeded Lambda's
	// 6 MB limit.
	ErrorTypeResponseTooLarge = "Function.ResponseSizeTooLarge"
)

var (
	// ErrClosed is returned by Invoke and Warm once Close has been called.
	ErrClosed = errors.New("lambdalocal: function closed")
	// ErrRequestTooLarge is returned by Invoke for payloads over Lambda's 6 MB limit for
	// synchronous invocations (Lambda answers RequestEntityTooLargeException).
	ErrRequestTooLarge = errors.New("lambdalocal: request payload exceeds 6291456 bytes")
)

// FunctionError is an error reported by a function, or by the runtime on its behalf. It
// has the shape of Lambda's error payload and marshals to it:
//
//	{"errorType": "...", "errorMessage": "...", "stackTrace": [...]}
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	// StackTrace holds one line per frame. Runtimes such as Node.js and Python send
	// strings; aws-lambda-go sends {path, line, label} frames, which are formatted as
	// "label (path:line)".
	StackTrace []string `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// UnmarshalJSON accepts both stack trace forms described at StackTrace.
func (e *FunctionError) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type       string          `json:"errorType"`
		Message    string          `json:"errorMessage"`
		StackTrace json.RawMessage `json:"stackTrace"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	e.Type, e.Message, e.StackTrace = raw.Type, raw.Message, parseStackTrace(raw.StackTrace)
	return nil
}

func parseStackTrace(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var lines []string
	if json.Unmarshal(raw, &lines) == nil {
		return lines
	}
	var frames []struct {
		Path  string `json:"path"`
		Line  int    `json:"line"`
		Label string `json:"label"`
	}
	if json.Unmarshal(raw, &frames) != nil {
		return nil
	}
	lines = make([]string, 0, len(frames))
	for _, f := range frames {
		lines = append(lines, fmt.Sprintf("%s (%s:%d)", f.Label, f.Path, f.Line))
	}
	return lines
}

// marshal returns the error as the JSON body an error response carries.
func (e *FunctionError) marshal() []byte {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: only strings
		panic(err)
	}
	return b
}

// parseFunctionError decodes an error a runtime POSTed to /error or /init/error. The type
// may come in the body or in the Lambda-Runtime-Function-Error-Type header; runtimes that
// send neither get a generic type rather than an empty one.
func parseFunctionError(body []byte, headerType string) *FunctionError {
	e := &FunctionError{}
	if json.Unmarshal(body, e) != nil {
		e = &FunctionError{Message: string(body)}
	}
	if e.Type == "" {
		e.Type = headerType
	}
	if e.Type == "" {
		e.Type = "Runtime.Unknown"
	}
	return e
}

func timeoutError(timeout time.Duration) *FunctionError {
	return &FunctionError{
		Type:    ErrorTypeTimeout,
		Message: fmt.Sprintf("Task timed out after %.2f seconds", timeout.Seconds()),
	}
}

func exitError(requestID, status string) *FunctionError {
	return &FunctionError{
		Type:    ErrorTypeExit,
		Message: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, status),
	}
}
