package consumer

import (
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/heraldhq/herald/internal/reply"
)

// Message is one fetched message as clients receive it, in a batch answer or as the data
// of a stream frame.
type Message struct {
	Sequence  uint64          `json:"sequence"`  // on the stream
	Delivered uint64          `json:"delivered"` // deliveries so far, this one included
	Subject   string          `json:"subject"`
	Event     json.RawMessage `json:"event"`
	Reply     reply.Reply     `json:"reply"` // hand back to POST /v1/acknowledge
}

// NewMessage returns m, fetched from the consumer consumerID, as clients receive it,
// with its ack subject signed by keys. It fails only for a message without JetStream
// metadata, which cannot be acknowledged; such a message comes back after its ack wait.
func NewMessage(m jetstream.Msg, keys *reply.Keyring, consumerID string) (Message, error) {
	md, err := m.Metadata()
	if err != nil {
		return Message{}, fmt.Errorf("consumer: message of %s without metadata: %w", consumerID, err)
	}
	return Message{
		Sequence:  md.Sequence.Stream,
		Delivered: md.NumDelivered,
		Subject:   m.Subject(),
		Event:     EventJSON(m.Data()),
		Reply:     keys.Sign(m.Reply(), consumerID),
	}, nil
}

// EventJSON returns a message body as the "event" of a Message. Events on the stream
// are JSON, but anything published straight to NATS reaches consumers too; such a body
// is handed over as a JSON string rather than held back or breaking the answer.
func EventJSON(data []byte) json.RawMessage {
	if json.Valid(data) {
		return data
	}
	s, _ := json.Marshal(string(data))
	return s
}
