package script

import (
	"errors"
	"time"
)

// ErrTimeout is matched (with errors.Is) by the error of a run that was stopped at its
// time limit.
var ErrTimeout = errors.New("script: time limit exceeded")

// TimeoutError reports a run stopped at its time limit. It matches ErrTimeout.
type TimeoutError struct {
	Limit time.Duration // the limit the run exceeded
	At    string        // where the script was stopped, such as "handle (script.js:3:5)"; may be empty
}

// Error implements error.
func (e *TimeoutError) Error() string {
	msg := "script: stopped after the time limit of " + e.Limit.String()
	if e.At != "" {
		msg += " at " + e.At
	}
	return msg
}

// Timeout reports true, as net.Error does for timeouts.
func (e *TimeoutError) Timeout() bool { return true }

// Is makes errors.Is(err, ErrTimeout) hold.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Exception reports an exception that the script threw and did not catch, or the
// overflow of its call stack. It holds only strings, never a value of the script, so
// that printing it runs no script code.
type Exception struct {
	Message string // such as "TypeError: Cannot read property 'x' of undefined"
	At      string // the innermost place in the script, such as "handle (script.js:3:5)"; may be empty
}

// Error implements error.
func (e *Exception) Error() string {
	msg := "script: uncaught " + e.Message
	if e.At != "" {
		msg += " at " + e.At
	}
	return msg
}

// ResultError reports a result that cannot be used: too large, not serialisable as
// JSON, or not of the shape the caller expects.
type ResultError struct {
	Message string
}

// Error implements error.
func (e *ResultError) Error() string { return "script: bad result: " + e.Message }
