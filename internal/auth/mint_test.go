package auth

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/heraldhq/herald/internal/fault"
)

func TestMintRejects(t *testing.T) {
	ok := Claims{Subject: "u1", TokenType: Personal}
	tests := []struct {
		name   string
		secret []byte
		c      Claims
		ttl    time.Duration
	}{
		{"no secret", nil, ok, time.Hour},
		{"short secret", []byte("too-short"), ok, time.Hour},
		{"zero ttl", testSecret, ok, 0},
		{"negative ttl", testSecret, ok, -time.Hour},
		{"no subject", testSecret, Claims{TokenType: Personal}, time.Hour},
		{"bad token type", testSecret, Claims{Subject: "u1", TokenType: "robot"}, time.Hour},
		{"bad path", testSecret, Claims{Subject: "u1", TokenType: Personal, Perms: map[string]Level{"/p": Read}}, time.Hour},
		{"bad level", testSecret, Claims{Subject: "u1", TokenType: Personal, Perms: map[string]Level{"p": -1}}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Mint(tt.secret, tt.c, tt.ttl)
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("Mint = %q, %v; want an Invalid error", tok, err)
			}
		})
	}
}

func TestMintPayload(t *testing.T) {
	iat := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Claims{
		Subject:   "svc",
		TokenType: Service,
		Roles:     []string{RolePublisher, "auditor"},
		Perms:     map[string]Level{"projects/p1": Write},
	}
	tok, err := Mint(testSecret, c, time.Hour, WithIssuer("https://id.example"), WithAudience("herald"), WithIssuedAt(iat))
	if err != nil {
		t.Fatal(err)
	}
	var m jwt.MapClaims
	tk, _, err := jwt.NewParser().ParseUnverified(tok, &m)
	if err != nil {
		t.Fatal(err)
	}
	if alg := tk.Header["alg"]; alg != "HS256" {
		t.Errorf("alg = %v, want HS256", alg)
	}
	want := jwt.MapClaims{
		"sub":        "svc",
		"token_type": "service",
		"roles":      []any{"publisher", "auditor"},
		"perms":      map[string]any{"projects/p1": "WRITE"},
		"iss":        "https://id.example",
		"aud":        []any{"herald"},
		"iat":        float64(iat.Unix()),
		"nbf":        float64(iat.Unix()),
		"exp":        float64(iat.Add(time.Hour).Unix()),
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("payload = %v, want %v", m, want)
	}
}

func TestMintVerifyRoundTrip(t *testing.T) {
	v := newTestVerifier(t, Options{HMACSecret: testSecret, Issuer: "https://id.example", Audience: "herald"})
	c := Claims{
		Subject:   "u1",
		TokenType: Personal,
		Roles:     []string{RoleAdmin},
		Perms:     map[string]Level{"projects/p1": Read, "projects/p2": Admin},
	}
	// Dated on a whole second, as NumericDate is, so that exp comes back exactly.
	issued := time.Now().Truncate(time.Second)
	tok, err := Mint(testSecret, c, time.Minute, WithIssuer("https://id.example"), WithAudience("other", "herald"), WithIssuedAt(issued))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("Mint = %q, want a compact JWS", tok)
	}
	got, err := v.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.Expires = issued.Add(time.Minute)
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Verify(Mint(c)) = %+v, want %+v", *got, want)
	}
}
