package match

import "encoding/json"

// Filter is a compiled filter. It is immutable and safe for concurrent use. The nil
// *Filter matches every event, as does the filter {}.
type Filter struct {
	root node
}

// node is a filter object: all of its conditions and all of its "$or"s must hold.
type node struct {
	conds []cond
	ors   []orNode
}

// orNode is an "$or": at least one branch must hold.
type orNode struct {
	field    string // its place in the filter, such as "$or" or "$or[1].$or"
	branches []*node
}

// cond is one key of a filter object: a path and the alternatives its value lists.
type cond struct {
	field     string // its place in the filter, such as "data.jobType" or "$or[0].event"
	path      string // the event path
	hash      uint64 // hashString(path)
	tests     []pred // the alternatives other than "exists"
	ifMissing bool   // an alternative is {"exists": false}
	ifPresent bool   // an alternative is {"exists": true}
	// keys holds one index key per alternative, or is nil when some alternative
	// has none: the condition then cannot be indexed.
	keys     []key
	operator string          // for explanations: the operator, "equals" or "any-of"
	operand  json.RawMessage // for explanations: the value as written
}

// keyKind says which index of a path a key goes to.
type keyKind uint8

const (
	keyString  keyKind = iota + 1 // a string value equals s
	keyNumber                     // a number equals n
	keyTrue                       // a value is true
	keyFalse                      // a value is false
	keyNull                       // a value is null
	keyPrefix                     // a string value begins with s
	keySuffix                     // a string value ends with s
	keyPresent                    // the path is present
)

// key is a necessary condition for an alternative to hold that an index can look up:
// an alternative never holds on an event where its key is not found.
type key struct {
	kind keyKind
	s    string
	n    float64
}

// Match reports whether ev matches the filter.
func (f *Filter) Match(ev *Event) bool {
	if f == nil {
		return true
	}
	return f.root.match(ev)
}

func (n *node) match(ev *Event) bool {
	for i := range n.conds {
		if !n.conds[i].match(ev) {
			return false
		}
	}
	for i := range n.ors {
		if !n.ors[i].match(ev) {
			return false
		}
	}
	return true
}

func (o *orNode) match(ev *Event) bool {
	for _, b := range o.branches {
		if b.match(ev) {
			return true
		}
	}
	return false
}

func (c *cond) match(ev *Event) bool {
	return c.matchAt(ev, ev.find(c.path, c.hash))
}

// matchAt is match with the path already looked up: h is its index in ev.paths or -1.
func (c *cond) matchAt(ev *Event, h int) bool {
	if h < 0 {
		return c.ifMissing
	}
	if c.ifPresent {
		return true
	}
	for i := ev.paths[h].head; i >= 0; i = ev.vals[i].next {
		v := &ev.vals[i]
		if v.kind >= kObject {
			continue
		}
		b := ev.text[v.off:v.end]
		for j := range c.tests {
			if c.tests[j].test(v, b) {
				return true
			}
		}
	}
	return false
}
