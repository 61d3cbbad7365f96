package bus

import (
	"context"
	"errors"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
)

// UnknownEventTypes returns the indexes of the patterns that match no event type Herald
// knows of: none in the catalog (event.KnownPattern) and none of the events on
// HERALD_EVENTS. A pattern is an event type or a pattern of them as consumers and
// triggers take them, "*" standing for any run of characters.
//
// Only patterns the catalog does not know cost a request, one each: the first stored
// event on the subjects of the pattern (a message get, so that a type stored on
// millions of paths costs no more than one stored once). Subject filters match whole
// tokens, so a "*" inside a part of a pattern ("job.Job*") widens that part to any
// value: such a pattern may be taken as known when nothing stored matches it, but a
// pattern is never reported unknown while something stored matches it. The patterns
// found unknown before an error (or before finding js nil) are returned with it.
func UnknownEventTypes(ctx context.Context, js jetstream.JetStream, patterns []string) ([]int, error) {
	var unknown []int
	var stream jetstream.Stream
	for i, p := range patterns {
		if event.KnownPattern(p) {
			continue
		}
		if stream == nil {
			if js == nil {
				return unknown, errors.New("bus: no event bus to look for event types on")
			}
			s, err := js.Stream(ctx, event.StreamName)
			if err != nil {
				return unknown, err
			}
			stream = s
		}
		_, err := stream.GetMsg(ctx, 0, jetstream.WithGetMsgSubject(patternSubjects(p)))
		switch {
		case errors.Is(err, jetstream.ErrMsgNotFound):
			unknown = append(unknown, i)
		case err != nil:
			return unknown, err
		}
	}
	return unknown, nil
}

// patternSubjects is the subject filter of the events whose types a pattern may
// match: herald.events.<domain>.<Name>.>, a part holding "*" becoming "*".
func patternSubjects(pattern string) string {
	domain, name, ok := strings.Cut(pattern, ".")
	if !ok {
		domain, name = "*", "*" // "*" alone; anything else without a dot is no pattern
	}
	token := func(s string) string {
		if s == "" || strings.Contains(s, "*") {
			return "*"
		}
		return s
	}
	return event.SubjectRoot + "." + token(domain) + "." + token(name) + ".>"
}
