package auth

import (
	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

// tokenClaims is the JSON payload of a Herald token: the registered claims plus
// Herald's own. Levels travel as names ("READ") and are parsed separately, so that a
// bad level is reported as such rather than as an undecodable token.
type tokenClaims struct {
	jwt.RegisteredClaims
	TokenType TokenType         `json:"token_type"`
	Roles     []string          `json:"roles,omitempty"`
	Perms     map[string]string `json:"perms,omitempty"`
}

// claims returns the verified payload as Claims, with unknown roles dropped, and checks
// it. Errors are fault.Unauthorized.
func (t *tokenClaims) claims() (*Claims, error) {
	c := &Claims{
		Subject:   t.Subject,
		TokenType: t.TokenType,
		Roles:     knownRoles(t.Roles),
	}
	if t.ExpiresAt != nil {
		c.Expires = t.ExpiresAt.Time
	}
	if len(t.Perms) > 0 {
		c.Perms = make(map[string]Level, len(t.Perms))
		for p, name := range t.Perms {
			l, err := ParseLevel(name)
			if err != nil {
				return nil, fault.New(fault.Unauthorized, "the token's perms hold an invalid permission level")
			}
			c.Perms[p] = l
		}
	}
	if err := c.validate(fault.Unauthorized); err != nil {
		return nil, err
	}
	return c, nil
}

// tokenClaimsOf returns the payload for c, which must be valid. Roles are written as
// given, unknown ones included: the verifying side decides what to keep.
func tokenClaimsOf(c Claims, rc jwt.RegisteredClaims) *tokenClaims {
	t := &tokenClaims{
		RegisteredClaims: rc,
		TokenType:        c.TokenType,
		Roles:            c.Roles,
	}
	t.Subject = c.Subject
	if len(c.Perms) > 0 {
		t.Perms = make(map[string]string, len(c.Perms))
		for p, l := range c.Perms {
			t.Perms[p] = l.String()
		}
	}
	return t
}
