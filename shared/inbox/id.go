package inbox

import (
	"crypto/sha256"
	"time"

	"github.com/oklog/ulid/v2"
)

// ID returns the id of the notification for recipient made from the event eventUUID,
// which happened at t: a ULID whose time is t (so that ids sort by the event's time) and
// whose random part is taken from a hash of the uuid and the recipient. The same event
// and recipient always give the same id, which is what makes writing a notification
// idempotent. Times before 1970 count as 1970.
func ID(eventUUID, recipient string, t time.Time) string {
	h := sha256.Sum256([]byte(eventUUID + "\x00" + recipient))
	var id ulid.ULID
	ms := uint64(0)
	if t.UnixMilli() > 0 {
		ms = min(uint64(t.UnixMilli()), ulid.MaxTime())
	}
	_ = id.SetTime(ms) // never fails: ms is at most MaxTime
	_ = id.SetEntropy(h[:10])
	return id.String()
}

// ValidID reports whether s is a ULID as ID and the API write them (upper case).
func ValidID(s string) bool {
	id, err := ulid.ParseStrict(s)
	return err == nil && id.String() == s
}
