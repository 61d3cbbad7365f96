package auth

import (
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// BearerToken returns the token from an Authorization header value of the form
// "Bearer <token>" (RFC 6750). The scheme is matched without regard to case, as
// RFC 9110 requires, and surrounding blanks are ignored. Anything else is a
// fault.Unauthorized error, which never repeats the header.
func BearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", fault.New(fault.Unauthorized, "the Authorization header is missing")
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", fault.New(fault.Unauthorized, `the Authorization header must be "Bearer <token>"`)
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", fault.New(fault.Unauthorized, `the Authorization header must be "Bearer <token>"`)
	}
	return token, nil
}
