package trigger

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// CheckScope returns nil if ev lies in the trigger's scope, and a fault.Invalid error
// naming the field that does not otherwise: event.resource.path when the event's path
// is neither the trigger's path nor, with subresources included, under it;
// event.resource.type when the trigger has a type pattern the event's type does not
// match. Firing an event is the owner asking the action to run with the trigger's
// authority, and that authority covers the scope the trigger was created for, no more.
// ev must be valid (event.Validate); the filter beyond the scope is not checked, since
// firing an event that does not match is what placeholder triggers are for.
//
// A trigger without a path takes every path; but one that selects only system events,
// which any person may own, takes only a system event (event.event is named otherwise),
// as its scope is the announcements and not the whole tree.
func (s *Spec) CheckScope(ev *event.Event) error {
	path := ev.Path()
	in := s.AllPaths() || path == s.Resource.Path ||
		(s.Resource.IncludeSubresources && strings.HasPrefix(path, s.Resource.Path+"/"))
	if s.AllPaths() && s.SystemOnly() && ev.Domain() != event.SystemDomain {
		return fault.Field("event.event", "must be a system.* event: the trigger's scope is the announcements")
	}
	if !in {
		if s.Resource.IncludeSubresources {
			return fault.Field("event.resource.path", fmt.Sprintf("must be %q or under it, the trigger's scope", s.Resource.Path))
		}
		return fault.Field("event.resource.path", fmt.Sprintf("must be %q, the trigger's scope", s.Resource.Path))
	}
	if s.Resource.Type == "" {
		return nil
	}
	if !typeMatches(s.Resource.Type, ev) {
		return fault.Field("event.resource.type", fmt.Sprintf("must match %q, the trigger's resource type", s.Resource.Type))
	}
	return nil
}

// typeMatches reports whether ev's resource.type matches pattern, compiled as the
// matcher compiles a trigger's type, so that firing and routing agree on every pattern.
func typeMatches(pattern string, ev *event.Event) bool {
	cond, err := json.Marshal(map[string]string{"resource.type": pattern})
	if err != nil {
		return false
	}
	f, err := match.Compile(cond)
	if err != nil {
		return false // a stored pattern compiled when the trigger was made
	}
	var doc struct {
		Resource *event.Resource `json:"resource"`
	}
	doc.Resource = ev.Resource
	raw, err := json.Marshal(doc)
	if err != nil {
		return false
	}
	mev, err := match.ParseEvent(raw)
	if err != nil {
		return false
	}
	return f.Match(mev)
}
