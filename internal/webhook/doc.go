// Package webhook delivers events to subscribers' HTTP endpoints: it signs each request
// the Standard Webhooks way, sends it through an HTTP client that refuses to reach
// internal networks, and reports what the endpoint answered.
//
// # Signatures
//
// Every request carries the Standard Webhooks (https://www.standardwebhooks.com, v1)
// headers
//
//	webhook-id: 01JD3N4V5W6X7Y8Z9ABCDEFGHJ
//	webhook-timestamp: 1763834400
//	webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=
//
// where the signature is base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body))
// in the standard alphabet. The id is the delivery's and stays the same on every retry,
// so receivers can use it to drop duplicates; the timestamp is the attempt's, so that a
// receiver's replay window (see [Verify]) applies to each attempt. Secrets are written
// "whsec_" + base64 ([NewSecret], [ParseSecret]). While a secret is being rotated,
// [Sign] signs with the new and the old one and the header holds one "v1,…" entry for
// each, separated by spaces; a receiver accepts the request if any entry verifies.
//
// # Reaching only public endpoints
//
// Subscribers choose the URLs, so a URL must not become a way into Herald's own network
// (server-side request forgery). The client of [NewClient] checks the IP address of
// every connection it opens, after name resolution, at the moment it dials, and refuses
// loopback, private, link-local (which holds the cloud metadata service), shared
// (CGNAT), unique-local, multicast and reserved ranges, and IPv6 forms that embed such
// an IPv4 address. Checking the address being dialled, rather than the host name up
// front, also defeats DNS rebinding: there is no earlier lookup that a name could
// answer with a public address before answering the dial's lookup with 10.0.0.1. A
// refusal is a [*RefusedError] that names the range and why it is blocked.
//
// Ranges can be exempted with an allow-list ([ClientOptions.Allow]), read from
// HERALD_ALLOW_NETWORKS by [AllowNetworksFromEnv]; the local stack sets it to
// 127.0.0.0/8 so that webhooks reach receivers on the developer's machine.
//
// The client follows no redirects (a 3xx is the answer; following one would reach a
// URL that nobody checked was a subscriber's) and uses no proxy from the environment,
// since a proxy would dial on the client's behalf where the check cannot see.
//
// # Sending
//
// [Send] makes one attempt at one delivery and returns a [Result]: the status, how long
// it took, any Retry-After, the start of the response body, and the error if there was
// no response. Retrying, backing off and giving up are the caller's decisions. The body
// goes either as is ([FormatNative]) or as a CloudEvents 1.0 event in HTTP binary mode
// ([FormatCloudEvents]): the event attributes travel in ce-* headers and the body is
// the event's data.
package webhook
