package action

import "time"

// Outcome is the result of one run of an action.
type Outcome struct {
	OK         bool
	StatusCode int           // the HTTP status of an http action (0 when none came)
	Duration   time.Duration // how long the run took
	RetryAfter time.Duration // the target asked to wait this long (0: no opinion)
	Response   string        // the beginning of the answer, for the delivery log
	Err        error         // why it failed
	// Permanent says trying again cannot help: the target was refused, the action is
	// invalid, or the script failed.
	Permanent bool
	// Gone says the target answered 410 Gone: the trigger is to be disabled.
	Gone bool
}

// failed returns an Outcome for err, permanent or not.
func failed(err error, permanent bool) Outcome { return Outcome{Err: err, Permanent: permanent} }
