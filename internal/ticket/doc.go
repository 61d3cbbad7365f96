// Package ticket issues and redeems stream tickets: short-lived, single-use credentials
// that open one live stream (server-sent events) in place of a bearer token. A browser's
// EventSource cannot send an Authorization header, so a page asks the API for a ticket
// with its token (POST /v1/consumers/{id}/stream-ticket, POST
// /v1/me/notifications/stream-ticket) and opens the stream's URL with ?ticket=….
//
// # What a ticket holds
//
// A ticket is
//
//	t1.<key id>.<payload>.<mac>
//
// where the payload is base64url JSON and the mac is
//
//	base64url(HMAC-SHA256(ticket key[key id], "t1." + key id + "." + payload))
//
// The payload names the ticket (a random id), the stream's path (which names the
// consumer), its expiry (at most [MaxTTL] after issue, and never after the token's), and
// what the stream needs of the caller's token to check permissions again and to end
// when the token would have: its sub, token_type, roles, perms and exp. Nothing in it is
// secret; the mac makes it unforgeable. The perms are only those bearing on what the
// ticket opens (see [Narrow]), so a ticket seen in a URL tells little.
//
// # Keys
//
// The ticket keys are derived from the reply keyring ([reply.Keyring.Derive], purpose
// [Purpose]) under the same key ids: one secret to manage and rotate, while a ticket's
// mac never verifies as a reply signature, nor a reply's as a ticket. The first key
// signs; every key verifies, so tickets survive a rotation. Macs are compared in
// constant time, and a refusal never says which part was wrong.
//
// # Single use
//
// A stream redeems a ticket by recording its id in the streams table with a write that
// succeeds only if the id is not there yet ([Ledger]); the record lapses (TTL) after the
// ticket has. A ticket presented twice, after its expiry, with a forged or altered mac,
// or on another stream's path is refused as fault.Unauthorized (401).
//
// [Authenticate] is what a stream calls: the ticket of ?ticket= when there is one, else
// the bearer token of the Authorization header. A ticket never appears in a log line or
// an error.
package ticket
