package wire

// Reply is a signed acknowledgement reply, as batches and streams hand it out and
// POST /v1/acknowledge takes it back. It is the credential of the acknowledgement:
// send it back unchanged.
type Reply struct {
	Reply string `json:"reply"`  // the ack subject of the delivered message
	Salt  string `json:"salt"`   // random, unpadded base64url
	HMAC  string `json:"hmac"`   // the signature, padded standard base64
	KeyID string `json:"key_id"` // the id of the key that signed it
}

// AckAction is what an acknowledgement does with the messages.
type AckAction string

// The actions of POST /v1/acknowledge.
const (
	Ack        AckAction = "ack"         // done with the message
	Nak        AckAction = "nak"         // redeliver it, now or after a delay
	Term       AckAction = "term"        // never redeliver it, though not processed
	InProgress AckAction = "in_progress" // still working on it: restart the ack wait
)

// AckActions lists the actions.
var AckActions = []AckAction{Ack, Nak, Term, InProgress}
