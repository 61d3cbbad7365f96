package apigw

import (
	"github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/shared/auth"
	"github.com/heraldhq/herald/shared/fault"
)

// Admin returns the caller's claims if the caller has the admin role, and otherwise a
// fault Forbidden that says nothing of what the request named: administrators' routes
// check this before reading any of their input. A scoped token is limited to some
// resources, so it never acts on everyone's, whatever its roles.
func Admin(req *events.APIGatewayV2HTTPRequest) (*auth.Claims, error) {
	claims, err := Claims(req)
	if err != nil {
		return nil, err
	}
	if !claims.IsAdmin() || claims.TokenType == auth.Scoped {
		return nil, fault.New(fault.Forbidden, "this route is for administrators")
	}
	return claims, nil
}

// OwnerParam reads the required query parameter owner, a user id.
func OwnerParam(q map[string]string) (string, error) {
	owner, ok := q["owner"]
	switch {
	case !ok || owner == "":
		return "", fault.Field("owner", "is required")
	case !auth.ValidSubject(owner):
		return "", fault.Field("owner", "is not a user id")
	}
	return owner, nil
}
