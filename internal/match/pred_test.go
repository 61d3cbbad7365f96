package match

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestEqualFold compares equalFold with strings.EqualFold, whose semantics it
// promises, on strings from an alphabet of case pairs, fold orbits of three or more
// runes, multi-byte runes and invalid UTF-8.
func TestEqualFold(t *testing.T) {
	alphabet := []string{
		"a", "A", "z", "Z", "é", "É", "k", "K", "\u212a", "s", "S", "\u017f", "ß", "ẞ",
		"σ", "ς", "Σ", "ǅ", "ǆ", "Ǆ", "1", "@", "[", "`", "{", "\xff", "\xc3", "\ufffd", "😀",
	}
	r := rand.New(rand.NewPCG(5, 6))
	word := func() string {
		var b strings.Builder
		for range r.IntN(4) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 50000 {
		a, b := word(), word()
		if r.IntN(3) == 0 {
			b = strings.ToUpper(a)
		}
		if got, want := equalFold([]byte(a), b), strings.EqualFold(a, b); got != want {
			t.Fatalf("equalFold(%q, %q) = %v, strings.EqualFold says %v", a, b, got, want)
		}
	}
}
