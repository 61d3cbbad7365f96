package match

// summary is a Bloom filter of the string keys of a path: two bits per key, from the
// two halves of the key's 64-bit hash, in an array of eight to sixteen bits per key.
// Most values an event holds have no bucket, and a path with many keys has a map too
// large to stay in cache; the summary, a byte or two per key, does, and tells at once
// of most values that the map would not hold them. It answers "maybe" for one absent
// value in twenty or fewer, and never "no" for a present one.
//
// Deleting a key leaves its bits set, which only makes more "maybe". The summary is
// made again from the map's keys when the keys outgrow it or when as many have been
// deleted since it was made as it holds: like the growth of a map, that costs a
// constant time per key added or deleted, over time.
type summary struct {
	bits    []uint64
	mask    uint64 // len(bits)*64 - 1
	deletes int    // keys deleted since the summary was made
}

// minSummaryBits is the smallest summary, in bits.
const minSummaryBits = 1024

func (s *summary) mayHold(h uint64) bool {
	if s.bits == nil {
		return true
	}
	a, b := h&s.mask, (h>>32)&s.mask
	return s.bits[a>>6]&(1<<(a&63)) != 0 && s.bits[b>>6]&(1<<(b&63)) != 0
}

func (s *summary) set(h uint64) {
	a, b := h&s.mask, (h>>32)&s.mask
	s.bits[a>>6] |= 1 << (a & 63)
	s.bits[b>>6] |= 1 << (b & 63)
}

// summaryAdded records in s that the key h was added to keys, which now holds it.
func summaryAdded[V any](s *summary, h uint64, keys map[uint64]V) {
	if s.bits == nil || uint64(8*len(keys)) > s.mask+1 {
		summaryRemake(s, keys)
		return
	}
	s.set(h)
}

// summaryDeleted records in s that a key was deleted from keys.
func summaryDeleted[V any](s *summary, keys map[uint64]V) {
	s.deletes++
	if s.deletes > len(keys) && s.mask+1 > minSummaryBits {
		summaryRemake(s, keys)
	}
}

func summaryRemake[V any](s *summary, keys map[uint64]V) {
	n := uint64(minSummaryBits)
	for n < uint64(16*len(keys)) {
		n *= 2
	}
	s.bits = make([]uint64, n/64)
	s.mask = n - 1
	s.deletes = 0
	for h := range keys {
		s.set(h)
	}
}
