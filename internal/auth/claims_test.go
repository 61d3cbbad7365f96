package auth

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

func TestLevelOn(t *testing.T) {
	user := &Claims{
		Subject:   "u1",
		TokenType: Personal,
		Perms: map[string]Level{
			"projects/p1":      Read,
			"projects/p1/c/x":  Write,
			"projects/p2/c":    Append,
			"projects/p3":      None,
			"projects/p4/c/y":  Admin,
			"projects/p4/c/y2": Read,
		},
	}
	admin := &Claims{Subject: "a1", TokenType: Personal, Roles: []string{RoleAdmin}}
	tests := []struct {
		name string
		c    *Claims
		path string
		want Level
	}{
		{"exact grant", user, "projects/p1", Read},
		{"inherited from parent", user, "projects/p1/c/z", Read},
		{"deeper grant wins", user, "projects/p1/c/x", Write},
		{"below the deeper grant", user, "projects/p1/c/x/o/1", Write},
		{"segment-wise, not by prefix", user, "projects/p10", None},
		{"segment-wise below", user, "projects/p10/c/x", None},
		{"sibling of a deep grant", user, "projects/p4/c/y3", None},
		{"parent of a grant", user, "projects/p2", None},
		{"grant of NONE", user, "projects/p3/c", None},
		{"unrelated", user, "users/u1", None},
		{"root", user, "projects", None},
		{"malformed path", user, "projects/p1/", None},
		{"dot segments do not climb", user, "projects/p1/../p4/c/y", None},
		{"empty path", user, "", None},
		{"admin anywhere", admin, "projects/p99/c/1", Admin},
		{"no claims", nil, "projects/p1", None},
		{"no perms", &Claims{Subject: "u2", TokenType: Scoped}, "projects/p1", None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.LevelOn(tt.path); got != tt.want {
				t.Errorf("LevelOn(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func TestCanAndRequire(t *testing.T) {
	c := &Claims{Subject: "u1", TokenType: Personal, Perms: map[string]Level{"projects/p1": Append}}
	tests := []struct {
		path string
		l    Level
		want bool
	}{
		{"projects/p1", None, true},
		{"projects/p1", Read, true},
		{"projects/p1/c", Append, true},
		{"projects/p1", Write, false},
		{"projects/p1", Admin, false},
		{"projects/p2", Read, false},
		{"projects/p2", None, true},
	}
	for _, tt := range tests {
		if got := c.Can(tt.path, tt.l); got != tt.want {
			t.Errorf("Can(%q, %v) = %v, want %v", tt.path, tt.l, got, tt.want)
		}
		err := c.Require(tt.path, tt.l)
		if tt.want {
			if err != nil {
				t.Errorf("Require(%q, %v) = %v, want nil", tt.path, tt.l, err)
			}
			continue
		}
		if !fault.Is(err, fault.Forbidden) {
			t.Errorf("Require(%q, %v) = %v, want a Forbidden error", tt.path, tt.l, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.path) || !strings.Contains(msg, tt.l.String()) {
			t.Errorf("Require(%q, %v) = %q, want the path and level named", tt.path, tt.l, msg)
		}
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		name          string
		c             *Claims
		admin, pubber bool
	}{
		{"personal, no roles", &Claims{TokenType: Personal}, false, false},
		{"personal admin", &Claims{TokenType: Personal, Roles: []string{RoleAdmin}}, true, false},
		{"personal publisher", &Claims{TokenType: Personal, Roles: []string{RolePublisher}}, false, false},
		{"scoped publisher", &Claims{TokenType: Scoped, Roles: []string{RolePublisher}}, false, false},
		{"service, no roles", &Claims{TokenType: Service}, false, false},
		{"service publisher", &Claims{TokenType: Service, Roles: []string{RolePublisher}}, false, true},
		{"service admin", &Claims{TokenType: Service, Roles: []string{RoleAdmin}}, true, true},
		{"nil", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.IsAdmin(); got != tt.admin {
				t.Errorf("IsAdmin() = %v, want %v", got, tt.admin)
			}
			if got := tt.c.IsPublisher(); got != tt.pubber {
				t.Errorf("IsPublisher() = %v, want %v", got, tt.pubber)
			}
		})
	}
	c := &Claims{Roles: []string{RolePublisher}}
	if !c.HasRole(RolePublisher) || c.HasRole(RoleAdmin) {
		t.Errorf("HasRole on %v is wrong", c.Roles)
	}
}

func TestKnownRoles(t *testing.T) {
	got := knownRoles([]string{"auditor", RolePublisher, "", RoleAdmin, RolePublisher})
	if strings.Join(got, ",") != "admin,publisher" {
		t.Errorf("knownRoles = %q, want [admin publisher]", got)
	}
	if got := knownRoles([]string{"auditor"}); got != nil {
		t.Errorf("knownRoles(unknown) = %q, want nil", got)
	}
}

func TestValidateClaims(t *testing.T) {
	tests := []struct {
		name string
		c    Claims
		ok   bool
	}{
		{"minimal", Claims{Subject: "u1", TokenType: Personal}, true},
		{"with perms", Claims{Subject: "svc", TokenType: Service, Perms: map[string]Level{"projects/p1": Write}}, true},
		{"unicode subject", Claims{Subject: "jürgen@example.org", TokenType: Personal}, true},
		{"no subject", Claims{TokenType: Personal}, false},
		{"control character in subject", Claims{Subject: "u1\n", TokenType: Personal}, false},
		{"subject too long", Claims{Subject: strings.Repeat("u", maxSubjectLen+1), TokenType: Personal}, false},
		{"no token type", Claims{Subject: "u1"}, false},
		{"unknown token type", Claims{Subject: "u1", TokenType: "robot"}, false},
		{"bad path", Claims{Subject: "u1", TokenType: Personal, Perms: map[string]Level{"projects/": Read}}, false},
		{"bad level", Claims{Subject: "u1", TokenType: Personal, Perms: map[string]Level{"projects/p1": 42}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.validate(fault.Unauthorized)
			if tt.ok != (err == nil) {
				t.Fatalf("validate() = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !fault.Is(err, fault.Unauthorized) {
				t.Errorf("validate() kind = %v, want Unauthorized", fault.KindOf(err))
			}
		})
	}
}
