package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

// The signing algorithms, each pinned to one kind of key.
const (
	algHS256 = "HS256" // the HMAC secret
	algRS256 = "RS256" // an RSA key from the JWKS
	algES256 = "ES256" // a P-256 key from the JWKS
)

const (
	// maxTokenLen bounds the work an unauthenticated caller can ask for. Herald's
	// tokens are a few hundred bytes; API Gateway itself caps headers at 10 KiB.
	maxTokenLen = 8 << 10

	// minRSABits is the smallest RSA modulus accepted from the JWKS.
	minRSABits = 2048

	// jwksTimeout bounds one JWKS fetch. The first fetch happens during a Lambda
	// cold start, whose init phase has ten seconds in all.
	jwksTimeout = 5 * time.Second
)

// A Verifier checks tokens. It is safe for concurrent use; make one per process
// (per Lambda cold start) and keep it, since it caches the JWKS.
type Verifier struct {
	secret []byte
	jwks   keyfunc.Keyfunc // nil without a JWKS URL
	parser *jwt.Parser
	stop   context.CancelFunc
}

// NewVerifier returns a Verifier for o. It fails if neither a secret nor a JWKS URL is
// configured, if the secret is shorter than MinSecretLen, if the JWKS URL is not https
// (plain http is allowed to loopback hosts only, for local identity providers), or if
// the first fetch of the JWKS fails: a Lambda whose initialisation fails is started
// afresh on the next request, which retries the fetch, whereas a Verifier with an empty
// key set would refuse every token until the next hourly refresh.
//
// With both a secret and a JWKS URL, HS256 tokens are verified with the secret and
// RS256/ES256 tokens with the JWKS. ctx ends the background JWKS refresh.
func NewVerifier(ctx context.Context, o Options) (*Verifier, error) {
	if len(o.HMACSecret) == 0 && o.JWKSURL == "" {
		return nil, fault.New(fault.Invalid, "auth: configure a JWT secret or a JWKS URL")
	}
	if len(o.HMACSecret) > 0 && len(o.HMACSecret) < MinSecretLen {
		return nil, fault.Newf(fault.Invalid, "auth: the JWT secret must be at least %d bytes", MinSecretLen)
	}
	v := &Verifier{stop: func() {}}
	var methods []string
	if len(o.HMACSecret) > 0 {
		v.secret = append([]byte(nil), o.HMACSecret...)
		methods = append(methods, algHS256)
	}
	if o.JWKSURL != "" {
		if err := checkJWKSURL(o.JWKSURL); err != nil {
			return nil, err
		}
		ctx, stop := context.WithCancel(ctx)
		tolerateFirstFailure := false
		jwks, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{o.JWKSURL}, keyfunc.Override{
			HTTPTimeout:               jwksTimeout,
			NoErrorReturnFirstHTTPReq: &tolerateFirstFailure,
			// A token naming an unknown key id triggers a refetch, at most one every
			// five minutes (the default limiter). This bounds the refetch and the wait
			// for the limiter together; a wait the limiter knows to be longer fails at
			// once instead of holding the request.
			RateLimitWaitMax:        jwksTimeout,
			RefreshErrorHandlerFunc: logRefreshError,
		})
		if err != nil {
			stop()
			return nil, fault.Wrap(fault.Unavailable, err, "auth: could not fetch the JWKS")
		}
		v.jwks, v.stop = jwks, stop
		methods = append(methods, algRS256, algES256)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(o.leeway()),
	}
	if o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(o.Issuer))
	}
	if o.Audience != "" {
		opts = append(opts, jwt.WithAudience(o.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// Close stops the background JWKS refresh. A Verifier that lives as long as its process
// needs no Close.
func (v *Verifier) Close() { v.stop() }

// Verify checks token's signature and claims and returns the claims. Every failure is
// a fault.Unauthorized error whose message says what is wrong without repeating the
// token. ctx bounds a JWKS refetch caused by a key id not yet known.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if token == "" {
		return nil, fault.New(fault.Unauthorized, "no token was given")
	}
	if len(token) > maxTokenLen {
		return nil, fault.New(fault.Unauthorized, "the token is too long")
	}
	var tc tokenClaims
	if _, err := v.parser.ParseWithClaims(token, &tc, v.keyFunc(ctx)); err != nil {
		return nil, fault.Wrap(fault.Unauthorized, err, describe(err))
	}
	return tc.claims()
}

// errAlgorithm is returned by the key function for an algorithm without a configured
// key source. The parser's method list normally refuses such tokens first.
var errAlgorithm = errors.New("the token's algorithm is not accepted")

// keyFunc returns the key for a token, chosen by its algorithm alone: the secret for
// HS256, a JWKS key of the matching type for RS256 and ES256. Never letting a JWKS key
// serve as an HMAC secret, nor the secret as anything else, is what defeats algorithm
// confusion.
func (v *Verifier) keyFunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		switch alg {
		case algHS256:
			if v.secret == nil {
				return nil, errAlgorithm
			}
			return v.secret, nil
		case algRS256, algES256:
			if v.jwks == nil {
				return nil, errAlgorithm
			}
			key, err := v.jwks.KeyfuncCtx(ctx)(t)
			if err != nil {
				return nil, err
			}
			return keyFor(alg, key)
		}
		return nil, errAlgorithm
	}
}

// keyFor returns key, or the keys of a key set, that suit alg; a JWKS may hold keys of
// every kind, and a token without a key id is tried against all that fit.
func keyFor(alg string, key any) (any, error) {
	if set, ok := key.(jwt.VerificationKeySet); ok {
		var fit jwt.VerificationKeySet
		for _, k := range set.Keys {
			if suits(alg, k) {
				fit.Keys = append(fit.Keys, k)
			}
		}
		if len(fit.Keys) == 0 {
			return nil, errors.New("the JWKS has no key for the token's algorithm")
		}
		return fit, nil
	}
	if !suits(alg, key) {
		return nil, errors.New("the JWKS key named by the token does not fit its algorithm")
	}
	return key, nil
}

// suits reports whether key is a public key of the type and strength alg calls for.
func suits(alg string, key any) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == algRS256 && k.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return alg == algES256 && k.Curve == elliptic.P256()
	}
	return false
}

// describe says in a sentence why the parser refused a token.
func describe(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	case errors.Is(err, jwt.ErrTokenUnverifiable), errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "the token's signature does not verify"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		// exp always; iss and aud when configured. The cause names which, for the log.
		return "the token lacks a required claim"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "the token is issued in the future"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token's issuer is not accepted"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "the token's audience is not accepted"
	}
	return "the token is not valid"
}

// checkJWKSURL refuses JWKS URLs that would let anyone on the network path substitute
// their own keys: only https, or http to a loopback host.
func checkJWKSURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fault.New(fault.Invalid, "auth: the JWKS URL is not an absolute URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fault.New(fault.Invalid, "auth: the JWKS URL must use https (http only to a loopback host)")
}

// logRefreshError returns the handler for failed background JWKS refreshes: the old
// keys stay in use, so this is worth a log line but not a failure.
func logRefreshError(u string) func(context.Context, error) {
	return func(ctx context.Context, err error) {
		slog.WarnContext(ctx, "auth: refreshing the JWKS failed; keeping the keys in hand", "url", u, "error", err)
	}
}
