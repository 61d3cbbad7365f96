package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/wire"
)

// maxErrorBody bounds how much of an error answer is read: problem documents are small,
// and anything larger is not one.
const maxErrorBody = 1 << 20

// Error is an answer other than 2xx. Herald's functions answer RFC 9457 problem
// documents (Type, Title, Detail, Errors); API Gateway answers its own refusals, such
// as 401 without a token, 403 from the authorizer and 429 when throttling, as
// {"message": "…"} (Message). Either way Status is the HTTP status, which the Is…
// helpers test.
type Error struct {
	Status int

	// The problem document's members. Type is a stable URN per kind of error
	// ("urn:herald:problem:not-found"), the one to branch on besides Status.
	Type   string
	Title  string
	Detail string
	// Errors lists the fields at fault in an invalid request.
	Errors []FieldError
	// Quota is the per-user quota a create reached (a 429 from Herald rather than API
	// Gateway's throttling): its name, limit and the caller's current count.
	Quota *wire.Quota

	// Message is API Gateway's own message, when it answered rather than Herald.
	Message string

	// RequestID is API Gateway's id of the request (the Apigw-Requestid header), for
	// finding it in the logs; empty when the answer did not come through API Gateway.
	RequestID string

	// Body is the answer as received (up to 1 MiB), for members this type does not
	// name.
	Body []byte

	route string // "METHOD /path", for the message
}

// FieldError names one field of a request at fault and why, as the API's problem
// documents list them.
type FieldError = wire.FieldError

// Error implements error: "herald: POST /v1/consumers: 400 invalid request: the
// request has an invalid field (target: must set exactly one of …)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("herald: ")
	if e.route != "" {
		b.WriteString(e.route)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.Status))
	b.WriteByte(' ')
	switch {
	case e.Title != "":
		b.WriteString(e.Title)
	case e.Message != "":
		b.WriteString(e.Message)
	default:
		b.WriteString(strings.ToLower(http.StatusText(e.Status)))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	wire.WriteFields(&b, e.Errors)
	return b.String()
}

// readError reads a non-2xx answer into an *Error and closes its body.
func readError(req *request, resp *http.Response) *Error {
	defer drain(resp.Body)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &Error{
		Status:    resp.StatusCode,
		RequestID: resp.Header.Get("Apigw-Requestid"),
		Body:      body,
		route:     req.route(),
	}
	// Both shapes decode into one struct: a problem document has no "message", API
	// Gateway's answer nothing else. A body that is not JSON (a proxy's HTML page)
	// leaves only Status and Body.
	var doc struct {
		Type    string       `json:"type"`
		Title   string       `json:"title"`
		Detail  string       `json:"detail"`
		Errors  []FieldError `json:"errors"`
		Message string       `json:"message"`
		Quota   *wire.Quota  `json:"quota"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Type, e.Title, e.Detail, e.Errors, e.Message = doc.Type, doc.Title, doc.Detail, doc.Errors, doc.Message
		e.Quota = doc.Quota
	}
	return e
}

// VetoError is the error of PublishSync when one or more sync triggers denied the
// event (a 422 answer): the event was not published. Its Unwrap gives the *Error of
// the answer, so errors.As finds either.
type VetoError struct {
	// UUID is the vetoed event's uuid.
	UUID string
	// Denials are the verdicts of the triggers that denied the event, with their
	// reasons. Approving triggers are not listed.
	Denials []wire.Verdict

	Err *Error
}

// Error implements error.
func (e *VetoError) Error() string {
	var b strings.Builder
	b.WriteString("herald: event ")
	b.WriteString(e.UUID)
	b.WriteString(" vetoed")
	for i, d := range e.Denials {
		if i == 0 {
			b.WriteString(" by ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString("trigger ")
		b.WriteString(d.TriggerID)
		if d.Reason != "" {
			b.WriteString(": ")
			b.WriteString(d.Reason)
		}
	}
	return b.String()
}

// Unwrap returns the 422 answer.
func (e *VetoError) Unwrap() error { return e.Err }

// statusOf returns the status of the *Error in err's chain, or 0.
func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsInvalid reports whether err is a 400 answer: the request broke a rule, and
// Error.Errors says which fields.
func IsInvalid(err error) bool { return statusOf(err) == http.StatusBadRequest }

// IsUnauthorized reports whether err is a 401 answer: no token, or one that does not
// verify (the stream route checks tokens itself and answers 401 for both).
func IsUnauthorized(err error) bool { return statusOf(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403 answer: API Gateway's authorizer refused the
// token (it answers 403, not 401, for an expired or invalid token), or Herald refused
// the caller the action.
func IsForbidden(err error) bool { return statusOf(err) == http.StatusForbidden }

// IsNotFound reports whether err is a 404 answer. Herald answers 404 also for what
// exists but is not the caller's, so as not to tell the two apart.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is a 409 answer: the state does not allow the
// request (replaying a placeholder trigger, say).
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsRateLimited reports whether err is a 429 answer that outlasted the retries.
func IsRateLimited(err error) bool { return statusOf(err) == http.StatusTooManyRequests }

// IsOverQuota reports whether err is a 429 answer naming a per-user quota
// (Error.Quota): the caller holds as many triggers or consumers as allowed, and must
// delete one first. Such an answer is never retried.
func IsOverQuota(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusTooManyRequests && e.Quota != nil
}

// IsUnavailable reports whether err is a 503 answer that outlasted the retries (or was
// not retried): a dependency is down, and the request may succeed later.
func IsUnavailable(err error) bool { return statusOf(err) == http.StatusServiceUnavailable }

// IsVetoed reports whether err is a *VetoError: sync triggers denied the event.
func IsVetoed(err error) bool {
	var v *VetoError
	return errors.As(err, &v)
}
