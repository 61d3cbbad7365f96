// Package apigw holds what every HTTP handler behind API Gateway shares: strict JSON
// request decoding that names the field at fault, the caller's claims from the authorizer
// context, and responses — JSON, and RFC 9457 problem+json for every error. The mapping
// from fault kinds to HTTP status codes lives here and nowhere else.
package apigw
