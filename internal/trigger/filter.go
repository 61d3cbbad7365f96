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
func (s *Spec) CompileFilter() (*match.Filter, error) {
	scope := map[string]any{"resource.path": s.Resource.Path}
	if s.Resource.IncludeSubresources {
		scope["resource.path"] = []any{s.Resource.Path, map[string]string{"prefix": s.Resource.Path + "/"}}
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
