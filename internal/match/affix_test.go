package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestAffixes compares affixes with a map under random puts and deletes, for prefixes
// and suffixes: walk must find every key that begins (ends) the string. It may find
// more (keys sharing a hash, or the same first maxAffixBytes bytes), which a walk
// reports as the values of those keys; with distinct values per key that cannot
// happen here except through truncation, which the check allows for.
func TestAffixes(t *testing.T) {
	worlds := []struct {
		letters string
		stems   []string
		max     int
	}{
		{"abc", []string{""}, 5},
		{"0123456789/", []string{"", "projects/p", "projects/p1/items/a-long-item-name-"}, 4},
		{"ab", []string{strings.Repeat("x", maxAffixBytes-2)}, 5}, // around the truncation
	}
	for _, world := range worlds {
		for _, suffix := range []bool{false, true} {
			r := rand.New(rand.NewPCG(1, 2))
			word := func() string {
				b := []byte(world.stems[r.IntN(len(world.stems))])
				for range r.IntN(world.max + 1) {
					b = append(b, world.letters[r.IntN(len(world.letters))])
				}
				if suffix {
					slices.Reverse(b)
				}
				return string(b)
			}
			a := &affixes[string]{suffix: suffix}
			keys := make(map[string]bool)
			for step := range 3000 {
				k := word()
				if r.IntN(3) == 0 {
					a.delete(k)
					delete(keys, trunc(k, suffix))
				} else {
					a.put(k, trunc(k, suffix))
					keys[trunc(k, suffix)] = true
				}
				s := word() + word()
				if suffix {
					s = word() + s
				}
				var got []string
				a.walk([]byte(s), func(v string) { got = append(got, v) })
				var want []string
				for k := range keys {
					if !suffix && strings.HasPrefix(s, k) || suffix && strings.HasSuffix(s, k) {
						want = append(want, k)
					}
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("suffix %v, step %d: walk(%q) = %q, want %q", suffix, step, s, got, want)
				}
				if step%50 == 0 {
					for k := range keys {
						if v, ok := a.get(k); !ok || v != k {
							t.Fatalf("get(%q) = %q, %v", k, v, ok)
						}
					}
				}
			}
			for k := range keys {
				a.delete(k)
			}
			if len(a.vals) != 0 || a.lens != 0 {
				t.Errorf("suffix %v: %d keys and lengths %b left after deleting all", suffix, len(a.vals), a.lens)
			}
		}
	}
}

// trunc returns what of k an affixes keeps.
func trunc(k string, suffix bool) string {
	if len(k) <= maxAffixBytes {
		return k
	}
	if suffix {
		return k[len(k)-maxAffixBytes:]
	}
	return k[:maxAffixBytes]
}

// TestSummary checks that a summary never denies a key its map holds, as keys come
// and go, and that it denies most others.
func TestSummary(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s summary
	keys := make(map[uint64]bool)
	var order []uint64
	for step := range 20000 {
		if len(order) > 0 && r.IntN(3) == 0 {
			i := r.IntN(len(order))
			delete(keys, order[i])
			order = slices.Delete(order, i, i+1)
			summaryDeleted(&s, keys)
		} else {
			h := r.Uint64()
			keys[h] = true
			order = append(order, h)
			summaryAdded(&s, h, keys)
		}
		if step%500 == 0 {
			for h := range keys {
				if !s.mayHold(h) {
					t.Fatalf("step %d: the summary denies a key the map holds", step)
				}
			}
		}
	}
	maybe := 0
	for range 10000 {
		if s.mayHold(r.Uint64()) {
			maybe++
		}
	}
	if maybe > 1000 {
		t.Errorf("the summary says maybe to %d absent keys in 10000", maybe)
	}
}
