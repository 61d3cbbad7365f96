package client

import (
	"regexp"
	"testing"
)

// TestNewUUID: the uuids the client gives events are random version 4 UUIDs of the
// RFC 9562 variant, in the canonical lower-case form the server compares as strings.
func TestNewUUID(t *testing.T) {
	canonical := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	const n = 1000
	seen := make(map[string]bool, n)
	for range n {
		u := newUUID()
		if !canonical.MatchString(u) {
			t.Fatalf("newUUID() = %q, not a canonical version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("newUUID() gave %q twice in %d calls", u, n)
		}
		seen[u] = true
	}
}
