package reply

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
)

// derivePrefix starts every purpose a key is derived for. A reply MAC is keyed with the
// secret itself, so no derived key is ever a reply key, whatever the purpose.
const derivePrefix = "herald derived key\x00"

// Derive returns a key for another purpose than signing replies from each key of the
// ring, in the ring's order and under the same ids: HMAC-SHA256(secret, prefix +
// purpose). Distinct purposes give unrelated keys, and none of them is the reply key,
// so a MAC made for one purpose never verifies for another nor as a reply, and the
// derived keys rotate with the ring. The derived secrets are as secret as the ring's.
func (k *Keyring) Derive(purpose string) ([]Key, error) {
	if purpose == "" {
		return nil, errors.New("reply: a derived key needs a purpose")
	}
	out := make([]Key, len(k.keys))
	for i, key := range k.keys {
		m := hmac.New(sha256.New, key.Secret)
		m.Write([]byte(derivePrefix + purpose))
		out[i] = Key{ID: key.ID, Secret: m.Sum(nil)}
	}
	return out, nil
}
