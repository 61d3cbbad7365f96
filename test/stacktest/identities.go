package stacktest

import (
	"testing"

	"github.com/heraldhq/herald/internal/auth"
)

// Identities of the suites. The owner owns the world's resources; the others aim at them.
const (
	OwnerSub     = "suite-owner"
	IntruderSub  = "suite-intruder"
	PublisherSub = "suite-publisher"
	ScopePath    = "projects/suite"
	// AdminSub is the administrator of the admin routes' cases.
	AdminSub = "suite-admin"
)

// AdminToken returns a personal token with the admin role.
func AdminToken(t testing.TB) string {
	t.Helper()
	return MintToken(t, auth.Claims{Subject: AdminSub, TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}})
}
