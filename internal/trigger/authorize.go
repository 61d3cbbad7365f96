package trigger

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Authorize checks that c may own a trigger of s: READ on the resource path for an
// async trigger, which only learns of events; WRITE for a sync one, which can veto
// writes to the resource.
func (s *Spec) Authorize(c *auth.Claims) error {
	need := auth.Read
	if s.Mode == Sync {
		need = auth.Write
	}
	if !c.Can(s.Resource.Path, need) {
		return fault.Newf(fault.Forbidden, "a %s trigger on %s needs %s on it", s.Mode, s.Resource.Path, need)
	}
	return nil
}

// SetWritable records where, inside the trigger's scope, c holds WRITE: the paths a
// javascript action may publish events on as its owner. The scope itself when c holds
// WRITE on it (by a grant on it or above it, or as an admin), else each grant of WRITE
// or more below it. Other action types publish no events and record none.
func (s *Spec) SetWritable(c *auth.Claims) {
	s.Writable = nil
	var a struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(s.Action, &a) != nil || a.Type != "javascript" {
		return
	}
	scope := s.Resource.Path
	if c.Can(scope, auth.Write) {
		s.Writable = []string{scope}
		return
	}
	if !s.Resource.IncludeSubresources {
		return
	}
	for p, l := range c.Perms {
		if l >= auth.Write && strings.HasPrefix(p, scope+"/") {
			s.Writable = append(s.Writable, p)
		}
	}
	sort.Strings(s.Writable)
}
