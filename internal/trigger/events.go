package trigger

import (
	"strings"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/match"
)

// eventPath is where an event holds its type: the filter key that selects event types.
const eventPath = "event"

// anyEvent is the event type pattern of every type.
const anyEvent = "*"

// systemPrefix begins the type of every system event ("system.Announcement").
const systemPrefix = event.SystemDomain + "."

// MatchEvents returns the event type patterns the trigger is matched under:
//
//   - its events, when it names any;
//   - otherwise "*" when its filter tests the event type (a condition on "event" at its
//     top level, or in every branch of a top-level "$or"), as an OMAPI trigger does with
//     {"event": "resource.ResourceCreated", …}: the filter then says which events it
//     wants, and the matcher indexes the trigger by that condition like any other;
//   - otherwise none: a placeholder, which matches no published event.
func (s *Spec) MatchEvents() []string {
	if len(s.Events) > 0 {
		return s.Events
	}
	f, err := match.Compile(s.Filter)
	if err == nil && f.Tests(eventPath) {
		return []string{anyEvent}
	}
	return nil
}

// SystemOnly reports whether every event the trigger can match is a system event
// ("system.*", announcements among them): its events are all patterns of the system
// domain ("system.*", "system.Announcement"), or its filter needs an event type that
// begins with "system." (match.Filter.RequiresPrefix). Either suffices, as an event must
// pass both. When the filter's condition is one it cannot read ("regex" without a
// literal beginning, "anything-but"), the answer is false, which asks for more authority,
// never less.
func (s *Spec) SystemOnly() bool {
	if len(s.Events) > 0 && allSystem(s.Events) {
		return true
	}
	f, err := match.Compile(s.Filter)
	return err == nil && f.RequiresPrefix(eventPath, systemPrefix)
}

// allSystem reports whether every pattern names the system domain. Patterns are
// "<domain>.<Name>" of letters, digits, "_", "-" and "*" (validPattern), so one whose
// domain is exactly "system" matches only types that begin with "system.".
func allSystem(patterns []string) bool {
	for _, p := range patterns {
		domain, _, ok := strings.Cut(p, ".")
		if !ok || domain != event.SystemDomain {
			return false
		}
	}
	return true
}

// AllPaths reports whether the trigger has no resource path and so spans every path:
// the whole tree for an administrator's trigger, the announcements for one that selects
// only system events (SystemOnly).
func (s *Spec) AllPaths() bool { return s.Resource.Path == "" }
