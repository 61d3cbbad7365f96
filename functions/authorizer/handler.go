package main

import (
	"context"
	"log/slog"
	"strings"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/fault"
)

// Handler answers API Gateway HTTP API authorizer requests (payload format 2.0 with
// simple responses): it verifies the request's bearer token and, if it is good, passes
// the caller's claims to the route's function as the authorizer context.
type Handler struct {
	Verifier *auth.Verifier
	Logger   *slog.Logger // nil means slog.Default()
}

// Handle decides one request. It never returns an error: API Gateway answers 500 to an
// authorizer error, while a refusal (IsAuthorized false) is the 403 the caller should
// see, and the decision is logged either way.
func (h *Handler) Handle(ctx context.Context, req awsevents.APIGatewayV2CustomAuthorizerV2Request) (awsevents.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	log := h.logger().With(
		"route", req.RouteKey,
		"api_request_id", req.RequestContext.RequestID,
		"source_ip", req.RequestContext.HTTP.SourceIP,
	)
	claims, err := h.verify(ctx, req)
	if err != nil {
		// Token problems are the everyday case; anything else (the JWKS endpoint
		// down, say) needs someone to look.
		level := slog.LevelInfo
		if !fault.Is(err, fault.Unauthorized) {
			level = slog.LevelError
		}
		log.Log(ctx, level, "authorizer decision", "decision", "deny", "reason", err.Error())
		return awsevents.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: false}, nil
	}
	log.InfoContext(ctx, "authorizer decision", "decision", "allow",
		"sub", claims.Subject, "token_type", string(claims.TokenType))
	return awsevents.APIGatewayV2CustomAuthorizerSimpleResponse{
		IsAuthorized: true,
		Context:      claims.Context(),
	}, nil
}

func (h *Handler) verify(ctx context.Context, req awsevents.APIGatewayV2CustomAuthorizerV2Request) (*auth.Claims, error) {
	token, err := auth.BearerToken(authorization(req))
	if err != nil {
		return nil, err
	}
	return h.Verifier.Verify(ctx, token)
}

// authorization returns the Authorization header. Payload 2.0 delivers header names in
// lower case, but a local gateway or a test event may not, so the name is matched
// without regard to case. The identity source, which the template sets to the same
// header, is the fallback.
func authorization(req awsevents.APIGatewayV2CustomAuthorizerV2Request) string {
	if v, ok := req.Headers["authorization"]; ok && v != "" {
		return v
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, "authorization") && v != "" {
			return v
		}
	}
	if len(req.IdentitySource) > 0 {
		return req.IdentitySource[0]
	}
	return ""
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}
