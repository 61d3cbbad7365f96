package trigger

import (
	"github.com/heraldhq/herald/shared/auth"
	"github.com/heraldhq/herald/shared/fault"
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
