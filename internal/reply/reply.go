package reply

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// Reply is a signed acknowledgement reply, as the batch and stream endpoints hand it
// out and POST /v1/acknowledge takes it back.
type Reply struct {
	Reply string `json:"reply"`  // the JetStream ack subject of the delivered message
	Salt  string `json:"salt"`   // 16 random bytes, unpadded base64url
	HMAC  string `json:"hmac"`   // base64(HMAC-SHA256(key, reply + "\n" + salt + "\n" + consumerID))
	KeyID string `json:"key_id"` // the id of the key that made HMAC
}

// Sizes and bounds of the reply fields.
const (
	// SaltBytes is the size of the random salt Sign makes: enough that two replies
	// never share one.
	SaltBytes = 16

	// maxSaltBytes bounds the salt Verify accepts, so that a caller cannot make it
	// hash an arbitrarily long string.
	maxSaltBytes = 64

	// MaxReplyBytes bounds the ack subject Verify accepts. Real ones are far shorter
	// (stream and consumer names are at most 255 bytes each); the bound keeps the cost
	// of checking a request of many replies small.
	MaxReplyBytes = 4096

	macBytes    = sha256.Size
	macB64Bytes = (macBytes + 2) / 3 * 4 // padded standard base64 of the MAC
)

// Why a reply is refused. They say what is wrong with the reply and nothing about the
// expected MAC.
const (
	reasonUnknownKey = "unknown key_id"
	reasonReply      = "malformed reply"
	reasonSalt       = "malformed salt"
	reasonHMAC       = "malformed hmac"
	reasonMismatch   = "signature does not match"
)

// Sign returns the reply for the message with the given ack subject, delivered to the
// consumer consumerID, signed with the keyring's first key and a fresh random salt.
//
// Sign cannot fail. A subject or consumer id with a line break in it (which NATS and
// Herald never make) gives a reply that Verify refuses, since the line breaks would
// make the signed text ambiguous.
func (k *Keyring) Sign(ackSubject, consumerID string) Reply {
	var salt [SaltBytes]byte
	rand.Read(salt[:]) // never fails: crypto/rand crashes the program rather than return an error
	s := base64.RawURLEncoding.EncodeToString(salt[:])
	return Reply{
		Reply: ackSubject,
		Salt:  s,
		HMAC:  base64.StdEncoding.EncodeToString(k.sum(0, ackSubject, s, consumerID)),
		KeyID: k.keys[0].ID,
	}
}

// Verify checks that r was made by Sign with one of the keyring's keys for the
// consumer consumerID. It returns nil or a fault Invalid error whose one field error
// (with an empty field name; see fault.Prefix) gives the reason: an unknown key_id, a
// malformed reply, salt or hmac, or a signature that does not match.
//
// The MAC is compared in constant time, and the error does not say where it differs.
// Verify does not look inside the ack subject; VerifyAll does.
func (k *Keyring) Verify(r Reply, consumerID string) error {
	if reason := k.check(r, consumerID); reason != "" {
		return refused(reason)
	}
	return nil
}

// check returns why r does not verify, or "" when it does.
func (k *Keyring) check(r Reply, consumerID string) string {
	key, ok := k.key(r.KeyID)
	if !ok {
		return reasonUnknownKey
	}
	// The fields are joined with "\n" before they are signed. Refusing line breaks in
	// the reply and the consumer id, and anything but base64url in the salt, keeps
	// that join unambiguous: no two accepted inputs sign the same text.
	if r.Reply == "" || len(r.Reply) > MaxReplyBytes || strings.ContainsAny(r.Reply, "\r\n") {
		return reasonReply
	}
	if !validSalt(r.Salt) {
		return reasonSalt
	}
	got, ok := decodeMAC(r.HMAC)
	if !ok {
		return reasonHMAC
	}
	if strings.ContainsAny(consumerID, "\r\n") {
		return reasonMismatch // no reply is ever valid for such an id
	}
	if !hmac.Equal(got, k.sum(key, r.Reply, r.Salt, consumerID)) {
		return reasonMismatch
	}
	return ""
}

// validSalt reports whether s is unpadded base64url of SaltBytes to maxSaltBytes bytes.
// The decoder ignores line breaks, so they are refused first.
func validSalt(s string) bool {
	if len(s) > base64.RawURLEncoding.EncodedLen(maxSaltBytes) || strings.ContainsAny(s, "\r\n") {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) >= SaltBytes
}

// decodeMAC decodes a padded standard base64 MAC. Only the one canonical encoding of
// each MAC is accepted: a fixed length, no line breaks (which the decoder would skip)
// and, with Strict, no stray bits in the last character. Otherwise one signature could
// be written several ways, and a changed hmac field would still verify.
func decodeMAC(s string) ([]byte, bool) {
	if len(s) != macB64Bytes || strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != macBytes {
		return nil, false
	}
	return b, true
}

// refused returns the Invalid error for a reply refused for reason. The field name is
// empty so that VerifyAll can name the reply with fault.Prefix.
func refused(reason string) error {
	return &fault.Error{
		Kind:   fault.Invalid,
		Detail: "the reply does not verify",
		Fields: []fault.FieldError{{Message: reason}},
	}
}
