package auth

import (
	"os"
	"time"
)

// DefaultLeeway is the clock skew allowed when checking exp, nbf and iat if
// Options.Leeway is zero. Thirty seconds absorbs the drift between an identity
// provider's clock and Lambda's without noticeably extending a token's life.
const DefaultLeeway = 30 * time.Second

// MinSecretLen is the shortest HMAC secret accepted, in bytes. RFC 7518 section 3.2
// requires an HS256 key of at least the hash size, 256 bits.
const MinSecretLen = 32

// Options configure a Verifier. At least one of HMACSecret and JWKSURL must be set.
type Options struct {
	// HMACSecret verifies HS256 tokens (the local stack and tests). It must be at
	// least MinSecretLen bytes long.
	HMACSecret []byte

	// JWKSURL is where the identity provider publishes its keys (production). RS256
	// and ES256 tokens are verified with them. The set is fetched when the Verifier
	// is made, refreshed hourly, and refetched (at most every five minutes) when a
	// token names a key id the set does not have, which is how key rotation arrives.
	JWKSURL string

	// Issuer and Audience, when not empty, must match the token's iss and one of its
	// aud values.
	Issuer   string
	Audience string

	// Leeway is the clock skew allowed when checking exp, nbf and iat. Zero means
	// DefaultLeeway; a negative value allows none.
	Leeway time.Duration
}

// OptionsFromEnv reads Options from HERALD_JWT_SECRET, HERALD_JWKS_URL,
// HERALD_JWT_ISSUER and HERALD_JWT_AUDIENCE. Unset variables leave their option empty.
func OptionsFromEnv() Options {
	o := Options{
		JWKSURL:  os.Getenv("HERALD_JWKS_URL"),
		Issuer:   os.Getenv("HERALD_JWT_ISSUER"),
		Audience: os.Getenv("HERALD_JWT_AUDIENCE"),
	}
	if s := os.Getenv("HERALD_JWT_SECRET"); s != "" {
		o.HMACSecret = []byte(s)
	}
	return o
}

// leeway returns the effective clock skew allowance.
func (o Options) leeway() time.Duration {
	switch {
	case o.Leeway == 0:
		return DefaultLeeway
	case o.Leeway < 0:
		return 0
	}
	return o.Leeway
}
