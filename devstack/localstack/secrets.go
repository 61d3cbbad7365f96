package localstack

import "time"

// DevSecret is the HS256 secret of the local stack when HERALD_JWT_SECRET is not set. It
// is printed in the banner: local tokens are for development only.
const DevSecret = "herald-local-development-secret-do-not-deploy"

// DevReplyKeys is the keyring that signs acknowledgement replies in the local stack (the
// template's ReplyKeys parameter): fixed, so that replies stay valid across restarts.
// The secret is "herald-local-reply-key-dev-only!" in base64; development only.
const DevReplyKeys = "dev:aGVyYWxkLWxvY2FsLXJlcGx5LWtleS1kZXYtb25seSE="

// TokenTTL is how long the banner's dev tokens stay valid.
const TokenTTL = 24 * time.Hour
