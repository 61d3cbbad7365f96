package reply_test

import (
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

func TestParseAckSubject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reply.AckInfo
	}{
		{"v1", subjectV1, reply.AckInfo{Stream: stream, Consumer: consumer, Delivered: 1, StreamSeq: 42, ConsumerSeq: 7, Timestamp: 1763834400123456789, Pending: 3}},
		{"v2 without a domain", "$JS.ACK._.HASH.S.C.2.43.8.1763834400123456790.0",
			reply.AckInfo{Stream: "S", Consumer: "C", Delivered: 2, StreamSeq: 43, ConsumerSeq: 8, Timestamp: 1763834400123456790}},
		{"v2 with a domain", "$JS.ACK.hub.HASH.S.C.2.43.8.1763834400123456790.0",
			reply.AckInfo{Domain: "hub", Stream: "S", Consumer: "C", Delivered: 2, StreamSeq: 43, ConsumerSeq: 8, Timestamp: 1763834400123456790}},
		{"v2 with the random token", subjectV2, reply.AckInfo{Stream: stream, Consumer: consumer, Delivered: 2, StreamSeq: 43, ConsumerSeq: 8, Timestamp: 1763834400123456790}},
		{"v2 with tokens beyond the 12th", "$JS.ACK._.HASH.S.C.1.2.3.4.5.tok.more",
			reply.AckInfo{Stream: "S", Consumer: "C", Delivered: 1, StreamSeq: 2, ConsumerSeq: 3, Timestamp: 4, Pending: 5}},
		{"largest numbers", "$JS.ACK.S.C.18446744073709551615.18446744073709551615.18446744073709551615.9223372036854775807.18446744073709551615",
			reply.AckInfo{Stream: "S", Consumer: "C", Delivered: 1<<64 - 1, StreamSeq: 1<<64 - 1, ConsumerSeq: 1<<64 - 1, Timestamp: 1<<63 - 1, Pending: 1<<64 - 1}},
		{"zeros and leading zeros", "$JS.ACK.S.C.0.007.0.0.00", reply.AckInfo{Stream: "S", Consumer: "C", StreamSeq: 7}},
		{"names nats.go allows", "$JS.ACK.my-stream_1.con~sumer.1.1.1.1.1", reply.AckInfo{Stream: "my-stream_1", Consumer: "con~sumer", Delivered: 1, StreamSeq: 1, ConsumerSeq: 1, Timestamp: 1, Pending: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reply.ParseAckSubject(tt.in)
			if err != nil {
				t.Fatalf("ParseAckSubject(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseAckSubject(%q) =\n%+v, want\n%+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAckSubjectErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", "does not start with $JS.ACK."},
		{"another prefix", "$JS.NAK.S.C.1.1.1.1.1", "does not start with $JS.ACK."},
		{"lower case prefix", "$js.ack.S.C.1.1.1.1.1", "does not start with $JS.ACK."},
		{"API subject", "$JS.API.CONSUMER.INFO.S.C.1.1.1", "does not start with $JS.ACK."},
		{"plain subject", "herald.events.resource.ResourceUpdated.projects.p1._", "does not start with $JS.ACK."},
		{"8 tokens", "$JS.ACK.S.C.1.1.1.1", "it has 8 tokens, not 9 or at least 11"},
		{"10 tokens", "$JS.ACK.S.C.1.1.1.1.1.1", "it has 10 tokens, not 9 or at least 11"},
		{"prefix only", "$JS.ACK.", "it has 3 tokens"},
		{"letters in delivered", "$JS.ACK.S.C.x.1.1.1.1", "delivered count is not a decimal number"},
		{"letters in stream sequence", "$JS.ACK.S.C.1.1a.1.1.1", "stream sequence is not a decimal number"},
		{"hex consumer sequence", "$JS.ACK.S.C.1.1.0x1.1.1", "consumer sequence is not a decimal number"},
		{"negative timestamp", "$JS.ACK.S.C.1.1.1.-1.1", "timestamp is not a decimal number"},
		{"signed pending", "$JS.ACK.S.C.1.1.1.1.+1", "pending count is not a decimal number"},
		{"underscores in a number", "$JS.ACK.S.C.1_000.1.1.1.1", "delivered count is not a decimal number"},
		{"sequence overflows", "$JS.ACK.S.C.1.18446744073709551616.1.1.1", "stream sequence is not a decimal number that fits in 64 bits"},
		{"timestamp beyond int64", "$JS.ACK.S.C.1.1.1.9223372036854775808.1", "timestamp is out of range"},
		{"v2 number not numeric", "$JS.ACK._.HASH.S.C.1.1.1.1.pending", "pending count is not a decimal number"},
		{"empty stream", "$JS.ACK..C.1.1.1.1.1", "empty token"},
		{"empty number", "$JS.ACK.S.C..1.1.1.1", "empty token"},
		{"empty domain", "$JS.ACK..HASH.S.C.1.1.1.1.1", "empty token"},
		{"empty trailing token", "$JS.ACK._.HASH.S.C.1.1.1.1.1.", "empty token"},
		{"space", "$JS.ACK.S T.C.1.1.1.1.1", "white space or a wildcard"},
		{"line break", "$JS.ACK.S.C.1.1.1.1.1\n", "white space or a wildcard"},
		{"star", "$JS.ACK.S.*.1.1.1.1.1", "white space or a wildcard"},
		{"full wildcard", "$JS.ACK._.HASH.S.C.1.1.1.1.1.>", "white space or a wildcard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reply.ParseAckSubject(tt.in)
			if err == nil {
				t.Fatalf("ParseAckSubject(%q) = %+v, want an error containing %q", tt.in, got, tt.want)
			}
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("error %v is not a fault Invalid error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
			if got != (reply.AckInfo{}) {
				t.Errorf("ParseAckSubject returned %+v with its error, want the zero AckInfo", got)
			}
		})
	}
}

// FuzzParseAckSubject compares ParseAckSubject with nats.go's own reading of ack
// subjects (Msg.Metadata): whatever ParseAckSubject accepts, nats.go accepts too and
// reads the same fields from. ParseAckSubject may refuse more, never read differently.
func FuzzParseAckSubject(f *testing.F) {
	for _, s := range []string{
		subjectV1, subjectV2, "$JS.ACK._.HASH.S.C.1.1.1.1.1", "$JS.ACK.hub.HASH.S.C.1.2.3.4.5.tok.more",
		"$JS.ACK.S.C.1.1.1.1", "$JS.ACK.S.C.1.1.1.1.1.1", "$JS.ACK.S.C.x.1.1.1.1", "$JS.ACK.S.C.1.1.1.-1.1",
		"$JS.ACK.S.C.18446744073709551616.1.1.1.1", "$JS.ACK.S.C.1.1.1.9223372036854775808.1", "", "$JS.ACK.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := reply.ParseAckSubject(s)
		if err != nil {
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("ParseAckSubject(%q) error %v is not a fault Invalid error", s, err)
			}
			return
		}
		meta, err := (&nats.Msg{Reply: s, Sub: &nats.Subscription{}}).Metadata()
		if err != nil {
			t.Fatalf("ParseAckSubject(%q) = %+v, but nats.go refuses it: %v", s, got, err)
		}
		want := reply.AckInfo{
			Stream: meta.Stream, Consumer: meta.Consumer, Domain: meta.Domain,
			Delivered: meta.NumDelivered, StreamSeq: meta.Sequence.Stream, ConsumerSeq: meta.Sequence.Consumer,
			Timestamp: meta.Timestamp.UnixNano(), Pending: meta.NumPending,
		}
		if got != want {
			t.Fatalf("ParseAckSubject(%q) =\n%+v, nats.go reads\n%+v", s, got, want)
		}
	})
}
