package consumer

import (
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Authorize reports whether the caller may create a consumer with the normalized spec
// s, and may still read from it: the handlers call it on create and again on every
// fetch, so that a consumer stops delivering once its owner loses access. The rules:
//
//   - resources: READ on every path (a grant on a path covers the paths below it);
//     the error names the first path without it;
//   - user: the caller's own id, with a personal token. A scoped token is limited to
//     some resources, and the events about a user (permissions granted and revoked
//     anywhere) would reach past that limit; a service is not a user;
//   - announcements: any person's token, personal or scoped;
//   - all: the admin role.
//
// The admin role may do all of these. A refusal is a fault Forbidden.
func (s *Spec) Authorize(c *auth.Claims) error {
	if c == nil {
		return fault.New(fault.Unauthorized, "no verified caller")
	}
	switch s.Target.Kind() {
	case TargetResources:
		for _, r := range s.Target.Resources {
			if err := c.Require(r.Path, auth.Read); err != nil {
				return err
			}
		}
		return nil
	case TargetUser:
		switch {
		case c.IsAdmin():
			return nil
		case s.Target.User != c.Subject:
			return fault.New(fault.Forbidden, "a consumer of a user's events is for that user only")
		case c.TokenType != auth.Personal:
			return fault.New(fault.Forbidden, "a consumer of your own events needs a personal token")
		}
		return nil
	case TargetAnnouncements:
		if c.IsAdmin() || c.TokenType == auth.Personal || c.TokenType == auth.Scoped {
			return nil
		}
		return fault.New(fault.Forbidden, "announcements are for people: a personal or scoped token is required")
	case TargetAll:
		if c.IsAdmin() {
			return nil
		}
		return fault.New(fault.Forbidden, "a consumer of all events needs the admin role")
	}
	return fault.New(fault.Invalid, "the consumer has no valid target")
}
