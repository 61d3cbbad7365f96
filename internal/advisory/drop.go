package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

// MaxDeliverType is the schema type of the max-deliveries advisory.
const MaxDeliverType = "io.nats.jetstream.advisory.v1.max_deliver"

// Drop is one message a consumer of HERALD_EVENTS gave up on, as its advisory tells.
type Drop struct {
	Consumer   string    // the consumer's name: a consumer id, for Herald's own
	StreamSeq  uint64    // the message's sequence on HERALD_EVENTS
	Deliveries uint64    // how many times it was delivered
	At         time.Time // when the stream stored the advisory: about when the server gave it up
}

// maxDeliveries is the advisory's body (nats-server's JSConsumerDeliveryExceededAdvisory).
// Its timestamp is not read: whoever publishes the advisory writes it.
type maxDeliveries struct {
	Type       string `json:"type"`
	Stream     string `json:"stream"`
	Consumer   string `json:"consumer"`
	StreamSeq  uint64 `json:"stream_seq"`
	Deliveries uint64 `json:"deliveries"`
}

// subjectPrefix starts the subject of every advisory Parse takes.
const subjectPrefix = bus.MaxDeliveriesPrefix + "." + event.StreamName + "."

// Parse reads the advisory with body data published on subject, which the stream stored
// at stored: the drop's time, which only the server sets (the body's timestamp, which a
// forger could set to any hour, is not read). The subject and the body must agree on the
// stream and the consumer.
func Parse(subject string, data []byte, stored time.Time) (Drop, error) {
	name, ok := strings.CutPrefix(subject, subjectPrefix)
	if !ok || name == "" || strings.ContainsAny(name, ".*> ") {
		return Drop{}, fmt.Errorf("advisory: subject %q is not a max-deliveries advisory of %s", subject, event.StreamName)
	}
	var a maxDeliveries
	if err := json.Unmarshal(data, &a); err != nil {
		return Drop{}, fmt.Errorf("advisory: unreadable body: %w", err)
	}
	switch {
	case a.Type != MaxDeliverType:
		return Drop{}, fmt.Errorf("advisory: type %q, want %s", a.Type, MaxDeliverType)
	case a.Stream != event.StreamName || a.Consumer != name:
		return Drop{}, fmt.Errorf("advisory: body names %s/%s, its subject %s/%s", a.Stream, a.Consumer, event.StreamName, name)
	case a.StreamSeq == 0:
		return Drop{}, errors.New("advisory: no stream sequence")
	case a.Deliveries == 0:
		return Drop{}, errors.New("advisory: no deliveries")
	}
	return Drop{Consumer: name, StreamSeq: a.StreamSeq, Deliveries: a.Deliveries, At: stored.UTC()}, nil
}
