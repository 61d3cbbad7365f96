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
// writes to the resource. A refusal is a fault Forbidden.
//
// A trigger without a path (AllPaths) needs authority over every path, which only the
// admin role holds: a grant names a valid path, and there is no path above every other
// to grant (auth refuses "" and "/" in a token's perms). The admin's token must not be
// scoped, as a scoped token is limited to some resources whatever its roles. The one
// exception is a trigger that selects only system events (SystemOnly): announcements
// are for every person, as a consumer's announcements target is, so any personal or
// scoped token may have an async one. A sync one could veto every announcement and
// stays the admin's. A trigger that mixes system events with others is not an
// exception: it would be a whole-tree trigger on the others.
func (s *Spec) Authorize(c *auth.Claims) error {
	if s.AllPaths() {
		return s.authorizeAllPaths(c)
	}
	need := auth.Read
	if s.Mode == Sync {
		need = auth.Write
	}
	if !c.Can(s.Resource.Path, need) {
		return fault.Newf(fault.Forbidden, "a %s trigger on %s needs %s on it", s.Mode, s.Resource.Path, need)
	}
	return nil
}

// authorizeAllPaths is Authorize for a trigger without a path. Its refusals name
// resource.path, the member whose absence asks for more than the caller holds.
func (s *Spec) authorizeAllPaths(c *auth.Claims) error {
	if c == nil {
		return fault.New(fault.Unauthorized, "no verified caller")
	}
	if c.IsAdmin() && c.TokenType != auth.Scoped {
		return nil
	}
	refuse := func(msg string) error {
		return &fault.Error{Kind: fault.Forbidden, Detail: "a trigger without resource.path " + msg,
			Fields: []fault.FieldError{{Field: "resource.path", Message: "is required: without it the trigger " + msg}}}
	}
	switch {
	case !s.SystemOnly():
		return refuse("spans every resource, which needs the admin role (and a token that is not scoped); " +
			"only a trigger that selects system.* events alone, the announcements, may leave it out without")
	case s.Mode == Sync:
		return refuse("on announcements could veto them all if sync, which needs the admin role")
	case c.TokenType != auth.Personal && c.TokenType != auth.Scoped:
		return refuse("on announcements is for people: a personal or scoped token is required")
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
	if s.AllPaths() {
		// Package action lets an action publish only on the trigger's path or below it,
		// and an empty path has nothing below it: such a trigger's javascript action
		// publishes nothing, whoever owns it, rather than anywhere.
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
