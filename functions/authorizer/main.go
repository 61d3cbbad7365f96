// Command authorizer is the Lambda authorizer of Herald's HTTP API. It verifies the
// bearer token on each request and hands the caller's claims to the API functions.
//
// Configuration comes from the environment: HERALD_JWT_SECRET (HS256), HERALD_JWKS_URL
// (RS256/ES256), HERALD_JWT_ISSUER and HERALD_JWT_AUDIENCE; see auth.OptionsFromEnv.
package main

import (
	"context"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/lambdamain"
)

func main() {
	lambdamain.Run(coldStart, func(h *Handler) lambdamain.Function {
		return lambdamain.Function{Handler: h.Handle}
	})
}

// coldStart builds the verifier, once per cold start, so the JWKS is fetched once and
// then cached.
func coldStart(ctx context.Context) (*Handler, error) {
	v, err := auth.NewVerifier(ctx, auth.OptionsFromEnv())
	if err != nil {
		return nil, err
	}
	return &Handler{Verifier: v}, nil
}
