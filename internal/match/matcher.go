package match

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync"
)

// Matcher finds the triggers that match an event without trying each one. The zero
// value is an empty Matcher ready to use. It is safe for concurrent use: Match calls
// run in parallel, Add and Remove one at a time and apart from them (a sync.RWMutex).
//
// Each trigger is filed under one condition of its filter: an equality (under each of
// its values), a prefix (also the literal beginning of a wildcard, or of a regular
// expression anchored with ^), a suffix, or {"exists": true}. Among them it takes the
// one through which events are expected to meet the fewest triggers, estimated from
// the triggers already under each key and the number of distinct keys at each path:
// data.jobType, with few values, loses to resource.id, with many, whatever the order
// of the keys. A filter whose top level has no such condition, but an "$or" whose
// branches all have one, is filed under one condition of each branch. The buckets are
// hash maps from values, and from prefixes and suffixes, per path, shared by all
// event types; each entry carries the id of its trigger's set of event type patterns,
// which an event decides once, so that the entries of other types cost little.
//
// A trigger with nothing to file under goes in a list per event type pattern: a map of
// exact types, and a map of wildcard patterns by their literal beginnings
// ("job.Job*" under "job.Job", "*" under ""). An event is checked against those
// lists for its type and against the buckets its values reach, and only the
// triggers found there are evaluated, each once.
//
// Add and Remove change only the buckets of one trigger, and Add those of two more,
// which it files again: taking the triggers in turn, every choice is made again as
// the index fills, and those made while it was nearly empty improve. Nothing is
// ever rebuilt.
type Matcher struct {
	mu       sync.RWMutex
	triggers map[string]*trigger
	index                              // triggers filed under a condition
	exact    map[string]*bucket        // the other triggers, by exact event type
	patterns map[string]*patternBucket // and by wildcard pattern
	wild     affixes[[]*patternBucket] // the same, by literal beginning
	typesets map[string]*typeset       // by key
	types    []*typeset                // by id; nil for unused ids
	freeIDs  []int32                   // unused typeset ids
	free     []int32                   // slots of removed triggers
	slots    int32                     // slots handed out
	order    []*trigger                // every trigger, for refiling in turn
	cursor   int                       // the position in order refiled last
	scans    sync.Pool                 // *scan
}

// trigger is one trigger in a Matcher.
type trigger struct {
	id     string
	filter *Filter
	types  *typeset // nil without patterns
	slot   int32    // a small number unique among the current triggers
	pos    int      // position in Matcher.order
	regs   []reg
}

// typeset is a set of event type patterns, shared by the triggers that have it.
type typeset struct {
	id    int32
	key   string   // the patterns, sorted, joined by "\x00"
	names []string // the patterns
	pats  []wildcard
	users int
}

func (ts *typeset) match(typ []byte) bool {
	for i := range ts.pats {
		if ts.pats[i].match(typ) {
			return true
		}
	}
	return false
}

// patternBucket holds the unfiled triggers of one wildcard pattern.
type patternBucket struct {
	wild wildcard
	b    *bucket
}

// matchAll is the filter of triggers added without one.
var matchAll = &Filter{}

// Add adds a trigger, or replaces the trigger with the same id. It matches events
// whose type matches one of the patterns in events (see [Reference.Add]) and that
// match f; a nil f matches every event. A trigger without patterns matches nothing.
func (m *Matcher) Add(id string, events []string, f *Filter) {
	if f == nil {
		f = matchAll
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.triggers == nil {
		m.triggers = make(map[string]*trigger)
		m.exact = make(map[string]*bucket)
		m.patterns = make(map[string]*patternBucket)
		m.typesets = make(map[string]*typeset)
	}
	m.remove(id)
	t := &trigger{id: id, filter: f, pos: len(m.order)}
	m.triggers[id] = t
	m.order = append(m.order, t)
	if n := len(m.free); n > 0 {
		t.slot = m.free[n-1]
		m.free = m.free[:n-1]
	} else {
		t.slot = m.slots
		m.slots++
	}
	pats := slices.Clone(events)
	slices.Sort(pats)
	pats = slices.Compact(pats)
	if len(pats) == 0 {
		return
	}
	t.types = m.typeset(pats)
	m.place(t)
	m.refileNext(t)
}

// place files t under a condition of its filter, or in the lists of its patterns.
func (m *Matcher) place(t *trigger) {
	if m.file(t) {
		return
	}
	for _, p := range t.types.names {
		m.unfiled(p).add(t)
	}
}

// unplace takes t out of every bucket.
func (m *Matcher) unplace(t *trigger) {
	for i := range t.regs {
		r := t.regs[i]
		r.b.remove(r.i)
	}
	t.regs = nil
}

// refileNext files again the next two triggers in turn, other than t. A trigger is
// filed by what the index holds when it is added; the first ones, filed while it was
// nearly empty, may sit under a key that later proved common. With two triggers per
// Add the turn goes round faster than triggers are added, so every trigger is filed
// again each time the count of triggers has doubled, the last time with the index
// at least half as full as it is: at a constant cost per Add.
func (m *Matcher) refileNext(t *trigger) {
	for range 2 {
		if len(m.order) < 2 {
			return
		}
		m.cursor++
		if m.cursor >= len(m.order) {
			m.cursor = 0
		}
		u := m.order[m.cursor]
		if u == t || u.types == nil {
			continue
		}
		m.unplace(u)
		m.place(u)
	}
}

// typeset returns the shared typeset of the sorted, distinct patterns pats, with one
// more user.
func (m *Matcher) typeset(pats []string) *typeset {
	key := strings.Join(pats, "\x00")
	ts := m.typesets[key]
	if ts == nil {
		ts = &typeset{key: key, names: pats}
		for _, p := range pats {
			w, _ := parseWildcard(p)
			ts.pats = append(ts.pats, w)
		}
		if n := len(m.freeIDs); n > 0 {
			ts.id = m.freeIDs[n-1]
			m.freeIDs = m.freeIDs[:n-1]
			m.types[ts.id] = ts
		} else {
			ts.id = int32(len(m.types))
			m.types = append(m.types, ts)
		}
		m.typesets[key] = ts
	}
	ts.users++
	return ts
}

// unfiled returns the bucket of the unfiled triggers of pattern p, creating it.
func (m *Matcher) unfiled(p string) *bucket {
	w, _ := parseWildcard(p)
	if w.literal() {
		typ := w.segs[0]
		b := m.exact[typ]
		if b == nil {
			b = m.newBucket(func() { delete(m.exact, typ) })
			m.exact[typ] = b
		}
		return b
	}
	pb := m.patterns[p]
	if pb == nil {
		pb = &patternBucket{wild: w}
		begin := w.segs[0]
		pb.b = m.newBucket(func() {
			delete(m.patterns, p)
			pbs, _ := m.wild.get(begin)
			pbs = slices.DeleteFunc(pbs, func(x *patternBucket) bool { return x == pb })
			if len(pbs) == 0 {
				m.wild.delete(begin)
			} else {
				m.wild.put(begin, pbs)
			}
		})
		m.patterns[p] = pb
		pbs, _ := m.wild.get(begin)
		m.wild.put(begin, append(pbs, pb))
	}
	return pb.b
}

// Remove removes the trigger with the given id, if there is one.
func (m *Matcher) Remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(id)
}

func (m *Matcher) remove(id string) {
	t := m.triggers[id]
	if t == nil {
		return
	}
	delete(m.triggers, id)
	m.unplace(t)
	last := len(m.order) - 1
	m.order[t.pos] = m.order[last]
	m.order[t.pos].pos = t.pos
	m.order[last] = nil
	m.order = m.order[:last]
	m.free = append(m.free, t.slot)
	if ts := t.types; ts != nil {
		ts.users--
		if ts.users == 0 {
			delete(m.typesets, ts.key)
			m.types[ts.id] = nil
			m.freeIDs = append(m.freeIDs, ts.id)
		}
	}
}

// Len returns the number of triggers.
func (m *Matcher) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.triggers)
}

// Match returns the ids of the triggers that match ev, in no particular order.
func (m *Matcher) Match(ev *Event) []string { return m.AppendMatch(nil, ev) }

// AppendMatch appends the ids of the triggers that match ev to dst, in no particular
// order, each once, and returns the extended slice. With a dst large enough it
// allocates nothing.
func (m *Matcher) AppendMatch(dst []string, ev *Event) []string {
	dst, _ = m.AppendMatchStats(dst, ev)
	return dst
}

// MatchStats is the work one match took: what the cost of an event follows.
type MatchStats struct {
	// Entries is how many index entries the event reached, triggers of other event
	// types and those reached twice included.
	Entries int
	// Candidates is how many triggers were evaluated in full.
	Candidates int
}

// AppendMatchStats is AppendMatch that also returns the work the match took.
func (m *Matcher) AppendMatchStats(dst []string, ev *Event) ([]string, MatchStats) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if len(m.triggers) == 0 {
		return dst, MatchStats{}
	}
	s, _ := m.scans.Get().(*scan)
	if s == nil {
		s = &scan{}
	}
	s.start(m, ev, dst)
	if b := m.exact[string(ev.typ)]; b != nil {
		s.bucket(b)
	}
	m.wild.walk(ev.typ, s.patterns)
	s.index(&m.index)
	dst, st := s.out, s.stats
	s.ev, s.out, s.types, s.stats = nil, nil, nil, MatchStats{}
	m.scans.Put(s)
	return dst, st
}

// scan is the state of one AppendMatch call. A trigger may be reached several times:
// through several patterns, values of an array, or keys; stamps, by trigger slot,
// mark those already evaluated. memo, by typeset id, holds whether the event's type
// matches the typeset: gen<<1 | 1 when it does, gen<<1 when not.
type scan struct {
	ev     *Event
	out    []string
	types  []*typeset
	stamps []uint32
	memo   []uint32
	gen    uint32
	stats  MatchStats
}

func (s *scan) start(m *Matcher, ev *Event, dst []string) {
	s.ev, s.out, s.types = ev, dst, m.types
	if len(s.stamps) < int(m.slots) {
		s.stamps = make([]uint32, m.slots+m.slots/4)
		s.gen = 0
	}
	if len(s.memo) < len(m.types) {
		s.memo = make([]uint32, len(m.types)+len(m.types)/4+4)
		s.gen = 0
	}
	s.gen++
	if s.gen >= 1<<31 {
		s.gen = 1
		clear(s.stamps)
		clear(s.memo)
	} else if s.gen == 1 {
		clear(s.stamps)
		clear(s.memo)
	}
}

func (s *scan) patterns(pbs []*patternBucket) {
	for _, pb := range pbs {
		if pb.wild.match(s.ev.typ) {
			s.bucket(pb.b)
		}
	}
}

// index visits the buckets of x that the event's values reach.
func (s *scan) index(x *index) {
	ev := s.ev
	// Look up the fewer paths: the index's in the event, or the event's in the index.
	if len(x.list) <= len(ev.paths) {
		for _, pi := range x.list {
			if h := ev.find(pi.path, pi.hash); h >= 0 {
				s.path(pi, h)
			}
		}
		return
	}
	for h := range ev.paths {
		if pi := x.paths[string(ev.path(h))]; pi != nil {
			s.path(pi, h)
		}
	}
}

// path visits the buckets of pi that the values at ev.paths[h] reach.
func (s *scan) path(pi *pathIndex, h int) {
	ev := s.ev
	if pi.present != nil {
		s.bucket(pi.present)
	}
	for i := ev.paths[h].head; i >= 0; i = ev.vals[i].next {
		v := &ev.vals[i]
		switch v.kind {
		case kString:
			text := ev.text[v.off:v.end]
			if h := maphash.Bytes(valueSeed, text); pi.sum.mayHold(h) {
				if b := pi.strs[h]; b != nil {
					s.bucket(b)
				}
			}
			if pi.prefixes != nil {
				pi.prefixes.walk(text, s.bucket)
			}
			if pi.suffixes != nil {
				pi.suffixes.walk(text, s.bucket)
			}
		case kNumber:
			if b := pi.nums[v.num]; b != nil {
				s.bucket(b)
			}
		case kTrue, kFalse, kNull:
			if b := pi.lits[v.kind-kTrue]; b != nil {
				s.bucket(b)
			}
		}
	}
}

// bucket evaluates the triggers of b for the event's type not evaluated yet.
func (s *scan) bucket(b *bucket) {
	s.stats.Entries += len(b.items)
	for i := range b.items {
		e := &b.items[i]
		// The memo is small and read first: entries of other event types are skipped
		// without reading the larger stamps.
		if m := s.memo[e.types]; m>>1 != s.gen {
			m = s.gen << 1
			if s.types[e.types].match(s.ev.typ) {
				m |= 1
			}
			s.memo[e.types] = m
			if m&1 == 0 {
				continue
			}
		} else if m&1 == 0 {
			continue
		}
		if s.stamps[e.slot] == s.gen {
			continue
		}
		s.stamps[e.slot] = s.gen
		s.stats.Candidates++
		if e.root.match(s.ev) {
			s.out = append(s.out, e.t.id)
		}
	}
}
