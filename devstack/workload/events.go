package workload

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/wire"
)

// EventType is the type of every event of the workload, which its trigger selects.
const EventType = "item.ItemUpdated"

// EventSize is about the size of each event's JSON, uuid and timestamp included: a
// typical resource event with a small payload.
const EventSize = 1024

// NewEvent returns the i-th event of the workload: an update of an item below path.
// Its data pads it to about EventSize bytes once the server has filled in its uuid and
// timestamp.
func NewEvent(path string, i int) *wire.Event {
	ev := &wire.Event{
		Event:     EventType,
		RequestID: fmt.Sprintf("cost-%06d", i),
		User:      &wire.User{ID: "u-cost"},
		Resource:  &wire.Resource{Type: "item", Path: fmt.Sprintf("%s/items/i%06d", path, i)},
	}
	// uuid (36 bytes and its member) and an RFC 3339 timestamp with nanoseconds are what
	// the client and the server add.
	const added = len(`,"uuid":""`) + 36 + len(`,"timestamp":""`) + 30
	base, _ := json.Marshal(ev)
	pad := max(0, EventSize-len(base)-added-len(`,"data":{"note":"","version":0}`)-6)
	ev.Data = json.RawMessage(fmt.Sprintf(`{"note":%q,"version":%d}`, strings.Repeat("x", pad), i))
	return ev
}
