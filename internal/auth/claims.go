package auth

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/fault"
)

// TokenType says what a token is for. It is the token_type claim.
type TokenType string

// The token types.
const (
	Personal TokenType = "personal" // a person acting for themselves; owns an inbox
	Scoped   TokenType = "scoped"   // a person's token limited to some resources
	Service  TokenType = "service"  // a platform service; may publish with the publisher role
)

// Valid reports whether t is one of the defined token types.
func (t TokenType) Valid() bool {
	return t == Personal || t == Scoped || t == Service
}

// The roles Herald knows. A token may name others; they are dropped when the token is
// verified (identity providers often put roles for other applications into the same
// token), so Claims.Roles only ever holds these.
const (
	RoleAdmin     = "admin"     // ADMIN on every path; may create consumers on all events
	RolePublisher = "publisher" // with a service token: may publish events and notifications
)

// maxSubjectLen bounds the subject, which ends up in logs, keys and the authorizer context.
const maxSubjectLen = 256

// Claims is what Herald knows about a verified caller.
type Claims struct {
	Subject   string           // sub: the user or service id
	TokenType TokenType        // token_type
	Roles     []string         // roles: RoleAdmin, RolePublisher
	Perms     map[string]Level // perms: resource path to the level granted on it and below

	// Expires is the token's exp: a Verifier always sets it. Claims that came through
	// the authorizer's context leave it zero, as do claims about to be minted.
	Expires time.Time
}

// HasRole reports whether the caller has role r.
func (c *Claims) HasRole(r string) bool {
	return c != nil && slices.Contains(c.Roles, r)
}

// IsAdmin reports whether the caller has the admin role, whatever the token type.
func (c *Claims) IsAdmin() bool { return c.HasRole(RoleAdmin) }

// IsPublisher reports whether the caller may publish: a service token with the
// publisher or the admin role. A person's token never publishes, even an admin's,
// so that events always come from a service identity.
func (c *Claims) IsPublisher() bool {
	return c != nil && c.TokenType == Service && (c.HasRole(RolePublisher) || c.HasRole(RoleAdmin))
}

// LevelOn returns the highest level the caller holds on path: the best of the grants on
// path itself and on each of its ancestors, segment by segment (a grant on "projects/p1"
// covers "projects/p1/c/x" but not "projects/p10"). The admin role holds Admin
// everywhere. A path that is not well-formed is covered by no grant.
func (c *Claims) LevelOn(path string) Level {
	if c == nil {
		return None
	}
	if c.IsAdmin() {
		return Admin
	}
	if !validPath(path) {
		return None
	}
	best := None
	for p := range ancestors(path) {
		if l, ok := c.Perms[p]; ok && l > best {
			best = l
		}
	}
	return best
}

// Can reports whether the caller holds at least level l on path.
func (c *Claims) Can(path string, l Level) bool { return c.LevelOn(path) >= l }

// Require returns nil if the caller holds at least level l on path, and a
// fault.Forbidden error naming the path and the level otherwise.
func (c *Claims) Require(path string, l Level) error {
	if c.Can(path, l) {
		return nil
	}
	return fault.Newf(fault.Forbidden, "%s permission on %q is required", l, path)
}

// validate checks the claims every token must carry, returning an error of the given
// kind: Unauthorized when they came from a token, Invalid when they are about to be
// minted into one. The messages name the claim but never repeat its value: the value
// came from the caller and may be anything.
func (c *Claims) validate(kind fault.Kind) error {
	switch {
	case c.Subject == "":
		return fault.New(kind, "the token has no subject (sub)")
	case !validSubject(c.Subject):
		return fault.New(kind, "the token's subject (sub) is not acceptable")
	case !c.TokenType.Valid():
		return fault.New(kind, "the token's token_type must be personal, scoped or service")
	}
	for p, l := range c.Perms {
		if !validPath(p) {
			return fault.New(kind, "the token's perms name an invalid resource path")
		}
		if !l.Valid() {
			return fault.New(kind, "the token's perms hold an invalid permission level")
		}
	}
	return nil
}

// validSubject accepts printable UTF-8 of bounded length: the subject is logged and used
// as a key, and control characters there only ever mean trouble.
func validSubject(s string) bool {
	if len(s) > maxSubjectLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// knownRoles returns the roles Herald knows from roles, once each, in a fixed order, so
// that equal role sets always look the same.
func knownRoles(roles []string) []string {
	var out []string
	for _, r := range []string{RoleAdmin, RolePublisher} {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}
