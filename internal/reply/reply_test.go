package reply_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/reply"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	k := newKeyring(t, "live", "k2", "k1")
	for _, subject := range []string{subjectV1, subjectV2, "$JS.ACK.S.C.1.1.1.1.0"} {
		r := k.Sign(subject, consumer)
		if r.Reply != subject {
			t.Errorf("Reply = %q, want %q", r.Reply, subject)
		}
		if r.KeyID != "k2" {
			t.Errorf("KeyID = %q, want the first key, k2", r.KeyID)
		}
		if salt, err := base64.RawURLEncoding.DecodeString(r.Salt); err != nil || len(salt) != reply.SaltBytes {
			t.Errorf("Salt = %q, want %d bytes of unpadded base64url (err %v)", r.Salt, reply.SaltBytes, err)
		}
		if mac, err := base64.StdEncoding.DecodeString(r.HMAC); err != nil || len(mac) != 32 {
			t.Errorf("HMAC = %q, want 32 bytes of padded standard base64 (err %v)", r.HMAC, err)
		}
		if err := k.Verify(r, consumer); err != nil {
			t.Errorf("Verify(Sign(%q)) = %v, want nil", subject, err)
		}
	}
}

func TestSignUsesFreshSalt(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	seen := map[string]bool{}
	for range 100 {
		r := k.Sign(subjectV1, consumer)
		if seen[r.Salt] || seen[r.HMAC] {
			t.Fatalf("salt %q or hmac %q repeated within 100 signatures", r.Salt, r.HMAC)
		}
		seen[r.Salt], seen[r.HMAC] = true, true
	}
}

// TestVerifyRefusesTampering changes one thing at a time in a genuine reply and checks
// that each change is refused with the right reason, and that no refusal discloses the
// MAC the reply should have had.
func TestVerifyRefusesTampering(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	good := k.Sign(subjectV1, consumer)
	other := k.Sign(subjectV1, consumer) // a second genuine reply, for its salt and MAC
	mac, _ := base64.StdEncoding.DecodeString(good.HMAC)
	flipped := append([]byte(nil), mac...)
	flipped[31] ^= 1

	tests := []struct {
		name     string
		edit     func(*reply.Reply)
		consumer string
		want     string
	}{
		{"reply changed", func(r *reply.Reply) { r.Reply = strings.Replace(r.Reply, ".42.", ".43.", 1) }, consumer, "signature does not match"},
		{"reply extended", func(r *reply.Reply) { r.Reply += ".1" }, consumer, "signature does not match"},
		{"reply empty", func(r *reply.Reply) { r.Reply = "" }, consumer, "malformed reply"},
		{"reply with a line break", func(r *reply.Reply) { r.Reply += "\n" }, consumer, "malformed reply"},
		{"reply too long", func(r *reply.Reply) { r.Reply = strings.Repeat("a", reply.MaxReplyBytes+1) }, consumer, "malformed reply"},
		{"salt of another reply", func(r *reply.Reply) { r.Salt = other.Salt }, consumer, "signature does not match"},
		{"salt one character changed", func(r *reply.Reply) { r.Salt = flip(r.Salt) }, consumer, "signature does not match"},
		{"salt empty", func(r *reply.Reply) { r.Salt = "" }, consumer, "malformed salt"},
		{"salt too short", func(r *reply.Reply) { r.Salt = r.Salt[:20] }, consumer, "malformed salt"},
		{"salt padded", func(r *reply.Reply) { r.Salt += "==" }, consumer, "malformed salt"},
		{"salt in the standard alphabet", func(r *reply.Reply) { r.Salt = "+/" + r.Salt[2:] }, consumer, "malformed salt"},
		{"salt with a line break", func(r *reply.Reply) { r.Salt = r.Salt[:11] + "\n" + r.Salt[11:] }, consumer, "malformed salt"},
		{"salt too long", func(r *reply.Reply) { r.Salt = strings.Repeat("A", 87) }, consumer, "malformed salt"},
		{"hmac of another reply", func(r *reply.Reply) { r.HMAC = other.HMAC }, consumer, "signature does not match"},
		{"hmac one bit flipped", func(r *reply.Reply) { r.HMAC = base64.StdEncoding.EncodeToString(flipped) }, consumer, "signature does not match"},
		{"hmac empty", func(r *reply.Reply) { r.HMAC = "" }, consumer, "malformed hmac"},
		{"hmac not base64", func(r *reply.Reply) { r.HMAC = "!" + r.HMAC[1:] }, consumer, "malformed hmac"},
		{"hmac unpadded", func(r *reply.Reply) { r.HMAC = strings.TrimRight(r.HMAC, "=") }, consumer, "malformed hmac"},
		{"hmac with a URL-alphabet character", func(r *reply.Reply) { r.HMAC = "-" + r.HMAC[1:] }, consumer, "malformed hmac"},
		{"hmac with a line break", func(r *reply.Reply) { r.HMAC = r.HMAC[:20] + "\n" + r.HMAC[20:] }, consumer, "malformed hmac"},
		{"hmac with stray bits", func(r *reply.Reply) { r.HMAC = strayBits(r.HMAC) }, consumer, "malformed hmac"},
		{"hmac truncated", func(r *reply.Reply) { r.HMAC = base64.StdEncoding.EncodeToString(mac[:31]) }, consumer, "malformed hmac"},
		{"hmac too long", func(r *reply.Reply) { r.HMAC = base64.StdEncoding.EncodeToString(append(mac, 0)) }, consumer, "malformed hmac"},
		{"key id unknown", func(r *reply.Reply) { r.KeyID = "k9" }, consumer, "unknown key_id"},
		{"key id empty", func(r *reply.Reply) { r.KeyID = "" }, consumer, "unknown key_id"},
		{"key id of another case", func(r *reply.Reply) { r.KeyID = "K1" }, consumer, "unknown key_id"},
		{"another consumer", func(*reply.Reply) {}, consumer2, "signature does not match"},
		{"consumer id extended", func(*reply.Reply) {}, consumer + "x", "signature does not match"},
		{"empty consumer id", func(*reply.Reply) {}, "", "signature does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			err := k.Verify(r, tt.consumer)
			if err == nil {
				t.Fatalf("Verify(%+v, %q) = nil, want %q", r, tt.consumer, tt.want)
			}
			if got := reason(t, err); got != tt.want {
				t.Errorf("reason = %q, want %q", got, tt.want)
			}
			if strings.Contains(err.Error(), good.HMAC) || strings.Contains(err.Error(), good.HMAC[:8]) {
				t.Errorf("error %q discloses the expected MAC", err)
			}
		})
	}
}

// flip changes the first character of a base64url string to another valid one.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// strayBits sets the two unused low bits of the last data character of a padded base64
// MAC, which a lenient decoder ignores: the bytes are the same, the string is not.
// A canonical encoding has them clear, so the result always differs from s.
func strayBits(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := len(s) - 2 // 32 bytes encode to 43 characters and one "="
	v := strings.IndexByte(alphabet, s[i])
	return s[:i] + string(alphabet[v|3]) + s[i+1:]
}

func TestVerifyRefusesAnotherKeyringsKeyUnderTheSameID(t *testing.T) {
	ours := newKeyring(t, "live", "k1")
	theirs := newKeyring(t, "attacker", "k1")
	r := theirs.Sign(subjectV1, consumer)
	if err := ours.Verify(r, consumer); err == nil {
		t.Fatal("Verify accepted a reply signed with another secret under the id k1")
	} else if got := reason(t, err); got != "signature does not match" {
		t.Errorf("reason = %q, want %q", got, "signature does not match")
	}
}

func TestVerifyRefusesUnknownKeyID(t *testing.T) {
	signer := newKeyring(t, "live", "k3")
	verifier := newKeyring(t, "live", "k2", "k1")
	err := verifier.Verify(signer.Sign(subjectV1, consumer), consumer)
	if err == nil {
		t.Fatal("Verify accepted a reply signed with a key the keyring does not hold")
	}
	if got := reason(t, err); got != "unknown key_id" {
		t.Errorf("reason = %q, want %q", got, "unknown key_id")
	}
}

func TestVerifyRefusesAnotherConsumersReply(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	theirs := k.Sign(subjectV1, consumer2)
	if err := k.Verify(theirs, consumer); err == nil {
		t.Fatal("Verify accepted for one consumer a reply signed for another")
	} else if got := reason(t, err); got != "signature does not match" {
		t.Errorf("reason = %q, want %q", got, "signature does not match")
	}
	if err := k.Verify(theirs, consumer2); err != nil {
		t.Errorf("Verify for the consumer it was signed for = %v, want nil", err)
	}
}

// TestRotation walks through a key rotation: the new keyring "k2,k1" signs with k2 and
// still verifies replies the old keyring "k1" handed out; once k1 is dropped those old
// replies stop verifying.
func TestRotation(t *testing.T) {
	before := newKeyring(t, "live", "k1")
	during := newKeyring(t, "live", "k2", "k1")
	after := newKeyring(t, "live", "k2")

	old := before.Sign(subjectV1, consumer)
	if err := during.Verify(old, consumer); err != nil {
		t.Errorf("k2,k1 refused a reply signed by k1: %v", err)
	}
	fresh := during.Sign(subjectV1, consumer)
	if fresh.KeyID != "k2" {
		t.Errorf("k2,k1 signed with %q, want k2", fresh.KeyID)
	}
	if err := after.Verify(fresh, consumer); err != nil {
		t.Errorf("k2 refused a reply signed by k2,k1: %v", err)
	}
	if err := after.Verify(old, consumer); err == nil {
		t.Error("k2 accepted a reply signed by the dropped key k1")
	} else if got := reason(t, err); got != "unknown key_id" {
		t.Errorf("reason = %q, want %q", got, "unknown key_id")
	}
}

// TestVerifyRefusesShiftedFields checks that text cannot be moved across the "\n"
// separators of the signed string: each forgery below signs exactly the same bytes as a
// reply Sign made, but puts the boundary somewhere else.
func TestVerifyRefusesShiftedFields(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	salt := k.Sign(subjectV1, consumer).Salt // any valid salt

	// Sign("S\n<salt>", C) signs "S\n<salt>\n<salt'>\nC"; read back as reply S, salt
	// <salt>, consumer "<salt'>\nC".
	a := k.Sign(subjectV1+"\n"+salt, consumer)
	forgedA := reply.Reply{Reply: subjectV1, Salt: salt, HMAC: a.HMAC, KeyID: a.KeyID}
	if err := k.Verify(forgedA, a.Salt+"\n"+consumer); err == nil {
		t.Error("Verify accepted a consumer id with a line break, shifting the salt into the reply")
	}

	// Sign(S, "<salt>\nC") signs "S\n<salt'>\n<salt>\nC"; read back as reply
	// "S\n<salt'>", salt <salt>, consumer C.
	b := k.Sign(subjectV1, salt+"\n"+consumer)
	forgedB := reply.Reply{Reply: subjectV1 + "\n" + b.Salt, Salt: salt, HMAC: b.HMAC, KeyID: b.KeyID}
	if err := k.Verify(forgedB, consumer); err == nil {
		t.Error("Verify accepted a reply with a line break, shifting the salt into the consumer id")
	}
}
