package reply

import (
	"strconv"

	"github.com/heraldhq/herald/internal/fault"
)

// MaxReplies is the most replies one acknowledge request may carry, the largest batch
// a consumer hands out.
const MaxReplies = 1000

// More reasons a reply is refused, beyond those of Verify.
const (
	reasonNotAck      = "not a JetStream ack subject"
	reasonNotConsumer = "not an ack subject of this consumer"
)

// VerifyAll checks every reply of an acknowledge request for the consumer consumerID
// on the stream stream, and returns what their ack subjects say, in order.
//
// A reply passes when it verifies (Keyring.Verify) and its ack subject parses and names
// this stream and this consumer. The consumer id is in the MAC, so a reply signed for
// another consumer fails even with a genuine signature; the subject check refuses
// a genuine reply for one consumer that was signed as another's, which Herald never
// does, but costs nothing to rule out.
//
// Nothing is partly accepted: if any reply fails, VerifyAll returns nil and one fault
// Invalid error with a field error "replies[i]" for each failing reply, giving the
// reason. An empty list, or one of more than MaxReplies, is an error on "replies".
func VerifyAll(k *Keyring, replies []Reply, consumerID, stream string) ([]AckInfo, error) {
	switch {
	case len(replies) == 0:
		return nil, fault.Field("replies", "must not be empty")
	case len(replies) > MaxReplies:
		return nil, fault.Field("replies", "must have at most "+strconv.Itoa(MaxReplies)+" replies, not "+strconv.Itoa(len(replies)))
	}
	infos := make([]AckInfo, len(replies))
	var bad []fault.FieldError
	for i, r := range replies {
		reason := k.check(r, consumerID)
		if reason == "" {
			a, err := ParseAckSubject(r.Reply)
			switch {
			case err != nil:
				reason = reasonNotAck
			case a.Stream != stream || a.Consumer != consumerID:
				reason = reasonNotConsumer
			}
			infos[i] = a
		}
		if reason != "" {
			bad = append(bad, fault.FieldError{Field: "replies[" + strconv.Itoa(i) + "]", Message: reason})
		}
	}
	if err := fault.Fields(bad); err != nil {
		return nil, err
	}
	return infos, nil
}
