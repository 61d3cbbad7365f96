package reply

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
)

// MinSecretBytes is the shortest secret a Keyring accepts: the output size of SHA-256,
// below which the key, not the hash, would be the weak point of HMAC-SHA256.
const MinSecretBytes = 32

// maxKeyIDBytes bounds a key id; ids travel in every reply.
const maxKeyIDBytes = 32

// Key is one named secret.
type Key struct {
	ID     string // 1 to 32 of A-Z a-z 0-9 _ -
	Secret []byte // at least MinSecretBytes
}

// String returns the key's id and hides the secret, so that a Key printed in a log or
// an error by mistake does not disclose it.
func (k Key) String() string { return k.ID + ":[redacted]" }

// GoString is String for the %#v verb.
func (k Key) GoString() string { return k.String() }

// Format writes String for every verb, so that no verb (%d, %x on the struct) prints
// the secret's bytes.
func (k Key) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// Keyring holds the secrets that sign and verify replies. Several are live at once so
// that keys can be rotated without refusing replies already handed out: the first key
// signs, and every key verifies the replies that name it.
//
// A Keyring is made by NewKeyring or ParseKeyring and is never changed afterwards, so
// it is safe for concurrent use.
type Keyring struct {
	keys []Key          // in order; keys[0] signs
	byID map[string]int // index into keys
	macs []sync.Pool    // per key, keyed HMAC-SHA256 states ready for Reset and reuse
}

// NewKeyring returns a keyring of the given keys; the first signs. It needs at least
// one key, valid and unique ids, and secrets of at least MinSecretBytes. The secrets
// are copied, so the caller may wipe its own. Errors name keys by position or id and
// never hold secret material.
func NewKeyring(keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("reply: a keyring needs at least one key")
	}
	k := &Keyring{keys: make([]Key, len(keys)), byID: make(map[string]int, len(keys)), macs: make([]sync.Pool, len(keys))}
	for i, key := range keys {
		if !validKeyID(key.ID) {
			// The id is not quoted: a malformed entry may be a secret pasted in the
			// wrong place.
			return nil, fmt.Errorf("reply: key %d: the id must be 1 to %d of A-Z a-z 0-9 _ -", i+1, maxKeyIDBytes)
		}
		if len(key.Secret) < MinSecretBytes {
			return nil, fmt.Errorf("reply: key %q: the secret must be at least %d bytes, not %d", key.ID, MinSecretBytes, len(key.Secret))
		}
		if _, dup := k.byID[key.ID]; dup {
			return nil, fmt.Errorf("reply: key %q appears more than once", key.ID)
		}
		k.byID[key.ID] = i
		secret := append([]byte(nil), key.Secret...)
		k.keys[i] = Key{ID: key.ID, Secret: secret}
		k.macs[i].New = func() any { return hmac.New(sha256.New, secret) }
	}
	return k, nil
}

// ParseKeyring reads a keyring in the HERALD_REPLY_KEYS form: comma-separated
// "id:secret" entries, the signing key first, each secret in base64 (standard or URL
// alphabet, padded or not), for example
//
//	k2:8tq1…=,k1:Qm9v…=
//
// Spaces around entries are ignored. Errors never quote a secret, nor anything that
// might be one.
func ParseKeyring(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("reply: the key list is empty")
	}
	entries := strings.Split(s, ",")
	keys := make([]Key, 0, len(entries))
	for i, e := range entries {
		e = strings.TrimSpace(e)
		id, secret, ok := strings.Cut(e, ":")
		switch {
		case e == "":
			return nil, fmt.Errorf("reply: key %d is empty", i+1)
		case !ok:
			return nil, fmt.Errorf("reply: key %d is not of the form id:base64-secret", i+1)
		case !validKeyID(id):
			return nil, fmt.Errorf("reply: key %d: the id must be 1 to %d of A-Z a-z 0-9 _ -", i+1, maxKeyIDBytes)
		}
		b, err := decodeSecret(secret)
		if err != nil {
			// err is dropped: it says where the secret is malformed, which is already
			// more about the secret than an error should carry.
			return nil, fmt.Errorf("reply: key %q: the secret is not valid base64", id)
		}
		keys = append(keys, Key{ID: id, Secret: b})
	}
	return NewKeyring(keys...)
}

// decodeSecret accepts the base64 forms that common tools print (openssl rand -base64
// pads with the standard alphabet; others use the URL alphabet or drop the padding).
func decodeSecret(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.DecodeString(s)
}

// validKeyID reports whether id is 1 to maxKeyIDBytes of [A-Za-z0-9_-].
func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// IDs returns the key ids in order, the signing key's first.
func (k *Keyring) IDs() []string {
	ids := make([]string, len(k.keys))
	for i, key := range k.keys {
		ids[i] = key.ID
	}
	return ids
}

// String lists the key ids and hides the secrets.
func (k *Keyring) String() string {
	if k == nil {
		return "reply.Keyring(nil)"
	}
	return "reply.Keyring{" + strings.Join(k.IDs(), ",") + "}"
}

// GoString is String for the %#v verb.
func (k *Keyring) GoString() string { return k.String() }

// Format writes String for every verb, so that no verb prints the secrets.
func (k *Keyring) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// key returns the index of the key named id.
func (k *Keyring) key(id string) (int, bool) {
	i, ok := k.byID[id]
	return i, ok
}

// sum computes the reply MAC with the key at index i. Keying an HMAC costs two extra
// hash blocks and several allocations; a keyed state from the pool, Reset after use,
// makes each MAC cost only the hashing of its text.
func (k *Keyring) sum(i int, reply, salt, consumerID string) []byte {
	m := k.macs[i].Get().(hash.Hash)
	defer func() { m.Reset(); k.macs[i].Put(m) }()
	io.WriteString(m, reply)
	io.WriteString(m, "\n")
	io.WriteString(m, salt)
	io.WriteString(m, "\n")
	io.WriteString(m, consumerID)
	return m.Sum(make([]byte, 0, macBytes))
}
