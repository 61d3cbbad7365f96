// Package apigw holds what every HTTP handler behind API Gateway shares: routing, strict
// JSON request decoding that names the field at fault, the caller's claims from the
// authorizer context, and responses — JSON, and RFC 9457 problem+json for every error.
//
// Each API function declares its routes once, as a Routes table in its handler package
// keyed by API Gateway's route keys ("GET /v1/triggers/{id}", as template.yaml names
// them) and built into a Router when the package loads; its Handler.Handle only calls
// Router.Handle. A route returns a Response (Reply, ReplyItems, ReplyNoContent) or an
// error, and Respond, the one place that does, turns that into API Gateway's response:
// the value as JSON, the error as a problem. An unknown route is a NotFound problem; a
// declared path with another method is a MethodNotAllowed problem with an Allow header.
//
// The mapping from fault kinds to HTTP status codes (Status) and to problem type URNs
// (ProblemType, the Problem… constants) lives here and nowhere else.
package apigw
