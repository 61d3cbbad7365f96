package apigw

import (
	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Admin returns the caller's claims if the caller has the admin role, and otherwise a
// fault Forbidden that says nothing of what the request named: administrators' routes
// check this before reading any of their input. A scoped token is limited to some
// resources, so it never acts on everyone's, whatever its roles.
func Admin(req *awsevents.APIGatewayV2HTTPRequest) (*auth.Claims, error) {
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

// AdminListing reads an administrator's listing request (GET /v1/admin/…?owner=&limit=
// &cursor=): the caller must be an administrator, owner is required, and the page follows
// PageParams with def and max.
func AdminListing(req *awsevents.APIGatewayV2HTTPRequest, def, max int) (owner string, page Page, err error) {
	if _, err := Admin(req); err != nil {
		return "", Page{}, err
	}
	q := req.QueryStringParameters
	if page, err = PageParams(q, def, max, "owner"); err != nil {
		return "", Page{}, err
	}
	owner, err = OwnerParam(q)
	return owner, page, err
}
