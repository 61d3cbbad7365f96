package fault

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/wire"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds of error. Other is the zero value: an unexpected failure.
const (
	Other            Kind = iota // unexpected; a bug or an unclassified dependency failure
	Invalid                      // the input is malformed or breaks a rule; Fields say where
	Unauthorized                 // no credentials, or credentials that do not verify
	Forbidden                    // verified caller without the needed permission
	NotFound                     // does not exist, or is not the caller's (never distinguished)
	Conflict                     // the state does not allow the request
	TooLarge                     // the input exceeds a size limit
	Unsupported                  // the media type is not accepted
	Unavailable                  // a dependency is down or overloaded; try again later
	OverQuota                    // the caller holds as many of something as a quota allows
	MethodNotAllowed             // the path is known, not with this method; Allow lists those it takes
	Vetoed                       // a party consulted before acting refused; Extensions say why
)

var kindNames = [...]string{
	Other:            "internal error",
	Invalid:          "invalid request",
	Unauthorized:     "unauthorized",
	Forbidden:        "forbidden",
	NotFound:         "not found",
	Conflict:         "conflict",
	TooLarge:         "request too large",
	Unsupported:      "unsupported media type",
	Unavailable:      "service unavailable",
	OverQuota:        "quota exceeded",
	MethodNotAllowed: "method not allowed",
	Vetoed:           "vetoed",
}

// String returns a short human title for the kind, used as the problem+json title.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// FieldError names one input field at fault and why. Field is a dotted path into the
// request (for example "events[3].resource.path"); it may be empty for the body as a whole.
// It is the API's own wire type: what a handler names is what a client reads.
type FieldError = wire.FieldError

// Error is Herald's error type.
type Error struct {
	Kind   Kind
	Detail string       // a sentence for the caller; never holds a secret
	Fields []FieldError // the fields at fault, for Invalid and TooLarge
	Quota  *Quota       // the quota reached, for OverQuota
	Allow  []string     // the methods the path takes, for MethodNotAllowed
	// Extensions are further members of the answer, beside the kind, detail and fields
	// (a veto's approved and denials). Their values must encode as JSON.
	Extensions map[string]any
	Err        error // the underlying cause, for logs; not shown to callers
}

// Quota names a per-user limit and how much of it the caller uses, as the API's wire
// type: a 429 shows it as it is.
type Quota = wire.Quota

// OverLimit returns an OverQuota error for q.
func OverLimit(q Quota) *Error {
	return &Error{Kind: OverQuota, Quota: &q,
		Detail: fmt.Sprintf("you hold %d %s and the limit is %d: delete one to make room", q.Current, q.Name, q.Limit)}
}

// NotAllowed returns a MethodNotAllowed error for a path that takes only the methods
// allow.
func NotAllowed(detail string, allow ...string) *Error {
	return &Error{Kind: MethodNotAllowed, Detail: detail, Allow: allow}
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	wire.WriteFields(&b, e.Fields)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given kind with a detail message.
func New(kind Kind, detail string) *Error { return &Error{Kind: kind, Detail: detail} }

// Newf is New with a format.
func Newf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// Wrap returns an error of the given kind that keeps err as its cause.
func Wrap(kind Kind, err error, detail string) *Error {
	return &Error{Kind: kind, Detail: detail, Err: err}
}

// Field returns an Invalid error for one field.
func Field(field, message string) *Error {
	return &Error{Kind: Invalid, Detail: "the request has an invalid field", Fields: []FieldError{{Field: field, Message: message}}}
}

// Fields returns an Invalid error listing fields, or nil when fields is empty.
func Fields(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	detail := "the request has invalid fields"
	if len(fields) == 1 {
		detail = "the request has an invalid field"
	}
	return &Error{Kind: Invalid, Detail: detail, Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Is reports whether err is an *Error of the given kind.
func Is(err error, kind Kind) bool { return err != nil && KindOf(err) == kind }

// Prefix returns err with every field path prefixed by prefix (for example "events[2]"),
// so that errors from validating one element of a list name the element.
func Prefix(err error, prefix string) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Fields = make([]FieldError, len(e.Fields))
	for i, f := range e.Fields {
		switch {
		case f.Field == "":
			f.Field = prefix
		case strings.HasPrefix(f.Field, "["):
			f.Field = prefix + f.Field
		default:
			f.Field = prefix + "." + f.Field
		}
		out.Fields[i] = f
	}
	if len(out.Fields) == 0 {
		out.Fields = []FieldError{{Field: prefix, Message: e.Detail}}
	}
	return &out
}
