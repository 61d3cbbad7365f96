package ticket

import (
	"context"

	"github.com/heraldhq/herald/internal/apigw"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Redeemer turns a ticket into the claims it carries, once.
type Redeemer struct {
	Keys   *Keys
	Ledger *Ledger
}

// Redeem verifies the ticket s for the stream at path and spends it, returning the
// caller's claims as the ticket carries them (Expires is the token's exp). Every refusal
// is fault.Unauthorized, but for a ledger that cannot be written (fault.Unavailable).
func (r *Redeemer) Redeem(ctx context.Context, s, path string) (*auth.Claims, error) {
	t, err := r.Keys.Verify(s, path)
	if err != nil {
		return nil, err
	}
	if err := r.Ledger.Spend(ctx, t); err != nil {
		return nil, err
	}
	return &t.Claims, nil
}

// Authenticate returns the caller of a stream request at path (a Function URL's
// headers and query): the claims of the ticket in the query's ticket parameter, redeemed
// through r, or else those of the Authorization header's bearer token, verified by v. A
// request with both is refused, as is a ticket where r is nil. Every refusal is
// fault.Unauthorized (fault.Unavailable when the ledger cannot be written), and none
// quotes the ticket or the token.
func Authenticate(ctx context.Context, v *auth.Verifier, r *Redeemer, headers, query map[string]string, path string) (*auth.Claims, error) {
	header := apigw.Header(headers, "authorization")
	s, hasTicket := query[QueryParam]
	switch {
	case hasTicket && header != "":
		return nil, fault.New(fault.Unauthorized, "send a ticket or an Authorization header, not both")
	case hasTicket && r == nil:
		return nil, fault.New(fault.Unauthorized, "this stream takes no tickets")
	case hasTicket:
		return r.Redeem(ctx, s, path)
	}
	token, err := auth.BearerToken(header)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, token)
}

// AuthenticateInbox returns the caller of a request for the inbox stream
// (InboxStreamPath), as Authenticate does, who must hold a personal token: an inbox
// belongs to a person (fault.Forbidden otherwise).
func AuthenticateInbox(ctx context.Context, v *auth.Verifier, r *Redeemer, headers, query map[string]string) (*auth.Claims, error) {
	c, err := Authenticate(ctx, v, r, headers, query, InboxStreamPath)
	if err != nil {
		return nil, err
	}
	if c.TokenType != auth.Personal {
		return nil, fault.New(fault.Forbidden, "personal notifications need a personal token")
	}
	return c, nil
}
