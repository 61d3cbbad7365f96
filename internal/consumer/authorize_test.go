package consumer

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

func TestAuthorize(t *testing.T) {
	reader := &auth.Claims{Subject: "u1", TokenType: auth.Personal, Perms: map[string]auth.Level{
		"projects/p1":     auth.Read,
		"projects/p2/c/x": auth.Write,
	}}
	scoped := &auth.Claims{Subject: "u1", TokenType: auth.Scoped, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
	service := &auth.Claims{Subject: "u1", TokenType: auth.Service, Roles: []string{auth.RolePublisher},
		Perms: map[string]auth.Level{"projects/p1": auth.Admin}}
	other := &auth.Claims{Subject: "u2", TokenType: auth.Personal}
	admin := &auth.Claims{Subject: "a1", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}
	serviceAdmin := &auth.Claims{Subject: "svc", TokenType: auth.Service, Roles: []string{auth.RoleAdmin}}

	tests := []struct {
		name   string
		target Target
		c      *auth.Claims
		kind   fault.Kind // 0 (Other) means allowed
		names  string     // a part of the error message
	}{
		{"READ on the path", resources(exact("projects/p1")), reader, 0, ""},
		{"READ inherited from a parent", resources(sub("projects/p1/c/x"), exact("projects/p1/c")), reader, 0, ""},
		{"a higher level is enough", resources(sub("projects/p2/c/x/o")), reader, 0, ""},
		{"first path without READ named", resources(exact("projects/p1"), sub("projects/p10"), exact("projects/p3")), reader, fault.Forbidden, `"projects/p10"`},
		{"a grant below is not one above", resources(exact("projects/p2/c")), reader, fault.Forbidden, `"projects/p2/c"`},
		{"scoped token with READ", resources(exact("projects/p1")), scoped, 0, ""},
		{"service token with a grant", resources(sub("projects/p1")), service, 0, ""},
		{"admin reads every resource", resources(sub("projects/p9")), admin, 0, ""},

		{"own user", Target{User: "u1"}, reader, 0, ""},
		{"someone else", Target{User: "u1"}, other, fault.Forbidden, "that user only"},
		{"own user with a scoped token", Target{User: "u1"}, scoped, fault.Forbidden, "personal token"},
		{"a service named like the user", Target{User: "u1"}, service, fault.Forbidden, "personal token"},
		{"admin for any user", Target{User: "u1"}, admin, 0, ""},

		{"announcements, personal", Target{Announcements: true}, other, 0, ""},
		{"announcements, scoped", Target{Announcements: true}, scoped, 0, ""},
		{"announcements, service", Target{Announcements: true}, service, fault.Forbidden, "personal or scoped"},
		{"announcements, service admin", Target{Announcements: true}, serviceAdmin, 0, ""},

		{"all, admin", Target{All: true}, admin, 0, ""},
		{"all, service admin", Target{All: true}, serviceAdmin, 0, ""},
		{"all, reader", Target{All: true}, reader, fault.Forbidden, "admin role"},
		{"all, publisher", Target{All: true}, service, fault.Forbidden, "admin role"},

		{"no caller", Target{All: true}, nil, fault.Unauthorized, ""},
		{"no target", Target{}, admin, fault.Invalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Spec{Target: tt.target}).Authorize(tt.c)
			if tt.kind == 0 {
				if err != nil {
					t.Fatalf("Authorize() = %v, want nil", err)
				}
				return
			}
			if !fault.Is(err, tt.kind) {
				t.Fatalf("Authorize() = %v, want a %v fault", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Errorf("Authorize() = %q, want it to say %q", err, tt.names)
			}
		})
	}
}
