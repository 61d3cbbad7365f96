// Command authorizer is the Lambda authorizer of Herald's HTTP API. It verifies the
// bearer token on each request and hands the caller's claims to the API functions.
//
// Configuration comes from the environment: HERALD_JWT_SECRET (HS256), HERALD_JWKS_URL
// (RS256/ES256), HERALD_JWT_ISSUER and HERALD_JWT_AUDIENCE; see auth.OptionsFromEnv.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/heraldhq/herald/internal/auth"
)

func main() {
	slog.SetDefault(lambdacontext.NewLogger())

	// Built once per cold start, so the JWKS is fetched once and then cached.
	v, err := auth.NewVerifier(context.Background(), auth.OptionsFromEnv())
	if err != nil {
		slog.Error("authorizer: cannot start", "error", err)
		os.Exit(1)
	}
	handler := &Handler{Verifier: v}
	lambda.Start(handler.Handle)
}
