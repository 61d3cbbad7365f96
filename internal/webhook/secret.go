package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// SecretPrefix starts every signing secret in its written form, so that a secret is
// recognisable in configuration and to secret scanners.
const SecretPrefix = "whsec_"

// The key sizes that Standard Webhooks recommends. Shorter keys would make the key,
// not SHA-256, the weak point; longer ones are hashed down by HMAC anyway.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// newSecretBytes is the key size of the secrets NewSecret makes: the output size of
// SHA-256.
const newSecretBytes = 32

// NewSecret returns a new signing secret of 32 random bytes in its written form,
// "whsec_" + base64.
func NewSecret() (string, error) {
	b := make([]byte, newSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fault.Wrap(fault.Other, err, "webhook: no randomness for a new secret")
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseSecret returns the key bytes of a secret written as "whsec_" + standard base64,
// of MinSecretBytes to MaxSecretBytes. Errors never quote the secret, nor say where it
// is malformed.
func ParseSecret(s string) ([]byte, error) {
	enc, ok := strings.CutPrefix(strings.TrimSpace(s), SecretPrefix)
	if !ok {
		return nil, fault.Field("secret", `a webhook secret must start with "`+SecretPrefix+`"`)
	}
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fault.Field("secret", `a webhook secret must be "`+SecretPrefix+`" followed by standard base64`)
	}
	if len(b) < MinSecretBytes || len(b) > MaxSecretBytes {
		return nil, fault.Field("secret", fmt.Sprintf("a webhook secret must hold %d to %d bytes", MinSecretBytes, MaxSecretBytes))
	}
	return b, nil
}
