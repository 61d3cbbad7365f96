package reply_test

import (
	"crypto/rand"
	"testing"

	"github.com/heraldhq/herald/internal/reply"
)

// FuzzVerify feeds Verify and VerifyAll arbitrary reply fields and consumer ids. They
// must never panic, must refuse with a fault Invalid error, and must accept only
// replies that Sign made for that very consumer. The keyring's secrets are random for
// each run, so the replies Sign makes here to seed the corpus are the only ones that
// can verify: every mutation the fuzzer makes of them, and every input it kept from
// earlier runs, must be refused.
func FuzzVerify(f *testing.F) {
	k1, k2 := make([]byte, 32), make([]byte, 32)
	rand.Read(k1)
	rand.Read(k2)
	k, err := reply.NewKeyring(reply.Key{ID: "k2", Secret: k2}, reply.Key{ID: "k1", Secret: k1})
	if err != nil {
		f.Fatal(err)
	}
	old, err := reply.NewKeyring(reply.Key{ID: "k1", Secret: k1})
	if err != nil {
		f.Fatal(err)
	}

	type signedFor struct {
		r        reply.Reply
		consumer string
	}
	signed := map[signedFor]bool{}
	for _, signer := range []*reply.Keyring{k, old} {
		for _, subject := range []string{subjectV1, subjectV2, "$JS.ACK.S.C.1.1.1.1.1", "x"} {
			for _, c := range []string{consumer, consumer2, "", "é\x00"} {
				r := signer.Sign(subject, c)
				signed[signedFor{r, c}] = true
				f.Add(r.Reply, r.Salt, r.HMAC, r.KeyID, c)
			}
		}
	}
	for _, s := range [][5]string{
		{},
		{subjectV1, "AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "k1", consumer},
		{subjectV1 + "\n", "AAAAAAAAAAAAAAAAAAAAAA\n", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "k2", consumer + "\n"},
		{"\xff", "====", "====", "\x00", "\xff"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}

	f.Fuzz(func(t *testing.T, subject, salt, mac, keyID, consumerID string) {
		r := reply.Reply{Reply: subject, Salt: salt, HMAC: mac, KeyID: keyID}
		err := k.Verify(r, consumerID)
		if err == nil && !signed[signedFor{r, consumerID}] {
			t.Fatalf("Verify accepted %+v for consumer %q, which Sign did not make", r, consumerID)
		}
		if err != nil {
			reason(t, err) // a fault Invalid error with one unnamed field error
			if signed[signedFor{r, consumerID}] {
				t.Fatalf("Verify refused %+v for consumer %q, which Sign made: %v", r, consumerID, err)
			}
		}
		infos, errAll := reply.VerifyAll(k, []reply.Reply{r}, consumerID, stream)
		switch {
		case errAll == nil && err != nil:
			t.Fatalf("VerifyAll accepted %+v, which Verify refused: %v", r, err)
		case errAll == nil && len(infos) != 1:
			t.Fatalf("VerifyAll accepted one reply and returned %d infos", len(infos))
		case errAll != nil:
			if infos != nil {
				t.Fatalf("VerifyAll returned infos with its error %v", errAll)
			}
			if fs := fields(t, errAll); len(fs) != 1 || fs[0].Field != "replies[0]" {
				t.Fatalf("VerifyAll fields = %+v, want one on replies[0]", fs)
			}
		}
	})
}
