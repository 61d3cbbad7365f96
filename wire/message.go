package wire

import "encoding/json"

// Message is one message of a consumer, in a batch (GET /v1/consumers/{id}/batch) or
// as the data of a stream frame.
type Message struct {
	Sequence  uint64 `json:"sequence"`  // on the stream
	Delivered uint64 `json:"delivered"` // deliveries so far, this one included
	Subject   string `json:"subject"`
	// Event is the event as stored: an Event's JSON, or a JSON string holding what was
	// stored when that is not JSON.
	Event json.RawMessage `json:"event"`
	// Reply acknowledges the message: hand it back to POST /v1/acknowledge.
	Reply Reply `json:"reply"`
}
