package event

import (
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// NATS names. Events are stored on SubjectRoot.<domain>.<Name>.<path segments…>._ in
// the stream StreamName; events that cannot be stored there (malformed, invalid) are
// moved to DeadLetterSubject so that they never block the relay.
const (
	StreamName        = "HERALD_EVENTS"
	SubjectRoot       = "herald.events"
	StreamSubjects    = SubjectRoot + ".>"
	DeadLetterSubject = "herald.deadletter.events"
)

// EndToken is the last token of every event subject. It closes the path, so that a
// filter ending in "._" matches one resource, while one ending in ".>" matches the
// resource and everything under it. A path segment may itself be "_": only the last
// token is the marker.
const EndToken = "_"

const subjectPrefix = SubjectRoot + "."
const subjectSuffix = "." + EndToken

// Subject returns the subject of an event of type eventType about the resource at
// path: Subject("resource.ResourceCreated", "projects/p1/collections/c1") is
// "herald.events.resource.ResourceCreated.projects.p1.collections.c1._".
// The arguments are not checked; for valid ones ParseSubject returns them again.
func Subject(eventType, path string) string {
	var b strings.Builder
	b.Grow(len(subjectPrefix) + len(eventType) + 1 + len(path) + len(subjectSuffix))
	b.WriteString(subjectPrefix)
	b.WriteString(eventType)
	b.WriteByte('.')
	// Segments cannot hold "." or "/", so swapping one separator for the other
	// cannot merge or split segments, and ParseSubject can swap them back.
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '/' {
			c = '.'
		}
		b.WriteByte(c)
	}
	b.WriteString(subjectSuffix)
	return b.String()
}

// ParseSubject is the inverse of Subject: it returns the event type and path of an
// event subject. It fails with a fault Invalid when subject is not under SubjectRoot,
// does not end with the "_" token, or holds an invalid event type or path; wildcard
// subjects are therefore rejected too.
func ParseSubject(subject string) (eventType, path string, err error) {
	rest, ok := strings.CutPrefix(subject, subjectPrefix)
	if !ok {
		return "", "", badSubject(subject, "is not under "+SubjectRoot)
	}
	rest, ok = strings.CutSuffix(rest, subjectSuffix)
	if !ok {
		return "", "", badSubject(subject, "does not end with the \"._\" token")
	}
	// The event type is the first two tokens.
	first := strings.IndexByte(rest, '.')
	if first < 0 {
		return "", "", badSubject(subject, "has no path")
	}
	second := strings.IndexByte(rest[first+1:], '.')
	if second < 0 {
		return "", "", badSubject(subject, "has no path")
	}
	second += first + 1
	eventType = rest[:second]
	if msg := checkEventType(eventType); msg != "" {
		return "", "", badSubject(subject, "has an invalid event type: "+msg)
	}
	tokens := rest[second+1:]
	// A "/" in a token would read as a path separator and give a path whose subject
	// is a different string; refuse it so that every accepted subject round-trips.
	if i := strings.IndexByte(tokens, '/'); i >= 0 {
		return "", "", badSubject(subject, "has an invalid path: "+pathRule+"; character '/' is not allowed")
	}
	path = strings.ReplaceAll(tokens, ".", "/")
	if msg := checkPath(path); msg != "" {
		return "", "", badSubject(subject, "has an invalid path: "+msg)
	}
	return eventType, path, nil
}

func badSubject(subject, why string) error {
	return fault.Newf(fault.Invalid, "subject %q %s", subject, why)
}
