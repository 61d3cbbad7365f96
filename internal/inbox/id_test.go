package inbox

import (
	"testing"
	"time"
)

func TestID(t *testing.T) {
	at := time.Date(2026, 11, 22, 18, 0, 0, 123e6, time.UTC)
	a := ID("e1", "u1", at)
	if !ValidID(a) {
		t.Fatalf("ID %q is not a valid ULID", a)
	}
	if b := ID("e1", "u1", at); a != b {
		t.Errorf("same event and recipient gave %q and %q", a, b)
	}
	for _, other := range []string{ID("e1", "u2", at), ID("e2", "u1", at), ID("e1u", "1", at)} {
		if other == a {
			t.Errorf("a different event or recipient gave the same id %q", a)
		}
	}
	if later := ID("e0", "u0", at.Add(time.Millisecond)); later <= a {
		t.Errorf("an id a millisecond later %q does not sort after %q", later, a)
	}
	if old := ID("e1", "u1", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)); !ValidID(old) || old >= a {
		t.Errorf("an event before 1970 gave %q", old)
	}
	for _, bad := range []string{"", "01jd0000000000000000000000", "not-a-ulid", a + "0"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
