// Package apigwtest builds HTTP API requests as API Gateway hands them to a function,
// and checks problem+json answers, for the handler tests of every API function (as
// net/http/httptest does for net/http handlers).
package apigwtest

import (
	"encoding/json"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/auth"
)

// Request returns a payload 2.0 request for route ("/v1/consumers/{id}") as API Gateway
// sends it after the authorizer allowed claims (nil: a route without authorizer), with
// {id} filled by id when not empty, a JSON body and query parameters.
func Request(method, route, id, body string, claims *auth.Claims, query map[string]string) awsevents.APIGatewayV2HTTPRequest {
	path := strings.ReplaceAll(route, "{id}", id)
	req := awsevents.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              method + " " + route,
		RawPath:               path,
		Body:                  body,
		Headers:               map[string]string{"content-type": "application/json"},
		QueryStringParameters: query,
	}
	if id != "" {
		req.PathParameters = map[string]string{"id": id}
	}
	req.RequestContext.HTTP.Method = method
	req.RequestContext.HTTP.Path = path
	if claims != nil {
		// Through JSON, as the gateway delivers the authorizer context.
		b, _ := json.Marshal(claims.Context())
		var ctx map[string]any
		_ = json.Unmarshal(b, &ctx)
		req.RequestContext.Authorizer = &awsevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: ctx}
	}
	return req
}

// WantProblem checks that resp is a problem+json answer with status and, when field is
// not empty, that it names field.
func WantProblem(t testing.TB, resp awsevents.APIGatewayV2HTTPResponse, status int, field string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, resp.Body)
	}
	if resp.Headers["Content-Type"] != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", resp.Headers["Content-Type"])
	}
	if field == "" {
		return
	}
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Errors {
		if e.Field == field {
			return
		}
	}
	t.Errorf("problem %s does not name the field %q", resp.Body, field)
}
