package bus

import (
	"context"
	"errors"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/event"
)

// maxLookups bounds the stream lookups one create makes: a warning is a courtesy, and
// must not let a caller make the server scan its subjects at will.
const maxLookups = 5

// UnknownEventTypes returns the indexes of the patterns that match no event type Herald
// knows of: none in the catalog (event.KnownPattern) and none of the events on
// HERALD_EVENTS about the resources under scopes (paths the caller may read: a warning
// must not tell whether others published a type). A pattern is an event type or a
// pattern of them as consumers and triggers take them, "*" standing for any run of
// characters.
//
// Only patterns the catalog does not know, with a literal domain, are looked up: the
// first stored event on the pattern's subjects under each scope, at most maxLookups in
// all. A "*" inside the name widens it to any name. Patterns not looked up (no scopes,
// a wildcard domain, past the bound) are never reported: a warning that may be wrong is
// worse than none. The patterns found unknown before an error (or before finding js
// nil) are returned with it.
func UnknownEventTypes(ctx context.Context, js jetstream.JetStream, patterns, scopes []string) ([]int, error) {
	var unknown []int
	var stream jetstream.Stream
	lookups := 0
	for i, p := range patterns {
		if event.KnownPattern(p) {
			continue
		}
		domain, _, _ := strings.Cut(p, ".")
		if len(scopes) == 0 || domain == "" || strings.Contains(domain, "*") || lookups+len(scopes) > maxLookups {
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
		found := false
		for _, scope := range scopes {
			lookups++
			_, err := stream.GetMsg(ctx, 0, jetstream.WithGetMsgSubject(patternSubjects(p, scope)))
			if err == nil {
				found = true
				break
			}
			if !errors.Is(err, jetstream.ErrMsgNotFound) {
				return unknown, err
			}
		}
		if !found {
			unknown = append(unknown, i)
		}
	}
	return unknown, nil
}

// patternSubjects is the subject filter of the events under the resource path scope
// whose types a pattern may match: herald.events.<domain>.<Name>.<scope>.>, a name
// holding "*" becoming "*".
func patternSubjects(pattern, scope string) string {
	domain, name, _ := strings.Cut(pattern, ".")
	if name == "" || strings.Contains(name, "*") {
		name = "*"
	}
	return event.SubjectRoot + "." + domain + "." + name + "." + strings.ReplaceAll(scope, "/", ".") + ".>"
}
