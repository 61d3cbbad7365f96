package reply_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/reply"
)

func TestVerifyAll(t *testing.T) {
	k := newKeyring(t, "live", "k2", "k1")
	old := newKeyring(t, "live", "k1")
	replies := []reply.Reply{k.Sign(subjectV1, consumer), old.Sign(subjectV2, consumer)}
	infos, err := reply.VerifyAll(k, replies, consumer, stream)
	if err != nil {
		t.Fatalf("VerifyAll: %v", err)
	}
	want := []reply.AckInfo{
		{Stream: stream, Consumer: consumer, Delivered: 1, StreamSeq: 42, ConsumerSeq: 7, Timestamp: 1763834400123456789, Pending: 3},
		{Stream: stream, Consumer: consumer, Delivered: 2, StreamSeq: 43, ConsumerSeq: 8, Timestamp: 1763834400123456790},
	}
	if !slices.Equal(infos, want) {
		t.Errorf("VerifyAll =\n%+v, want, in order,\n%+v", infos, want)
	}
}

// TestVerifyAllIsAllOrNothing mixes good replies with bad ones and checks that nothing
// is returned and that the error names exactly the bad ones, in order, with reasons.
func TestVerifyAllIsAllOrNothing(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	good := k.Sign(subjectV1, consumer)
	tampered := k.Sign(subjectV1, consumer)
	tampered.Reply = strings.Replace(tampered.Reply, ".42.", ".41.", 1)
	otherSubject := "$JS.ACK." + stream + "." + consumer2 + ".1.42.7.1763834400123456789.3"

	tests := []struct {
		name    string
		replies []reply.Reply
		want    []fault.FieldError
	}{
		{"one tampered among good ones", []reply.Reply{good, good, tampered, good},
			[]fault.FieldError{{Field: "replies[2]", Message: "signature does not match"}}},
		{"another consumer's genuine reply", []reply.Reply{good, k.Sign(otherSubject, consumer2)},
			[]fault.FieldError{{Field: "replies[1]", Message: "signature does not match"}}},
		{"another consumer's subject signed for this one", []reply.Reply{k.Sign(otherSubject, consumer)},
			[]fault.FieldError{{Field: "replies[0]", Message: "not an ack subject of this consumer"}}},
		{"another stream's subject", []reply.Reply{k.Sign("$JS.ACK.OTHER."+consumer+".1.1.1.1.0", consumer), good},
			[]fault.FieldError{{Field: "replies[0]", Message: "not an ack subject of this consumer"}}},
		{"not an ack subject", []reply.Reply{good, k.Sign("herald.events.x", consumer)},
			[]fault.FieldError{{Field: "replies[1]", Message: "not a JetStream ack subject"}}},
		{"unknown key", []reply.Reply{newKeyring(t, "live", "k9").Sign(subjectV1, consumer)},
			[]fault.FieldError{{Field: "replies[0]", Message: "unknown key_id"}}},
		{"several bad ones", []reply.Reply{tampered, good, {}, k.Sign(otherSubject, consumer)},
			[]fault.FieldError{
				{Field: "replies[0]", Message: "signature does not match"},
				{Field: "replies[2]", Message: "unknown key_id"},
				{Field: "replies[3]", Message: "not an ack subject of this consumer"},
			}},
		{"empty", nil, []fault.FieldError{{Field: "replies", Message: "must not be empty"}}},
		{"empty but not nil", []reply.Reply{}, []fault.FieldError{{Field: "replies", Message: "must not be empty"}}},
		{"too many", slices.Repeat([]reply.Reply{good}, reply.MaxReplies+1),
			[]fault.FieldError{{Field: "replies", Message: "must have at most 1000 replies, not 1001"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos, err := reply.VerifyAll(k, tt.replies, consumer, stream)
			if infos != nil {
				t.Errorf("VerifyAll returned %d infos with an error, want nil", len(infos))
			}
			if err == nil {
				t.Fatal("VerifyAll = nil error, want one")
			}
			if got := fields(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("fields =\n%+v, want\n%+v", got, tt.want)
			}
		})
	}
}

func TestVerifyAllAcceptsMaxReplies(t *testing.T) {
	k := newKeyring(t, "live", "k1")
	replies := make([]reply.Reply, reply.MaxReplies)
	for i := range replies {
		replies[i] = k.Sign(subjectV1, consumer)
	}
	infos, err := reply.VerifyAll(k, replies, consumer, stream)
	if err != nil || len(infos) != reply.MaxReplies {
		t.Errorf("VerifyAll of %d replies = %d infos, %v; want %d, nil", reply.MaxReplies, len(infos), err, reply.MaxReplies)
	}
}
