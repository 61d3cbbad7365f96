package reply_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"hash"
	"io"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/reply"
	"github.com/heraldhq/herald/test/baseline"
)

// Sign runs once per delivered message and Verify once per acknowledged reply, so their
// cost per call bounds what a batch of 1000 adds to a request. Their baselines are the
// same MAC over the same text computed the plain way, with a fresh crypto/hmac state per
// call, where Keyring reuses keyed states.

// benchKeyring returns the benchmarks' keyring and the secret of its first key, the one
// that signs.
func benchKeyring(b *testing.B) (*reply.Keyring, []byte) {
	return newKeyring(b, "live", "k2", "k1"), secret("k2", "live")
}

// plainMAC is HMAC-SHA256 of the signed text of a reply, keyed afresh.
func plainMAC(key []byte, ackSubject, salt, consumerID string) []byte {
	m := hmac.New(sha256.New, key)
	writeText(m, ackSubject, salt, consumerID)
	return m.Sum(nil)
}

// writeText writes the text a reply's MAC covers.
func writeText(m hash.Hash, ackSubject, salt, consumerID string) {
	io.WriteString(m, ackSubject)
	io.WriteString(m, "\n")
	io.WriteString(m, salt)
	io.WriteString(m, "\n")
	io.WriteString(m, consumerID)
}

var errMismatch = errors.New("signature does not match")

// plainVerify checks r's MAC with crypto/hmac alone: decode, recompute, hmac.Equal.
func plainVerify(key []byte, r reply.Reply, consumerID string) error {
	got, err := base64.StdEncoding.DecodeString(r.HMAC)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, plainMAC(key, r.Reply, r.Salt, consumerID)) {
		return errMismatch
	}
	return nil
}

// BenchmarkSign measures Sign against the same work done plainly: a random salt,
// base64url, HMAC-SHA256 keyed per call, base64.
func BenchmarkSign(b *testing.B) {
	k, key := benchKeyring(b)
	var sink reply.Reply
	sign := func() error {
		sink = k.Sign(subjectV2, consumer)
		return nil
	}
	plain := func() error {
		var salt [reply.SaltBytes]byte
		rand.Read(salt[:])
		s := base64.RawURLEncoding.EncodeToString(salt[:])
		sink = reply.Reply{Reply: subjectV2, Salt: s, HMAC: base64.StdEncoding.EncodeToString(plainMAC(key, subjectV2, s, consumer)), KeyID: "k2"}
		return nil
	}
	// The plain signature must be one Verify accepts, or the two would not do the same work.
	plain()
	if err := k.Verify(sink, consumer); err != nil {
		b.Fatal(err)
	}
	baseline.Alternate(b, "replies/s", 100, sign, plain)
}

// BenchmarkVerify measures Verify of a good reply against plainVerify of the same one.
func BenchmarkVerify(b *testing.B) {
	k, key := benchKeyring(b)
	r := k.Sign(subjectV2, consumer)
	baseline.Alternate(b, "replies/s", 100,
		func() error { return k.Verify(r, consumer) },
		func() error { return plainVerify(key, r, consumer) })
}

// BenchmarkVerifyAll1000 checks a full acknowledge request of MaxReplies replies, against
// plainVerify of each of them.
func BenchmarkVerifyAll1000(b *testing.B) {
	k, key := benchKeyring(b)
	replies := make([]reply.Reply, reply.MaxReplies)
	for i := range replies {
		replies[i] = k.Sign(subjectV2, consumer)
	}
	verifyAll := func() error {
		_, err := reply.VerifyAll(k, replies, consumer, stream)
		return err
	}
	plain := func() error {
		for _, r := range replies {
			if err := plainVerify(key, r, consumer); err != nil {
				return err
			}
		}
		return nil
	}
	baseline.Alternate(b, "requests/s", 1, verifyAll, plain)
}

// BenchmarkParseAckSubject measures ParseAckSubject of a v2 ack subject against nats.go's
// own reading of it, Msg.Metadata.
func BenchmarkParseAckSubject(b *testing.B) {
	// Metadata wants a message bound to a subscription; it does not use it otherwise.
	msg := &nats.Msg{Reply: subjectV2, Sub: &nats.Subscription{}}
	baseline.Alternate(b, "subjects/s", 100,
		func() error {
			_, err := reply.ParseAckSubject(subjectV2)
			return err
		},
		func() error {
			_, err := msg.Metadata()
			return err
		})
}
