package reply

import (
	"math"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// AckInfo is what a JetStream ack subject says about the message it acknowledges.
type AckInfo struct {
	Stream      string
	Consumer    string
	Delivered   uint64 // how many times the message has been delivered, this time included
	StreamSeq   uint64 // the message's sequence on the stream
	ConsumerSeq uint64 // the delivery's sequence on the consumer
	Timestamp   int64  // when the message was stored, in Unix nanoseconds
	Pending     uint64 // messages left for the consumer after this one
	Domain      string // the JetStream domain; empty for none
}

// The two layouts of an ack subject, in tokens:
//
//	v1: $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>
//	v2: $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<tm>.<pending>[.<token>…]
//
// As nats.go does, a v2 subject needs 11 tokens and may have more: servers have added
// a trailing random token and may add others, and nothing here needs them.
const (
	ackPrefix     = "$JS.ACK."
	v1Tokens      = 9
	v2MinTokens   = 11
	v2ExtraTokens = 2 // domain and account hash
)

// ParseAckSubject reads a JetStream ack subject in either layout that nats.go reads
// (its jetstream Msg.Metadata): 9 tokens for v1, 11 or more for v2, where a domain of
// "_" means none.
//
// It is stricter than nats.go, which reads any unparsable number as 0: every token must
// be non-empty and free of white space and wildcards (Herald publishes to the subject),
// and the numbers must be plain decimals that fit (the timestamp in an int64). The
// error is a fault Invalid without a field.
func ParseAckSubject(s string) (AckInfo, error) {
	if !strings.HasPrefix(s, ackPrefix) {
		return AckInfo{}, notAck("it does not start with " + ackPrefix)
	}
	n := strings.Count(s, ".") + 1
	if n != v1Tokens && n < v2MinTokens {
		return AckInfo{}, notAck("it has " + strconv.Itoa(n) + " tokens, not 9 or at least 11")
	}
	if strings.ContainsAny(s, " \t\r\n\f\v*>") {
		return AckInfo{}, notAck("it has white space or a wildcard")
	}
	tokens := strings.Split(s, ".")
	for _, t := range tokens {
		if t == "" {
			return AckInfo{}, notAck("it has an empty token")
		}
	}

	var a AckInfo
	rest := tokens[2:]
	if n != v1Tokens {
		a.Domain = rest[0]
		if a.Domain == "_" {
			a.Domain = ""
		}
		rest = rest[v2ExtraTokens:]
	}
	a.Stream, a.Consumer = rest[0], rest[1]
	var v [5]uint64
	for i, name := range [...]string{"delivered count", "stream sequence", "consumer sequence", "timestamp", "pending count"} {
		x, err := strconv.ParseUint(rest[2+i], 10, 64)
		if err != nil {
			return AckInfo{}, notAck("its " + name + " is not a decimal number that fits in 64 bits")
		}
		v[i] = x
	}
	if v[3] > math.MaxInt64 {
		return AckInfo{}, notAck("its timestamp is out of range")
	}
	a.Delivered, a.StreamSeq, a.ConsumerSeq, a.Timestamp, a.Pending = v[0], v[1], v[2], int64(v[3]), v[4]
	return a, nil
}

// notAck returns the error for a string that is not an ack subject, saying why.
func notAck(why string) error {
	return fault.New(fault.Invalid, "not a JetStream ack subject: "+why)
}
