package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

// testSecret is long enough for HS256 (MinSecretLen).
var testSecret = []byte("herald-test-secret-0123456789-abcdef")

func newTestVerifier(t *testing.T, o Options) *Verifier {
	t.Helper()
	v, err := NewVerifier(t.Context(), o)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	t.Cleanup(v.Close)
	return v
}

// claimsMap returns the payload of a valid personal token, changed by mods.
func claimsMap(mods ...func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	m := jwt.MapClaims{
		"sub":        "u1",
		"token_type": "personal",
		"roles":      []string{"publisher"},
		"perms":      map[string]string{"projects/p1": "READ"},
		"iat":        now.Unix(),
		"exp":        now.Add(time.Hour).Unix(),
	}
	for _, mod := range mods {
		mod(m)
	}
	return m
}

func set(k string, v any) func(jwt.MapClaims) {
	return func(m jwt.MapClaims) {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
}

func at(d time.Duration) int64 { return time.Now().Add(d).Unix() }

// sign signs claims with the library, naming kid in the header when not empty.
func sign(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing %s: %v", method.Alg(), err)
	}
	return s
}

// forge builds a token by hand: any header, any signature.
func forge(t *testing.T, header map[string]any, claims jwt.MapClaims, signature func(input string) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	return input + "." + enc.EncodeToString(signature(input))
}

func hmacSHA256(key []byte) func(string) []byte {
	return func(input string) []byte {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(input))
		return mac.Sum(nil)
	}
}

// checkRefused asserts that err refuses a token as Unauthorized without repeating the
// token, its signature or the secret.
func checkRefused(t *testing.T, token string, c *Claims, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify accepted the token: %+v", c)
	}
	if !fault.Is(err, fault.Unauthorized) {
		t.Errorf("Verify error kind = %v (%v), want Unauthorized", fault.KindOf(err), err)
	}
	t.Logf("refused: %v", err)
	msg := err.Error()
	if token != "" && strings.Contains(msg, token) {
		t.Errorf("Verify error %q repeats the token", msg)
	}
	if parts := strings.Split(token, "."); len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(msg, parts[2]) {
		t.Errorf("Verify error %q repeats the signature", msg)
	}
	if strings.Contains(msg, string(testSecret)) {
		t.Errorf("Verify error %q repeats the secret", msg)
	}
}

func TestVerifyHS256(t *testing.T) {
	hs := func(mods ...func(jwt.MapClaims)) func(t *testing.T) string {
		return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap(mods...)) }
	}
	tests := []struct {
		name  string
		opts  Options // HMACSecret is filled in
		token func(t *testing.T) string
		want  *Claims // nil: refused
	}{
		{name: "valid", token: hs(), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "minimal", token: hs(set("roles", nil), set("perms", nil), set("iat", nil)), want: &Claims{Subject: "u1", TokenType: Personal}},
		{name: "unknown roles dropped", token: hs(set("roles", []string{"auditor", "admin"})), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RoleAdmin}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "lower-case level", token: hs(set("perms", map[string]string{"projects/p1": "write"})), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Write}}},
		{name: "expired within leeway", token: hs(set("exp", at(-10*time.Second))), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "expired", token: hs(set("exp", at(-time.Minute)))},
		{name: "expired, no leeway", opts: Options{Leeway: -1}, token: hs(set("exp", at(-10*time.Second)))},
		{name: "expired, wider leeway", opts: Options{Leeway: 5 * time.Minute}, token: hs(set("exp", at(-time.Minute))), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "no exp", token: hs(set("exp", nil))},
		{name: "exp not a number", token: hs(set("exp", "tomorrow"))},
		{name: "not valid yet", token: hs(set("nbf", at(time.Hour)))},
		{name: "issued in the future", token: hs(set("iat", at(time.Hour)))},
		{name: "wrong secret", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-sufficient-length!"), "", claimsMap())
		}},
		{name: "alg none", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claimsMap())
		}},
		{name: "alg none with a signature", token: func(t *testing.T) string {
			return forge(t, map[string]any{"alg": "none", "typ": "JWT"}, claimsMap(), hmacSHA256(testSecret))
		}},
		{name: "alg NONE", token: func(t *testing.T) string {
			return forge(t, map[string]any{"alg": "NONE"}, claimsMap(), func(string) []byte { return nil })
		}},
		{name: "no alg", token: func(t *testing.T) string {
			return forge(t, map[string]any{"typ": "JWT"}, claimsMap(), hmacSHA256(testSecret))
		}},
		{name: "HS384 with the secret", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS384, testSecret, "", claimsMap())
		}},
		{name: "HS512 with the secret", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS512, testSecret, "", claimsMap())
		}},
		{name: "RS256 header, HMAC signature", token: func(t *testing.T) string {
			return forge(t, map[string]any{"alg": "RS256", "typ": "JWT"}, claimsMap(), hmacSHA256(testSecret))
		}},
		{name: "payload swapped", token: func(t *testing.T) string {
			good := strings.Split(sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap()), ".")
			evil := strings.Split(sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap(set("roles", []string{"admin"}))), ".")
			return good[0] + "." + evil[1] + "." + good[2]
		}},
		{name: "issuer required, absent", opts: Options{Issuer: "https://id.example"}, token: hs()},
		{name: "issuer required, wrong", opts: Options{Issuer: "https://id.example"}, token: hs(set("iss", "https://evil.example"))},
		{name: "issuer required, right", opts: Options{Issuer: "https://id.example"}, token: hs(set("iss", "https://id.example")), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "audience required, absent", opts: Options{Audience: "herald"}, token: hs()},
		{name: "audience required, wrong", opts: Options{Audience: "herald"}, token: hs(set("aud", "billing"))},
		{name: "audience required, right", opts: Options{Audience: "herald"}, token: hs(set("aud", []string{"billing", "herald"})), want: &Claims{Subject: "u1", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}},
		{name: "no sub", token: hs(set("sub", nil))},
		{name: "empty sub", token: hs(set("sub", ""))},
		{name: "sub not a string", token: hs(set("sub", 42))},
		{name: "sub null", token: hs(set("sub", json.RawMessage("null")))},
		{name: "sub an object", token: hs(set("sub", map[string]string{"id": "u1"}))},
		{name: "exp a string", token: hs(set("exp", "9999999999"))},
		{name: "exp a string of the right time", token: hs(func(m jwt.MapClaims) { m["exp"] = strconv.FormatInt(at(time.Hour), 10) })},
		{name: "exp null", token: hs(set("exp", json.RawMessage("null")))},
		{name: "exp a boolean", token: hs(set("exp", true))},
		{name: "exp a list", token: hs(set("exp", []int64{at(time.Hour)}))},
		{name: "nbf a string", token: hs(set("nbf", "0"))},
		{name: "nbf null", token: hs(set("nbf", json.RawMessage("null")))},
		{name: "iat a string", token: hs(func(m jwt.MapClaims) { m["iat"] = strconv.FormatInt(at(0), 10) })},
		{name: "iat an object", token: hs(set("iat", map[string]int64{"t": at(0)}))},
		{name: "no token_type", token: hs(set("token_type", nil))},
		{name: "unknown token_type", token: hs(set("token_type", "admin"))},
		{name: "token_type upper-case", token: hs(set("token_type", "PERSONAL"))},
		{name: "perms bad level", token: hs(set("perms", map[string]string{"projects/p1": "OWNER"}))},
		{name: "perms level not a string", token: hs(set("perms", map[string]any{"projects/p1": 4}))},
		{name: "perms bad path", token: hs(set("perms", map[string]string{"projects/p1/": "READ"}))},
		{name: "perms dot path", token: hs(set("perms", map[string]string{"projects/..": "READ"}))},
		{name: "perms not an object", token: hs(set("perms", []string{"projects/p1"}))},
		{name: "roles not a list", token: hs(set("roles", "admin"))},
		{name: "empty", token: func(*testing.T) string { return "" }},
		{name: "one segment", token: func(*testing.T) string { return "garbage" }},
		{name: "three garbage segments", token: func(*testing.T) string { return "a.b.c" }},
		{name: "too long", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap(set("pad", strings.Repeat("x", maxTokenLen))))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.HMACSecret = testSecret
			v := newTestVerifier(t, o)
			token := tt.token(t)
			c, err := v.Verify(context.Background(), token)
			if tt.want == nil {
				checkRefused(t, token, c, err)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Expires.IsZero() {
				t.Error("Verify left Expires zero")
			}
			c.Expires = time.Time{} // TestVerifyExpires checks it
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("Verify = %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestNewVerifierRejects(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		kind fault.Kind
	}{
		{"nothing configured", Options{}, fault.Invalid},
		{"short secret", Options{HMACSecret: []byte("short")}, fault.Invalid},
		{"JWKS over plain http", Options{JWKSURL: "http://id.example/jwks.json"}, fault.Invalid},
		{"JWKS not a URL", Options{JWKSURL: "jwks.json"}, fault.Invalid},
		{"JWKS odd scheme", Options{JWKSURL: "file:///etc/jwks.json"}, fault.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(t.Context(), tt.o)
			if !fault.Is(err, tt.kind) {
				t.Fatalf("NewVerifier = %v, %v; want a %v error", v, err, tt.kind)
			}
			if len(tt.o.HMACSecret) > 0 && strings.Contains(err.Error(), string(tt.o.HMACSecret)) {
				t.Errorf("error %q repeats the secret", err)
			}
		})
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv("HERALD_JWT_SECRET", "s3cret")
	t.Setenv("HERALD_JWKS_URL", "https://id.example/jwks.json")
	t.Setenv("HERALD_JWT_ISSUER", "https://id.example")
	t.Setenv("HERALD_JWT_AUDIENCE", "herald")
	want := Options{
		HMACSecret: []byte("s3cret"),
		JWKSURL:    "https://id.example/jwks.json",
		Issuer:     "https://id.example",
		Audience:   "herald",
	}
	if got := OptionsFromEnv(); !reflect.DeepEqual(got, want) {
		t.Errorf("OptionsFromEnv() = %+v, want %+v", got, want)
	}

	t.Setenv("HERALD_JWT_SECRET", "")
	if got := OptionsFromEnv(); got.HMACSecret != nil {
		t.Errorf("HMACSecret = %q with the variable empty, want nil", got.HMACSecret)
	}
}

func TestLeeway(t *testing.T) {
	tests := []struct {
		in, want time.Duration
	}{
		{0, DefaultLeeway},
		{-1, 0},
		{time.Minute, time.Minute},
	}
	for _, tt := range tests {
		if got := (Options{Leeway: tt.in}).leeway(); got != tt.want {
			t.Errorf("leeway(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestVerifyExpires checks that verified claims carry the token's exp, which the stream
// uses to end when the token does.
func TestVerifyExpires(t *testing.T) {
	v := newTestVerifier(t, Options{HMACSecret: testSecret})
	exp := at(90 * time.Second)
	c, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testSecret, "", claimsMap(set("exp", exp))))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(exp, 0); !c.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", c.Expires, want)
	}
}
