package store

import (
	"crypto/sha256"
	"time"

	"github.com/oklog/ulid/v2"
)

// DerivedID returns a ULID whose time is t and whose random part is taken from a hash
// of a and b: the same pair always gives the same id, which makes writes keyed by it
// idempotent (one notification per event and recipient, one delivery per event and
// trigger), while ids still sort by time. Times before 1970 count as 1970.
func DerivedID(a, b string, t time.Time) string {
	h := sha256.Sum256([]byte(a + "\x00" + b))
	var id ulid.ULID
	ms := uint64(0)
	if t.UnixMilli() > 0 {
		ms = min(uint64(t.UnixMilli()), ulid.MaxTime())
	}
	_ = id.SetTime(ms) // never fails: ms is at most MaxTime
	_ = id.SetEntropy(h[:10])
	return id.String()
}

// ValidULID reports whether s is a ULID as Herald writes them (upper case).
func ValidULID(s string) bool {
	id, err := ulid.ParseStrict(s)
	return err == nil && id.String() == s
}
