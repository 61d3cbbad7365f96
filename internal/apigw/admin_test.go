package apigw_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

func TestAdmin(t *testing.T) {
	tests := []struct {
		name   string
		claims *auth.Claims
		want   fault.Kind // Other: allowed
	}{
		{"no claims", nil, fault.Unauthorized},
		{"a user", &auth.Claims{Subject: "u1", TokenType: auth.Personal}, fault.Forbidden},
		{"ADMIN on every project, without the role", &auth.Claims{Subject: "u1", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects": auth.Admin}}, fault.Forbidden},
		{"a publisher", &auth.Claims{Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}, fault.Forbidden},
		{"the admin role, scoped token", &auth.Claims{Subject: "u1", TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}}, fault.Forbidden},
		{"the admin role, personal token", &auth.Claims{Subject: "u1", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}, fault.Other},
		{"the admin role, service token", &auth.Claims{Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RoleAdmin}}, fault.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := apigwtest.Request("GET", "GET /v1/admin/triggers", "", "", tt.claims, nil)
			c, err := apigw.Admin(&req)
			if tt.want == fault.Other {
				if err != nil || c.Subject != tt.claims.Subject {
					t.Fatalf("Admin = %v, %v; want the claims", c, err)
				}
				return
			}
			if !fault.Is(err, tt.want) || c != nil {
				t.Fatalf("Admin = %v, %v; want %v", c, err, tt.want)
			}
		})
	}
}

func TestOwnerParam(t *testing.T) {
	tests := []struct {
		name  string
		query map[string]string
		ok    bool
	}{
		{"a user id", map[string]string{"owner": "alice@example.org"}, true},
		{"missing", map[string]string{}, false},
		{"empty", map[string]string{"owner": ""}, false},
		{"a control character", map[string]string{"owner": "a\x00b"}, false},
		{"invalid UTF-8", map[string]string{"owner": "a\xffb"}, false},
		{"too long", map[string]string{"owner": strings.Repeat("a", 257)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner, err := apigw.OwnerParam(tt.query)
			if tt.ok {
				if err != nil || owner != tt.query["owner"] {
					t.Fatalf("OwnerParam = %q, %v", owner, err)
				}
				return
			}
			var fe *fault.Error
			if !fault.Is(err, fault.Invalid) || !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != "owner" {
				t.Fatalf("OwnerParam = %q, %v; want a fault naming owner", owner, err)
			}
		})
	}
}
