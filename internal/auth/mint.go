package auth

import (
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

// A MintOption adjusts a token made by Mint.
type MintOption func(*mintConfig)

type mintConfig struct {
	issuer   string
	audience []string
	issuedAt time.Time
}

// WithIssuer sets the token's iss claim.
func WithIssuer(iss string) MintOption {
	return func(m *mintConfig) { m.issuer = iss }
}

// WithAudience sets the token's aud claim.
func WithAudience(aud ...string) MintOption {
	return func(m *mintConfig) { m.audience = aud }
}

// WithIssuedAt dates the token: iat and nbf are t and exp is t plus the ttl. Without
// it the token is dated now. Tests use it to make tokens that are expired or not yet
// valid.
func WithIssuedAt(t time.Time) MintOption {
	return func(m *mintConfig) { m.issuedAt = t }
}

// Mint returns an HS256 token for c, signed with secret and valid for ttl: the tokens
// the local stack prints and tests use. Production tokens come from an identity
// provider. c must be valid claims (a subject, a token type, well-formed perms); its
// roles are written as given.
func Mint(secret []byte, c Claims, ttl time.Duration, opts ...MintOption) (string, error) {
	if len(secret) < MinSecretLen {
		return "", fault.Newf(fault.Invalid, "auth: the JWT secret must be at least %d bytes", MinSecretLen)
	}
	if ttl <= 0 {
		return "", fault.New(fault.Invalid, "auth: a token's lifetime must be positive")
	}
	if err := c.validate(fault.Invalid); err != nil {
		return "", err
	}
	var m mintConfig
	for _, o := range opts {
		o(&m)
	}
	if m.issuedAt.IsZero() {
		m.issuedAt = time.Now()
	}
	rc := jwt.RegisteredClaims{
		Issuer:    m.issuer,
		IssuedAt:  jwt.NewNumericDate(m.issuedAt),
		NotBefore: jwt.NewNumericDate(m.issuedAt),
		ExpiresAt: jwt.NewNumericDate(m.issuedAt.Add(ttl)),
	}
	if len(m.audience) > 0 {
		rc.Audience = jwt.ClaimStrings(m.audience)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, tokenClaimsOf(c, rc)).SignedString(secret)
	if err != nil {
		return "", fault.Wrap(fault.Other, err, "auth: signing the token failed")
	}
	return s, nil
}
