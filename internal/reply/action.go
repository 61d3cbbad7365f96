package reply

import (
	"strconv"
	"time"

	"github.com/heraldhq/herald/internal/fault"
)

// Action is what an acknowledge request asks JetStream to do with the messages.
type Action string

// The actions of POST /v1/acknowledge.
const (
	Ack        Action = "ack"         // done with the message
	Nak        Action = "nak"         // redeliver it, now or after a delay
	Term       Action = "term"        // never redeliver it, though not processed
	InProgress Action = "in_progress" // still working on it: restart the ack wait
)

// MaxNakDelay is the longest redelivery delay a nak may ask for. Longer delays would
// outlive most consumers' idle expiry and say more about a stuck client than a plan.
const MaxNakDelay = 12 * time.Hour

// The JetStream ack protocol bodies, as nats.go's jetstream package sends them.
const (
	ackBody        = "+ACK"
	nakBody        = "-NAK"
	termBody       = "+TERM"
	inProgressBody = "+WPI"
)

// ParseAction returns the action named s, or a fault Invalid error on the field
// "action".
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Ack, Nak, Term, InProgress:
		return a, nil
	}
	return "", fault.Field("action", `must be one of "ack", "nak", "term" or "in_progress"`)
}

// Payload returns the body to publish on a message's ack subject to carry out the
// action. A delay is allowed only with Nak, from 0 to MaxNakDelay: a positive one gives
// `-NAK {"delay": <nanoseconds>}`, the form nats.go's NakWithDelay sends. Errors are
// fault Invalid, on the field "delay_ms" or "action" of the acknowledge request.
func (a Action) Payload(delay time.Duration) ([]byte, error) {
	switch {
	case delay < 0:
		return nil, fault.Field("delay_ms", "must not be negative")
	case delay > MaxNakDelay:
		return nil, fault.Field("delay_ms", "must be at most "+strconv.FormatInt(MaxNakDelay.Milliseconds(), 10)+" (12h)")
	case delay > 0 && a != Nak:
		return nil, fault.Field("delay_ms", `is only allowed with the action "nak"`)
	}
	switch a {
	case Ack:
		return []byte(ackBody), nil
	case Nak:
		if delay > 0 {
			// The spacing matches nats.go byte for byte; the server accepts any JSON.
			return []byte(nakBody + ` {"delay": ` + strconv.FormatInt(delay.Nanoseconds(), 10) + `}`), nil
		}
		return []byte(nakBody), nil
	case Term:
		return []byte(termBody), nil
	case InProgress:
		return []byte(inProgressBody), nil
	}
	_, err := ParseAction(string(a))
	return nil, err
}
