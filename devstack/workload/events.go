package workload

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/wire"
)

// EventType is the type of every event of the workload, which its trigger selects: a
// catalog type, so that publishing pays for checking its contract, as it does for the
// platform's own events.
const EventType = "item.ItemMetadataModified"

// EventSize is about the size of each event's JSON, uuid and timestamp included: a
// typical resource event with a small payload.
const EventSize = 1024

// NewEvent returns the i-th event of the workload: a metadata update of an item below
// path. Its metadata pads it to about EventSize bytes once the server has filled in its
// uuid and timestamp.
func NewEvent(path string, i int) *wire.Event {
	ev := &wire.Event{
		Event:     EventType,
		RequestID: fmt.Sprintf("cost-%06d", i),
		User:      &wire.User{ID: "u-cost"},
		Resource:  &wire.Resource{Type: "item", ID: fmt.Sprintf("i%06d", i), Path: fmt.Sprintf("%s/items/i%06d", path, i)},
	}
	// uuid (36 bytes and its member) and an RFC 3339 timestamp with nanoseconds are what
	// the client and the server add.
	const added = len(`,"uuid":""`) + 36 + len(`,"timestamp":""`) + 30
	base, _ := json.Marshal(ev)
	pad := max(0, EventSize-len(base)-added-len(`,"data":{"metadata":{"note":"","version":0}}`)-6)
	ev.Data = json.RawMessage(fmt.Sprintf(`{"metadata":{"note":%q,"version":%d}}`, strings.Repeat("x", pad), i))
	return ev
}
