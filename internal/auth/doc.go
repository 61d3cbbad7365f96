// Package auth verifies Herald's JWT bearer tokens and answers permission questions
// about the callers they name.
//
// A token is verified once, by the API Gateway authorizer (or by the Stream function,
// which has no authorizer in front of it), with a [Verifier]. The result is a [Claims]:
// the subject, the [TokenType], the roles and the permission grants. The authorizer hands
// the claims to the API handlers through the authorizer context ([Claims.Context]), and
// the handlers read them back with [FromContext]; they never see the token itself.
//
// # Algorithms
//
// Tokens are signed with HS256 and a shared secret (local stack, tests) or with RS256 or
// ES256 and keys published at a JWKS URL (production). Each algorithm is pinned to its key
// source: an HS256 token is only ever checked against the secret, and RS256/ES256 tokens
// only against JWKS keys of the matching type. Tokens with "alg": "none", any other
// algorithm, or an algorithm that does not fit the key are refused; this closes the
// algorithm confusion attacks in which a public key is used as an HMAC secret.
//
// # Claims
//
// Besides the registered claims (exp is required; nbf and iat are honoured; iss and aud
// are checked when configured), a token carries:
//
//	sub         the user or service id; required
//	token_type  "personal", "scoped" or "service"; required
//	roles       ["admin", "publisher"]; roles Herald does not know are dropped
//	perms       {"projects/p1": "READ", "projects/p2/c/x": "WRITE"}
//
// # Permissions
//
// Permission levels are ordered NONE < READ < APPEND < WRITE < ADMIN. A grant on a
// resource path covers that path and every path below it, segment by segment: a grant
// on "projects/p1" covers "projects/p1/c/x" but not "projects/p10". The admin role holds
// ADMIN everywhere. See [Claims.LevelOn].
package auth
