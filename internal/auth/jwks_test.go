package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

// idp stands in for an identity provider: it serves a JWKS that a test may change.
type idp struct {
	*httptest.Server
	jwks atomic.Pointer[[]byte]
}

func newIDP(t *testing.T, keys ...map[string]any) *idp {
	t.Helper()
	p := &idp{}
	p.publish(t, keys...)
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(*p.jwks.Load())
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *idp) publish(t *testing.T, keys ...map[string]any) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	p.jwks.Store(&b)
}

// jwk returns the public JWK of key. alg is left out when empty, as many providers do.
func jwk(t *testing.T, kid, alg string, key any) map[string]any {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	m := map[string]any{"kid": kid, "use": "sig"}
	if alg != "" {
		m["alg"] = alg
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		m["kty"] = "RSA"
		m["n"] = b64(k.N.Bytes())
		m["e"] = b64(big.NewInt(int64(k.E)).Bytes())
	case *ecdsa.PrivateKey:
		point, err := k.PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatal(err)
		}
		n := (len(point) - 1) / 2
		m["kty"] = "EC"
		m["crv"] = k.Curve.Params().Name
		m["x"] = b64(point[1 : 1+n])
		m["y"] = b64(point[1+n:])
	default:
		t.Fatalf("jwk: unexpected key type %T", key)
	}
	return m
}

func mustRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEC(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestVerifyJWKS(t *testing.T) {
	rsaKey := mustRSA(t, 2048)
	ecKey := mustEC(t, elliptic.P256())
	p384Key := mustEC(t, elliptic.P384())
	weakKey := mustRSA(t, 1024)
	strangerRSA := mustRSA(t, 2048)
	strangerEC := mustEC(t, elliptic.P256())

	p := newIDP(t,
		jwk(t, "r1", "RS256", rsaKey),
		jwk(t, "e1", "", ecKey), // no alg: the key type alone must pin the algorithm
		jwk(t, "e384", "", p384Key),
		jwk(t, "weak", "", weakKey),
	)
	rsaPEM := publicPEM(t, &rsaKey.PublicKey)
	rsaDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}

	want := &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}
	tests := []struct {
		name   string
		secret bool // configure the HMAC secret as well as the JWKS
		token  func(t *testing.T) string
		ok     bool
	}{
		{"RS256 with kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, rsaKey, "r1", claimsMap()) }, true},
		{"ES256 with kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ecKey, "e1", claimsMap()) }, true},
		{"RS256 without kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, rsaKey, "", claimsMap()) }, true},
		{"ES256 without kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ecKey, "", claimsMap()) }, true},
		{"RS256 alongside a secret", true, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, rsaKey, "r1", claimsMap()) }, true},
		{"HS256 alongside a JWKS", true, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap()) }, true},

		{"HS256 without a secret", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap()) }, false},
		{"RS256 by a stranger", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, strangerRSA, "r1", claimsMap()) }, false},
		{"RS256 by a stranger without kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, strangerRSA, "", claimsMap()) }, false},
		{"ES256 by a stranger", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, strangerEC, "e1", claimsMap()) }, false},
		{"unknown kid", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, rsaKey, "nope", claimsMap()) }, false},
		{"RS256 naming the EC key", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, rsaKey, "e1", claimsMap()) }, false},
		{"ES256 naming the RSA key", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ecKey, "r1", claimsMap()) }, false},
		{"ES256 naming the P-384 key", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, ecKey, "e384", claimsMap()) }, false},
		{"ES384", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodES384, p384Key, "e384", claimsMap()) }, false},
		{"RS256 with a 1024-bit key", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, weakKey, "weak", claimsMap()) }, false},
		{"RS384", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodRS384, rsaKey, "r1", claimsMap()) }, false},
		{"PS256", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodPS256, rsaKey, "r1", claimsMap()) }, false},
		{"alg none", false, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "r1", claimsMap())
		}, false},
		{"HS256 keyed with the RSA public key PEM", false, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, rsaPEM, "r1", claimsMap()) }, false},
		{"HS256 keyed with the RSA public key PEM, secret set", true, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, rsaPEM, "r1", claimsMap()) }, false},
		{"HS256 keyed with the RSA public key DER, secret set", true, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, rsaDER, "", claimsMap()) }, false},
		{"HS256 keyed with the JWKS document, secret set", true, func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, *p.jwks.Load(), "", claimsMap()) }, false},
		{"RS256 header, HMAC signature, secret set", true, func(t *testing.T) string {
			return forge(t, map[string]any{"alg": "RS256", "kid": "r1"}, claimsMap(), hmacSHA256(testSecret))
		}, false},
		{"valid signature, expired", false, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey, "r1", claimsMap(set("exp", at(-time.Hour))))
		}, false},
		{"valid signature, bad token_type", false, func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, ecKey, "e1", claimsMap(set("token_type", "robot")))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{JWKSURL: p.URL}
			if tt.secret {
				o.HMACSecret = testSecret
			}
			v := newTestVerifier(t, o)
			token := tt.token(t)
			c, err := v.Verify(t.Context(), token)
			if !tt.ok {
				checkRefused(t, token, c, err)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			c.Expires = time.Time{} // TestVerifyExpires checks it
			if !reflect.DeepEqual(c, want) {
				t.Errorf("Verify = %+v, want %+v", c, want)
			}
		})
	}
}

func TestVerifyJWKSRotation(t *testing.T) {
	oldKey, newKey := mustRSA(t, 2048), mustEC(t, elliptic.P256())
	p := newIDP(t, jwk(t, "old", "RS256", oldKey))
	v := newTestVerifier(t, Options{JWKSURL: p.URL})

	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, oldKey, "old", claimsMap())); err != nil {
		t.Fatalf("Verify with the old key: %v", err)
	}
	// The provider rotates; a token naming the new key id makes the verifier refetch.
	p.publish(t, jwk(t, "new", "ES256", newKey))
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodES256, newKey, "new", claimsMap())); err != nil {
		t.Fatalf("Verify with the new key: %v", err)
	}
	// The old key was withdrawn with the refetch.
	token := sign(t, jwt.SigningMethodRS256, oldKey, "old", claimsMap())
	c, err := v.Verify(t.Context(), token)
	checkRefused(t, token, c, err)
}

func TestNewVerifierJWKSUnavailable(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) }},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := httptest.NewServer(tt.handler)
			defer s.Close()
			v, err := NewVerifier(t.Context(), Options{JWKSURL: s.URL, HMACSecret: testSecret})
			if !fault.Is(err, fault.Unavailable) {
				t.Fatalf("NewVerifier = %v, %v; want an Unavailable error", v, err)
			}
		})
	}
}

func TestCheckJWKSURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://id.example/.well-known/jwks.json", true},
		{"http://127.0.0.1:8080/jwks", true},
		{"http://localhost/jwks", true},
		{"http://[::1]:9000/jwks", true},
		{"http://id.example/jwks", false},
		{"http://10.0.0.1/jwks", false},
		{"ftp://id.example/jwks", false},
		{"/jwks.json", false},
		{"https://", false},
		{"", false},
	}
	for _, tt := range tests {
		if err := checkJWKSURL(tt.url); (err == nil) != tt.ok {
			t.Errorf("checkJWKSURL(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
	}
}

// Verify must not block on the JWKS endpoint for tokens that name unknown keys faster
// than the refetch limit allows.
func TestVerifyUnknownKIDDoesNotBlock(t *testing.T) {
	key := mustRSA(t, 2048)
	var hits atomic.Int32
	p := newIDP(t, jwk(t, "k", "RS256", key))
	counting := p.Config.Handler
	p.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		counting.ServeHTTP(w, r)
	})
	v := newTestVerifier(t, Options{JWKSURL: p.URL})
	hits.Store(0) // the first fetch, by NewVerifier
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	for i := range 5 {
		token := sign(t, jwt.SigningMethodRS256, key, "unknown", claimsMap())
		c, err := v.Verify(ctx, token)
		checkRefused(t, token, c, err)
		if ctx.Err() != nil {
			t.Fatalf("attempt %d: Verify waited out the context", i)
		}
	}
	if n := hits.Load(); n > 1 {
		t.Errorf("the JWKS was fetched %d times for unknown key ids, want at most 1 (rate limited)", n)
	}
}
