package inbox

import (
	"time"

	"github.com/heraldhq/herald/internal/store"
)

// ID returns the id of the notification for recipient made from the event eventUUID,
// which happened at t: a ULID whose time is t (so that ids sort by the event's time) and
// whose random part comes from a hash of the uuid and the recipient (store.DerivedID).
// The same event and recipient always give the same id, which is what makes writing a
// notification idempotent.
func ID(eventUUID, recipient string, t time.Time) string {
	return store.DerivedID(eventUUID, recipient, t)
}

// ValidID reports whether s is a ULID as ID and the API write them (upper case).
func ValidID(s string) bool { return store.ValidULID(s) }
