// Package gateway is the local stand-in for API Gateway's HTTP API and for Lambda
// Function URLs. It reads the routes, the Lambda authorizer and the Function URLs from
// template.yaml and serves them over net/http, invoking the real functions with the
// payloads AWS sends (HTTP API payload format 2.0, authorizer payload 2.0 with simple
// responses, Function URL requests) and answering as AWS answers:
//
//   - a route's function response is decoded as payload 2.0 does (a structured response,
//     or any other JSON value as a 200 body);
//   - an authorizer that denies gives 403 {"message":"Forbidden"}, a missing identity
//     header gives 401 {"message":"Unauthorized"}, and a function error gives 500
//     {"message":"Internal Server Error"}, as API Gateway does (these are the gateway's own
//     answers, which an HTTP API cannot reshape);
//   - a path that no route knows is 404, and a known path with another method is 405, as
//     problem+json with an Allow header;
//   - a streaming Function URL response (InvokeMode RESPONSE_STREAM) is written to the
//     client as the function produces it.
//
// A function with a Function URL is served locally at the paths its template Metadata
// names (LocalUrl: one {Method, Path} or a list of them), since in AWS it has a URL of
// its own, which takes every path.
package gateway
