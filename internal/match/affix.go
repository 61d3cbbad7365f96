package match

import (
	"math/bits"
	"math/rand/v2"
)

// affixes finds, for a string, the values of the keys that begin it (or, for
// suffixes, end it). Keys are kept in a hash map by a hash of their bytes, computed
// byte by byte, so that one pass over a string yields the hash of each of its
// prefixes; the string is looked up at the lengths some key has, which a bit set
// tells, and a summary of the keys skips most lookups that would find nothing.
//
// A tree walked byte by byte would read a node per step, and with many keys the
// nodes down a path are seldom in cache; here a string costs a pass over at most
// maxAffixBytes of its bytes and, at each length some key has, two bits of the
// summary, which stays in cache.
//
// Keys longer than maxAffixBytes are kept by their first (last) maxAffixBytes bytes,
// and keys with the same hash share a value: both only make a lookup find more, which
// the index allows, as it evaluates every candidate in full.
type affixes[V any] struct {
	suffix bool
	vals   map[uint64]V
	counts [maxAffixBytes + 1]int32 // keys of each length
	lens   uint64                   // bit l is set when a key has length l
	sum    summary
}

// maxAffixBytes is how many bytes of a key count, so that lens fits in a word.
const maxAffixBytes = 63

// affixSeed seeds the hashes of keys, so that colliding keys cannot be chosen in
// advance.
var affixSeed = rand.Uint64()

// affixHash returns the hash of key, truncated to maxAffixBytes as keys are, and its
// length.
func (a *affixes[V]) affixHash(key string) (uint64, int) {
	if len(key) > maxAffixBytes {
		if a.suffix {
			key = key[len(key)-maxAffixBytes:]
		} else {
			key = key[:maxAffixBytes]
		}
	}
	h := uint64(affixSeed)
	for i := range len(key) {
		c := key[i]
		if a.suffix {
			c = key[len(key)-1-i]
		}
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h), len(key)
}

// mix spreads the bits of an FNV state over the whole word (the finalizer of
// SplitMix64), as the summary and the map take bits from both halves.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

func (a *affixes[V]) get(key string) (V, bool) {
	h, _ := a.affixHash(key)
	v, ok := a.vals[h]
	return v, ok
}

func (a *affixes[V]) put(key string, v V) {
	h, l := a.affixHash(key)
	if a.vals == nil {
		a.vals = make(map[uint64]V)
	}
	if _, ok := a.vals[h]; !ok {
		a.counts[l]++
		a.lens |= 1 << l
		a.vals[h] = v
		summaryAdded(&a.sum, h, a.vals)
		return
	}
	a.vals[h] = v
}

func (a *affixes[V]) delete(key string) {
	h, l := a.affixHash(key)
	if _, ok := a.vals[h]; !ok {
		return
	}
	delete(a.vals, h)
	a.counts[l]--
	if a.counts[l] == 0 {
		a.lens &^= 1 << l
	}
	summaryDeleted(&a.sum, a.vals)
}

// walk calls fn with the value of every key that begins s (ends s, for suffixes),
// and perhaps of others: see affixes.
func (a *affixes[V]) walk(s []byte, fn func(V)) {
	if a.lens == 0 {
		return
	}
	h := uint64(affixSeed)
	if a.lens&1 != 0 {
		a.visit(mix(h), fn)
	}
	// The longest key length that matters, for stopping early.
	last := min(len(s), 63-bits.LeadingZeros64(a.lens))
	for l := 1; l <= last; l++ {
		c := s[l-1]
		if a.suffix {
			c = s[len(s)-l]
		}
		h = (h ^ uint64(c)) * fnvPrime
		if a.lens&(1<<l) != 0 {
			a.visit(mix(h), fn)
		}
	}
}

func (a *affixes[V]) visit(h uint64, fn func(V)) {
	if a.sum.mayHold(h) {
		if v, ok := a.vals[h]; ok {
			fn(v)
		}
	}
}
