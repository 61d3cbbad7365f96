package stacktest

import (
	"testing"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
)

// MintToken returns a token for c, signed with the secret [Start]'s stacks use.
func MintToken(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Mint([]byte(localstack.DevSecret), c, localstack.TokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
