package auth

import (
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

func TestContextRoundTrip(t *testing.T) {
	tests := []*Claims{
		{Subject: "u1", TokenType: Personal},
		{Subject: "u2", TokenType: Scoped, Perms: map[string]Level{"projects/p1": Read, "projects/p2/c/x": Write}},
		{Subject: "svc-1", TokenType: Service, Roles: []string{RoleAdmin, RolePublisher}},
		{Subject: "jürgen@example.org", TokenType: Personal, Roles: []string{RolePublisher}, Perms: map[string]Level{"p": None}},
		{Subject: "u3", TokenType: Personal, Expires: time.Unix(1_900_000_000, 0)},
	}
	for _, c := range tests {
		m := c.Context()
		for k, v := range m {
			if _, ok := v.(string); !ok {
				t.Errorf("Context()[%q] = %T, want a string", k, v)
			}
		}
		got, err := FromContext(m)
		if err != nil {
			t.Errorf("FromContext(%v) = %v", m, err)
			continue
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("FromContext(Context()) = %+v, want %+v", got, c)
		}
	}
}

func TestContextValues(t *testing.T) {
	c := &Claims{Subject: "u1", TokenType: Service, Roles: []string{RoleAdmin, RolePublisher}, Perms: map[string]Level{"projects/p1": Read}}
	want := map[string]any{
		"sub":        "u1",
		"token_type": "service",
		"roles":      "admin,publisher",
		"perms":      `{"projects/p1":"READ"}`,
	}
	if got := c.Context(); !reflect.DeepEqual(got, want) {
		t.Errorf("Context() = %v, want %v", got, want)
	}
	c.Expires = time.Unix(1_900_000_000, 0)
	want["exp"] = "1900000000"
	if got := c.Context(); !reflect.DeepEqual(got, want) {
		t.Errorf("Context() with an expiry = %v, want %v", got, want)
	}
}

func TestFromContextRejects(t *testing.T) {
	valid := func() map[string]any {
		return map[string]any{"sub": "u1", "token_type": "personal", "roles": "", "perms": "{}"}
	}
	with := func(k string, v any) map[string]any {
		m := valid()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		m    map[string]any
	}{
		{"nil", nil},
		{"empty", map[string]any{}},
		{"no sub", with("sub", nil)},
		{"empty sub", with("sub", "")},
		{"sub not a string", with("sub", 7)},
		{"no token type", with("token_type", nil)},
		{"bad token type", with("token_type", "robot")},
		{"roles not a string", with("roles", []any{"admin"})},
		{"perms not JSON", with("perms", "{")},
		{"perms not an object", with("perms", `["projects/p1"]`)},
		{"perms bad level", with("perms", `{"projects/p1":"OWNER"}`)},
		{"perms bad path", with("perms", `{"projects/../p1":"READ"}`)},
		{"perms not a string", with("perms", map[string]any{"projects/p1": "READ"})},
		{"exp not a number", with("exp", "soon")},
		{"exp a fraction", with("exp", "1900000000.5")},
		{"exp not positive", with("exp", "0")},
		{"exp not a string", with("exp", 1900000000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := FromContext(tt.m)
			if !fault.Is(err, fault.Unauthorized) {
				t.Errorf("FromContext(%v) = %+v, %v; want an Unauthorized error", tt.m, c, err)
			}
		})
	}
}

func TestFromContextLenient(t *testing.T) {
	// Roles and perms may be absent, and unknown roles are dropped, as in Verify.
	c, err := FromContext(map[string]any{"sub": "u1", "token_type": "scoped", "roles": "auditor,publisher"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Claims{Subject: "u1", TokenType: Scoped, Roles: []string{RolePublisher}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("FromContext = %+v, want %+v", c, want)
	}
}
