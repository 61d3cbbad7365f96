package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/auth"
)

var testSecret = []byte("authorizer-test-secret-0123456789abcdef")

var alice = auth.Claims{
	Subject:   "alice",
	TokenType: auth.Personal,
	Roles:     []string{auth.RolePublisher},
	Perms:     map[string]auth.Level{"projects/p1": auth.Read, "projects/p2/c/x": auth.Write},
}

func mint(t *testing.T, c auth.Claims, opts ...auth.MintOption) string {
	t.Helper()
	tok, err := auth.Mint(testSecret, c, time.Hour, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// withoutExpiry checks that claims from the context carry the expiry of a token minted
// for an hour just now (the context passes it on), and returns them without it, for
// comparing with the claims minted.
func withoutExpiry(t *testing.T, c *auth.Claims) auth.Claims {
	t.Helper()
	if left := time.Until(c.Expires); left <= 0 || left > time.Hour+time.Second {
		t.Errorf("the context's expiry %v is not the token's, an hour from its minting", c.Expires)
	}
	out := *c
	out.Expires = time.Time{}
	return out
}

// newHandler returns a Handler for o and the buffer its JSON log lines go to.
func newHandler(t *testing.T, o auth.Options) (*Handler, *bytes.Buffer) {
	t.Helper()
	v, err := auth.NewVerifier(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	var logs bytes.Buffer
	return &Handler{Verifier: v, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, &logs
}

func request(headers map[string]string, identity ...string) awsevents.APIGatewayV2CustomAuthorizerV2Request {
	return awsevents.APIGatewayV2CustomAuthorizerV2Request{
		Version:        "2.0",
		Type:           "REQUEST",
		RouteKey:       "GET /v1/consumers",
		RawPath:        "/v1/consumers",
		Headers:        headers,
		IdentitySource: identity,
		RequestContext: awsevents.APIGatewayV2HTTPRequestContext{
			RequestID: "req-123",
			RouteKey:  "GET /v1/consumers",
			HTTP:      awsevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/consumers", SourceIP: "192.0.2.7"},
		},
	}
}

func bearer(tok string) map[string]string { return map[string]string{"authorization": "Bearer " + tok} }

// checkLog asserts that the handler wrote exactly one JSON line with the decision and the
// request's identity, and that the token appears nowhere in it.
func checkLog(t *testing.T, logs *bytes.Buffer, decision, token string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want 1:\n%s", len(lines), logs)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v\n%s", err, lines[0])
	}
	for k, want := range map[string]string{"decision": decision, "route": "GET /v1/consumers", "api_request_id": "req-123"} {
		if rec[k] != want {
			t.Errorf("log %q = %v, want %q", k, rec[k], want)
		}
	}
	if decision == "deny" && rec["reason"] == nil {
		t.Error("a denial is logged without a reason")
	}
	if token != "" {
		for _, part := range append(strings.Split(token, "."), token) {
			if len(part) > 8 && strings.Contains(lines[0], part) {
				t.Errorf("the log repeats the token: %s", lines[0])
			}
		}
	}
}

func TestHandleAllows(t *testing.T) {
	tok := mint(t, alice)
	tests := []struct {
		name string
		req  awsevents.APIGatewayV2CustomAuthorizerV2Request
	}{
		{"lower-case header", request(bearer(tok))},
		{"canonical header", request(map[string]string{"Authorization": "Bearer " + tok})},
		{"lower-case scheme", request(map[string]string{"authorization": "bearer " + tok})},
		{"identity source only", request(nil, "Bearer "+tok)},
		{"empty header, identity source", request(map[string]string{"authorization": ""}, "Bearer "+tok)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, logs := newHandler(t, auth.Options{HMACSecret: testSecret})
			resp, err := h.Handle(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			if !resp.IsAuthorized {
				t.Fatalf("Handle denied a valid token; log: %s", logs)
			}
			got, err := auth.FromContext(resp.Context)
			if err != nil {
				t.Fatalf("FromContext(%v): %v", resp.Context, err)
			}
			if c := withoutExpiry(t, got); !reflect.DeepEqual(c, alice) {
				t.Errorf("claims through the context = %+v, want %+v", c, alice)
			}
			checkLog(t, logs, "allow", tok)
		})
	}
}

// The context must survive API Gateway's JSON round trip to the route's function.
func TestHandleContextThroughJSON(t *testing.T) {
	h, _ := newHandler(t, auth.Options{HMACSecret: testSecret})
	resp, err := h.Handle(t.Context(), request(bearer(mint(t, alice))))
	if err != nil || !resp.IsAuthorized {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var wire struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(b, &wire); err != nil {
		t.Fatal(err)
	}
	got, err := auth.FromContext(wire.Context)
	if err != nil {
		t.Fatal(err)
	}
	if c := withoutExpiry(t, got); !reflect.DeepEqual(c, alice) {
		t.Errorf("claims after JSON = %+v, want %+v", c, alice)
	}
}

func TestHandleDenies(t *testing.T) {
	valid := mint(t, alice)
	claims := func(mods map[string]any) jwt.MapClaims {
		m := jwt.MapClaims{"sub": "alice", "token_type": "personal", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		for k, v := range mods {
			m[k] = v
		}
		return m
	}
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	expired, err := auth.Mint(testSecret, alice, time.Hour, auth.WithIssuedAt(time.Now().Add(-2*time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		req   awsevents.APIGatewayV2CustomAuthorizerV2Request
		token string // to look for in the log
	}{
		{"expired", request(bearer(expired)), expired},
		{"wrong secret", request(bearer(sign(jwt.SigningMethodHS256, []byte("some-other-secret-that-is-long-enough"), claims(nil)))), ""},
		{"alg none", request(bearer(sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(map[string]any{"roles": []string{"admin"}})))), ""},
		{"wrong token_type", request(bearer(sign(jwt.SigningMethodHS256, testSecret, claims(map[string]any{"token_type": "root"})))), ""},
		{"no exp", request(bearer(sign(jwt.SigningMethodHS256, testSecret, claims(map[string]any{"exp": nil})))), ""},
		{"missing header", request(nil), ""},
		{"empty header", request(map[string]string{"authorization": ""}), ""},
		{"no scheme", request(map[string]string{"authorization": valid}), valid},
		{"basic scheme", request(map[string]string{"authorization": "Basic " + valid}), valid},
		{"scheme only", request(map[string]string{"authorization": "Bearer"}), ""},
		{"garbage token", request(map[string]string{"authorization": "Bearer not-a-jwt"}), ""},
		{"token split by a space", request(map[string]string{"authorization": "Bearer " + strings.Replace(valid, ".", ". ", 1)}), valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, logs := newHandler(t, auth.Options{HMACSecret: testSecret})
			resp, err := h.Handle(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Handle returned an error (API Gateway would answer 500): %v", err)
			}
			if resp.IsAuthorized || resp.Context != nil {
				t.Fatalf("Handle = %+v, want a plain denial", resp)
			}
			token := tt.token
			if token == "" {
				token = strings.TrimPrefix(tt.req.Headers["authorization"], "Bearer ")
			}
			checkLog(t, logs, "deny", token)
		})
	}
}

// identityProvider serves a JWKS holding one RSA and one EC key generated for the test.
func identityProvider(t *testing.T) (url string, rsaKey *rsa.PrivateKey, ecKey *ecdsa.PrivateKey) {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, err := ecKey.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())},
		{"kty": "EC", "kid": "ec-1", "alg": "ES256", "use": "sig", "crv": "P-256", "x": b64(point[1:33]), "y": b64(point[33:])},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(jwks)
	}))
	t.Cleanup(s.Close)
	return s.URL, rsaKey, ecKey
}

func TestHandleJWKS(t *testing.T) {
	url, rsaKey, ecKey := identityProvider(t)
	stranger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c := jwt.MapClaims{
		"sub":        "svc-platform",
		"token_type": "service",
		"roles":      []string{"publisher"},
		"perms":      map[string]string{"projects": "APPEND"},
		"iss":        "https://id.example",
		"aud":        "herald",
		"iat":        time.Now().Unix(),
		"exp":        time.Now().Add(time.Hour).Unix(),
	}
	sign := func(method jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(method, c)
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := auth.Claims{
		Subject:   "svc-platform",
		TokenType: auth.Service,
		Roles:     []string{auth.RolePublisher},
		Perms:     map[string]auth.Level{"projects": auth.Append},
	}
	tests := []struct {
		name  string
		token string
		allow bool
	}{
		{"RS256", sign(jwt.SigningMethodRS256, rsaKey, "rsa-1"), true},
		{"ES256", sign(jwt.SigningMethodES256, ecKey, "ec-1"), true},
		{"HS256 with the secret", mint(t, want, auth.WithIssuer("https://id.example"), auth.WithAudience("herald")), true},
		{"RS256 by a stranger", sign(jwt.SigningMethodRS256, stranger, "rsa-1"), false},
		{"ES256 naming the RSA key", sign(jwt.SigningMethodES256, ecKey, "rsa-1"), false},
		{"HS256 keyed with the RSA modulus", sign(jwt.SigningMethodHS256, rsaKey.N.Bytes(), "rsa-1"), false},
		{"HS256 without the issuer", mint(t, want, auth.WithAudience("herald")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, logs := newHandler(t, auth.Options{
				JWKSURL:    url,
				HMACSecret: testSecret,
				Issuer:     "https://id.example",
				Audience:   "herald",
			})
			resp, err := h.Handle(t.Context(), request(bearer(tt.token)))
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			if resp.IsAuthorized != tt.allow {
				t.Fatalf("IsAuthorized = %v, want %v; log: %s", resp.IsAuthorized, tt.allow, logs)
			}
			if !tt.allow {
				checkLog(t, logs, "deny", tt.token)
				return
			}
			checkLog(t, logs, "allow", tt.token)
			got, err := auth.FromContext(resp.Context)
			if err != nil {
				t.Fatal(err)
			}
			if c := withoutExpiry(t, got); !reflect.DeepEqual(c, want) {
				t.Errorf("claims = %+v, want %+v", c, want)
			}
		})
	}
}

func TestAuthorizationHeader(t *testing.T) {
	tests := []struct {
		name string
		req  awsevents.APIGatewayV2CustomAuthorizerV2Request
		want string
	}{
		{"lower case", request(map[string]string{"authorization": "Bearer a"}), "Bearer a"},
		{"mixed case", request(map[string]string{"AuThOrIzAtIoN": "Bearer b"}), "Bearer b"},
		{"header before identity source", request(map[string]string{"authorization": "Bearer c"}, "Bearer d"), "Bearer c"},
		{"identity source", request(map[string]string{"x-other": "1"}, "Bearer e"), "Bearer e"},
		{"nothing", request(nil), ""},
	}
	for _, tt := range tests {
		if got := authorization(tt.req); got != tt.want {
			t.Errorf("%s: authorization() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
