package trigger

import (
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald/internal/match"
)

// CompileFilter returns everything an event must satisfy besides its type, compiled:
// the resource scope (resource.path is the trigger's path, or under it when
// subresources are included), the resource type pattern, and the trigger's filter.
// Scope and type are conditions of the same filter language, so that the matcher can
// index triggers by them and explanations name them like any other condition.
//
// A trigger without a path has no condition on resource.path. One that selects only
// system events gets the condition that the event type begins with "system." instead:
// SystemOnly already found that its events or its filter demand it, so the condition
// changes nothing it matches, but it keeps such a trigger (which any person may own)
// away from resource events should that reading ever be wrong.
func (s *Spec) CompileFilter() (*match.Filter, error) {
	scope := map[string]any{}
	switch {
	case s.AllPaths() && s.SystemOnly():
		scope[eventPath] = map[string]string{"prefix": systemPrefix}
	case s.AllPaths():
	case s.Resource.IncludeSubresources:
		scope["resource.path"] = []any{s.Resource.Path, map[string]string{"prefix": s.Resource.Path + "/"}}
	default:
		scope["resource.path"] = s.Resource.Path
	}
	if s.Resource.Type != "" {
		scope["resource.type"] = s.Resource.Type
	}
	raw, err := json.Marshal(scope)
	if err != nil {
		return nil, err
	}
	sf, err := match.Compile(raw)
	if err != nil {
		return nil, fmt.Errorf("trigger: the scope of a valid spec does not compile: %w", err)
	}
	f, err := match.Compile(s.Filter)
	if err != nil {
		return nil, err
	}
	return match.And(sf, f), nil
}
