package stacktest

import "encoding/json"

// EventUUID returns the uuid of an event's JSON, or "" when it has none.
func EventUUID(data []byte) string {
	var ev struct {
		UUID string `json:"uuid"`
	}
	json.Unmarshal(data, &ev)
	return ev.UUID
}
