package auth

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

// The keys of the authorizer context. API Gateway hands the context to the functions
// behind it in req.RequestContext.Authorizer.Lambda.
const (
	ContextSubject   = "sub"
	ContextTokenType = "token_type"
	ContextRoles     = "roles" // comma-separated
	ContextPerms     = "perms" // a JSON object, path to level name
	// ContextExpires is the token's exp in Unix seconds, present when the claims have
	// one: what hands a caller something that outlives the request (a stream ticket)
	// needs it, so as not to outlive the token.
	ContextExpires = "exp"
)

// Context returns the claims as an authorizer context. Every value is a plain string
// (roles comma-separated, perms a JSON object) because gateways are only guaranteed to
// pass strings through unchanged; FromContext reverses it.
func (c *Claims) Context() map[string]any {
	perms := c.Perms
	if perms == nil {
		perms = map[string]Level{}
	}
	// Marshalling a map of string to Level fails only for an invalid level, which
	// verified claims cannot hold; fall back to no grants rather than to a broken value.
	p, err := json.Marshal(perms)
	if err != nil {
		p = []byte("{}")
	}
	m := map[string]any{
		ContextSubject:   c.Subject,
		ContextTokenType: string(c.TokenType),
		ContextRoles:     strings.Join(c.Roles, ","),
		ContextPerms:     string(p),
	}
	if !c.Expires.IsZero() {
		m[ContextExpires] = strconv.FormatInt(c.Expires.Unix(), 10)
	}
	return m
}

// FromContext rebuilds the claims from an authorizer context made by Claims.Context.
// It checks them as Verify does and returns a fault.Unauthorized error if the context is
// missing or garbled, so a handler behind a misconfigured route fails closed.
// Missing roles or perms mean none; a missing exp leaves Expires zero.
func FromContext(m map[string]any) (*Claims, error) {
	if len(m) == 0 {
		return nil, fault.New(fault.Unauthorized, "the request carries no authorizer context")
	}
	sub, ok1 := stringValue(m, ContextSubject)
	typ, ok2 := stringValue(m, ContextTokenType)
	roles, ok3 := stringValue(m, ContextRoles)
	perms, ok4 := stringValue(m, ContextPerms)
	exp, ok5 := stringValue(m, ContextExpires)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil, fault.New(fault.Unauthorized, "the authorizer context is garbled")
	}
	c := &Claims{Subject: sub, TokenType: TokenType(typ)}
	if roles != "" {
		c.Roles = knownRoles(strings.Split(roles, ","))
	}
	if perms != "" {
		if err := json.Unmarshal([]byte(perms), &c.Perms); err != nil {
			return nil, fault.Wrap(fault.Unauthorized, err, "the authorizer context has garbled perms")
		}
	}
	if len(c.Perms) == 0 {
		c.Perms = nil // as Verify leaves it, so equal claims compare equal
	}
	if exp != "" {
		sec, err := strconv.ParseInt(exp, 10, 64)
		if err != nil || sec <= 0 {
			return nil, fault.New(fault.Unauthorized, "the authorizer context has a garbled exp")
		}
		c.Expires = time.Unix(sec, 0)
	}
	if err := c.validate(fault.Unauthorized); err != nil {
		return nil, err
	}
	return c, nil
}

// stringValue returns m[key] if it is a string, "" if it is absent, and false if it is
// anything else.
func stringValue(m map[string]any, key string) (string, bool) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", true
	}
	s, ok := v.(string)
	return s, ok
}
