package reply_test

import (
	"testing"

	"github.com/heraldhq/herald/shared/reply"
)

// Sign runs once per delivered message and Verify once per acknowledged reply, so their
// cost per call bounds what a batch of 1000 adds to a request.

func BenchmarkSign(b *testing.B) {
	k := newKeyring(b, "live", "k2", "k1")
	b.ReportAllocs()
	for b.Loop() {
		k.Sign(subjectV2, consumer)
	}
}

func BenchmarkVerify(b *testing.B) {
	k := newKeyring(b, "live", "k2", "k1")
	r := k.Sign(subjectV2, consumer)
	b.ReportAllocs()
	for b.Loop() {
		if err := k.Verify(r, consumer); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAll1000 checks a full acknowledge request of MaxReplies replies.
func BenchmarkVerifyAll1000(b *testing.B) {
	k := newKeyring(b, "live", "k2", "k1")
	replies := make([]reply.Reply, reply.MaxReplies)
	for i := range replies {
		replies[i] = k.Sign(subjectV2, consumer)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reply.VerifyAll(k, replies, consumer, stream); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAckSubject(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reply.ParseAckSubject(subjectV2); err != nil {
			b.Fatal(err)
		}
	}
}
