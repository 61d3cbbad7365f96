package match

import "hash/maphash"

// This file holds the value index of a Matcher: for each path, hash maps from values
// to the triggers that need that value there, and from the prefixes and suffixes
// they need (see affixes). The index is shared by all event types; each entry carries
// the id of its trigger's event type patterns, so that an event skips the entries of
// other types without touching the triggers.

// bucket is the set of triggers under one index key. Most buckets hold one trigger,
// which is then kept inside the bucket itself: a lookup reads one cache line less.
type bucket struct {
	items  []entry
	drop   func() // removes the bucket, once empty, from where it is kept
	inline [1]entry
}

// slabSize is how many buckets are allocated at once.
const slabSize = 32

// newBucket returns an empty bucket, which drop removes once empty. Buckets come
// from slabs, so that they lie together in memory rather than among the filters
// compiled with them, and a lookup misses the cache less; dropped ones are reused.
func (x *index) newBucket(drop func()) *bucket {
	var b *bucket
	if n := len(x.freeBuckets); n > 0 {
		b = x.freeBuckets[n-1]
		x.freeBuckets = x.freeBuckets[:n-1]
	} else {
		if len(x.slab) == 0 {
			x.slab = make([]bucket, slabSize)
		}
		b = &x.slab[0]
		x.slab = x.slab[1:]
	}
	b.items = b.inline[:0]
	b.drop = func() {
		drop()
		*b = bucket{}
		x.freeBuckets = append(x.freeBuckets, b)
	}
	return b
}

// entry is a trigger in a bucket, with what deciding whether to evaluate it needs,
// so that triggers of other event types, or already evaluated, are skipped without
// reading the trigger.
type entry struct {
	t     *trigger
	root  *node // &t.filter.root
	r     int32 // the position of the bucket in t.regs
	types int32 // t.types.id
	slot  int32 // t.slot
}

// reg is a bucket holding a trigger; i is the trigger's position in b.items.
type reg struct {
	b *bucket
	i int32
}

// add puts t in b once.
func (b *bucket) add(t *trigger) {
	for _, r := range t.regs {
		if r.b == b {
			return
		}
	}
	t.regs = append(t.regs, reg{b: b, i: int32(len(b.items))})
	b.items = append(b.items, entry{t: t, root: &t.filter.root, r: int32(len(t.regs) - 1), types: t.types.id, slot: t.slot})
}

// remove takes out the entry at i, moving the last one into its place, and drops
// the bucket when it is empty.
func (b *bucket) remove(i int32) {
	last := int32(len(b.items) - 1)
	if i != last {
		moved := b.items[last]
		b.items[i] = moved
		moved.t.regs[moved.r].i = i
	}
	b.items[last] = entry{}
	b.items = b.items[:last]
	if last == 0 {
		b.drop()
	}
}

// valueSeed seeds the hashes of string values. Buckets of strings are keyed by the
// hash alone: two strings with the same hash share a bucket, whose triggers are then
// evaluated on events holding either, which costs time but not correctness, as
// every candidate is evaluated in full. Without the strings in the map, a lookup
// reads one cache line less. The seed is random so that colliding values cannot be
// chosen in advance.
var valueSeed = maphash.MakeSeed()

// index is the value index: one pathIndex per path some trigger is filed under.
type index struct {
	paths       map[string]*pathIndex
	list        []*pathIndex // the values of paths, for iterating without a map
	slab        []bucket
	freeBuckets []*bucket
	// dropped holds, for paths whose pathIndex went, the most keys it had, which
	// stands for the path's number of distinct values when a trigger is filed again.
	dropped map[string]int
}

// maxDropped bounds index.dropped.
const maxDropped = 4096

// pathIndex indexes the conditions on one path.
type pathIndex struct {
	path     string
	hash     uint64
	pos      int                // position in index.list
	strs     map[uint64]*bucket // by maphash of the value
	sum      summary            // of the keys of strs
	nums     map[float64]*bucket
	lits     [3]*bucket // keyTrue, keyFalse, keyNull
	present  *bucket
	prefixes *affixes[*bucket]
	suffixes *affixes[*bucket]
	n        int // buckets
	most     int // the most buckets it has had
	x        *index
}

func (x *index) pathIndex(path string, create bool) *pathIndex {
	pi := x.paths[path]
	if pi == nil && create {
		if x.paths == nil {
			x.paths = make(map[string]*pathIndex)
		}
		pi = &pathIndex{path: path, hash: hashString(path), pos: len(x.list), x: x}
		x.paths[path] = pi
		x.list = append(x.list, pi)
	}
	return pi
}

// release is called when a bucket of pi is dropped.
func (pi *pathIndex) release() {
	pi.n--
	if pi.n > 0 {
		return
	}
	x := pi.x
	delete(x.paths, pi.path)
	if x.dropped == nil {
		x.dropped = make(map[string]int)
	}
	if len(x.dropped) < maxDropped {
		x.dropped[pi.path] = pi.most
	}
	last := len(x.list) - 1
	x.list[pi.pos] = x.list[last]
	x.list[pi.pos].pos = pi.pos
	x.list[last] = nil
	x.list = x.list[:last]
}

// size returns how many triggers are in the bucket of k.
func (pi *pathIndex) size(k *key) int {
	if b := pi.bucket(k, false); b != nil {
		return len(b.items)
	}
	return 0
}

// bucket returns the bucket of k, creating it when asked.
func (pi *pathIndex) bucket(k *key, create bool) *bucket {
	switch k.kind {
	case keyString:
		h := maphash.String(valueSeed, k.s)
		b := pi.strs[h]
		if b == nil && create {
			if pi.strs == nil {
				pi.strs = make(map[uint64]*bucket)
			}
			b = pi.newBucket(func() {
				delete(pi.strs, h)
				summaryDeleted(&pi.sum, pi.strs)
			})
			pi.strs[h] = b
			summaryAdded(&pi.sum, h, pi.strs)
		}
		return b
	case keyNumber:
		b := pi.nums[k.n]
		if b == nil && create {
			if pi.nums == nil {
				pi.nums = make(map[float64]*bucket)
			}
			n := k.n
			b = pi.newBucket(func() { delete(pi.nums, n) })
			pi.nums[n] = b
		}
		return b
	case keyTrue, keyFalse, keyNull:
		i := k.kind - keyTrue
		if pi.lits[i] == nil && create {
			pi.lits[i] = pi.newBucket(func() { pi.lits[i] = nil })
		}
		return pi.lits[i]
	case keyPresent:
		if pi.present == nil && create {
			pi.present = pi.newBucket(func() { pi.present = nil })
		}
		return pi.present
	}
	t := &pi.prefixes
	if k.kind == keySuffix {
		t = &pi.suffixes
	}
	if *t == nil {
		if !create {
			return nil
		}
		*t = &affixes[*bucket]{suffix: k.kind == keySuffix}
	}
	tr, s := *t, k.s
	b, _ := tr.get(s)
	if b == nil && create {
		b = pi.newBucket(func() { tr.delete(s) })
		tr.put(s, b)
	}
	return b
}

// newBucket returns an empty bucket of pi that unlink removes from its map.
func (pi *pathIndex) newBucket(unlink func()) *bucket {
	pi.n++
	pi.most = max(pi.most, pi.n)
	return pi.x.newBucket(func() { unlink(); pi.release() })
}

// target is one index key of a trigger's plan: the bucket of k at the path of c.
type target struct {
	c *cond
	k *key
}

// The cost of filing a trigger under a key estimates how many triggers an event will
// meet through it: the triggers in the bucket, the new one included, times the chance
// that an event holds the key's value. Values of a path are taken as equally likely,
// so the chance is one over the number of keys at the path; a path without keys
// counts the most it had before, or unseenKeys if it never had any, which lets a
// trigger explore a path that may prove selective rather than join a crowded bucket.
// A prefix or a suffix covers more values than an equality, which keyWeight accounts
// for; a presence key is met by every event with the path.
//
// Thus a filter {"resource.id": "i1", "data.jobType": "TRANSCODE"} is filed under
// resource.id as soon as that path has more distinct keys than jobType: an event
// holding jobType TRANSCODE does not meet every such trigger.
const unseenKeys = 64

var keyWeight = [...]float64{
	keyString: 1,
	keyNumber: 1,
	keyTrue:   1,
	keyFalse:  1,
	keyNull:   1,
	keyPrefix: 2,
	keySuffix: 4,
}

// cost returns the cost of filing a trigger under the keys of c.
func (x *index) cost(c *cond) float64 {
	pi := x.paths[c.path]
	keys := unseenKeys
	if pi != nil {
		keys = pi.n
	} else if most, ok := x.dropped[c.path]; ok {
		keys = most
	}
	total := 0.0
	for i := range c.keys {
		k := &c.keys[i]
		size := 0
		if pi != nil {
			size = pi.size(k)
		}
		if k.kind == keyPresent {
			total += float64(size + 1)
		} else {
			total += keyWeight[k.kind] * float64(size+1) / float64(keys)
		}
	}
	return total
}

// best returns the cheapest way to file n: the index of a condition, or
// len(n.conds)+j for the j-th "$or", each of whose branches is then filed its own
// best way. It returns -1 when n has nothing to file under: every event may match it.
func (x *index) best(n *node) (float64, int) {
	pick, least := -1, 0.0
	for i := range n.conds {
		c := &n.conds[i]
		if c.keys == nil {
			continue
		}
		if cost := x.cost(c); pick < 0 || cost < least {
			pick, least = i, cost
		}
	}
orLoop:
	for j := range n.ors {
		total := 0.0
		for _, b := range n.ors[j].branches {
			cost, p := x.best(b)
			if p < 0 {
				continue orLoop
			}
			total += cost
		}
		if pick < 0 || total < least {
			pick, least = len(n.conds)+j, total
		}
	}
	return least, pick
}

// plan appends the targets of the way to file n that best chose, pick, to out.
func (x *index) plan(n *node, pick int, out []target) []target {
	if pick < len(n.conds) {
		c := &n.conds[pick]
		for i := range c.keys {
			out = append(out, target{c: c, k: &c.keys[i]})
		}
		return out
	}
	for _, b := range n.ors[pick-len(n.conds)].branches {
		_, p := x.best(b)
		out = x.plan(b, p, out)
	}
	return out
}

// file puts t in the buckets of the best plan for its filter, and reports whether it
// has one.
func (x *index) file(t *trigger) bool {
	_, pick := x.best(&t.filter.root)
	if pick < 0 {
		return false
	}
	for _, tg := range x.plan(&t.filter.root, pick, nil) {
		x.pathIndex(tg.c.path, true).bucket(tg.k, true).add(t)
	}
	return true
}
