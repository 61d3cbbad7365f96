package wire

import "time"

// StreamTicket is the answer of POST /v1/consumers/{id}/stream-ticket and POST
// /v1/me/notifications/stream-ticket: a single-use ticket that opens that one stream
// when given as ?ticket= instead of an Authorization header (a browser's EventSource
// cannot send one), until ExpiresAt, at most a minute away. A stream opened with it
// ends when the token it was asked for with expires.
type StreamTicket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}
