package match_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// gen makes random filters, event type patterns and events over a small world, small
// enough that random events often meet random filters and that every operator, array,
// missing field and index kind comes up.
type gen struct {
	r *rand.Rand
}

func newGen(seed uint64) gen { return gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

var (
	genPaths = []string{
		"event", "resource.type", "resource.id", "resource.namespaces", "data.jobType",
		"data.metadata.title", "data.metadata.size", "data.items.name", "user.id", "x", "x.y",
	}
	genStrings = []string{"a", "ab", "abc", "b", "ba", "A", "é", "É", "a*b", "", "10.0.0.1", "::ffff:10.0.0.2", "2001:db8::1", "job.A", `a\b`,
		// Longer than the bytes of a prefix or suffix the index keeps.
		strings.Repeat("ab", 40), strings.Repeat("ab", 40) + "c", "c" + strings.Repeat("ab", 40)}
	genNumbers = []float64{0, -1, 1, 1.5, 5, 42}
	genTypes   = []string{"job.A", "job.B", "item.A", "item.Created", "system.X", "a*b"}
	genPats    = []string{"job.A", "job.B", "item.A", "item.Created", "system.X", "job.*", "*", "*.A", "item.*d", "*.*", `a\*b`, "a*b", "nope.X", "j*"}
	genPieces  = []string{"a", "b", "é", ".", "*", "*", `\*`, `\\`, "job", "A"}
	genRegexps = []string{"^a", "b$", "^ab?c", "a|b", "(?i)^A", "^é", "^job\\.", "^$", ".", "^(?:ab|ac)"}
	genCIDRs   = []string{"10.0.0.0/8", "10.0.0.1/32", "2001:db8::/32", "::/0", "0.0.0.0/0"}
	genNumOps  = []string{"<", "<=", "=", ">", ">="}
)

func pick[T any](g gen, list []T) T { return list[g.r.IntN(len(list))] }

// filter returns a random filter as JSON.
func (g gen) filter() string {
	b, _ := json.Marshal(g.object(0))
	return string(b)
}

func (g gen) object(depth int) map[string]any {
	obj := map[string]any{}
	for range g.r.IntN(4) {
		obj[pick(g, genPaths)] = g.condition()
	}
	if depth < 2 && g.r.IntN(4) == 0 {
		var branches []any
		for range 2 + g.r.IntN(2) {
			branches = append(branches, g.object(depth+1))
		}
		obj["$or"] = branches
	}
	return obj
}

func (g gen) condition() any {
	if g.r.IntN(4) == 0 {
		alts := make([]any, 1+g.r.IntN(3))
		for i := range alts {
			alts[i] = g.alternative()
		}
		return alts
	}
	return g.alternative()
}

func (g gen) scalar() any {
	switch g.r.IntN(8) {
	case 0, 1, 2:
		return pick(g, genStrings)
	case 3, 4:
		return pick(g, genNumbers)
	case 5:
		return true
	case 6:
		return false
	}
	return nil
}

func (g gen) pattern() string {
	var b strings.Builder
	for range g.r.IntN(4) {
		b.WriteString(pick(g, genPieces))
	}
	return b.String()
}

func (g gen) alternative() any {
	switch g.r.IntN(16) {
	case 0, 1, 2:
		return g.scalar()
	case 3, 4:
		return g.pattern()
	case 5:
		return map[string]any{"exact": pick(g, genStrings)}
	case 6:
		return map[string]any{"prefix": pick(g, genStrings)}
	case 7:
		return map[string]any{"suffix": pick(g, genStrings)}
	case 8:
		return map[string]any{"wildcard": g.pattern()}
	case 9:
		return map[string]any{"regex": pick(g, genRegexps)}
	case 10:
		return map[string]any{"equals-ignore-case": pick(g, genStrings)}
	case 11:
		if g.r.IntN(2) == 0 {
			return map[string]any{"anything-but": g.scalar()}
		}
		return map[string]any{"anything-but": []any{g.scalar(), g.scalar()}}
	case 12:
		return map[string]any{"exists": g.r.IntN(2) == 0}
	case 13:
		n := []any{pick(g, genNumOps), pick(g, genNumbers)}
		if g.r.IntN(2) == 0 {
			n = append(n, pick(g, genNumOps), pick(g, genNumbers))
		}
		return map[string]any{"numeric": n}
	case 14:
		return map[string]any{"cidr": pick(g, genCIDRs)}
	}
	return pick(g, genStrings)
}

// patterns returns the event type patterns of a random trigger; sometimes none.
func (g gen) patterns() []string {
	var out []string
	for range g.r.IntN(4) {
		out = append(out, pick(g, genPats))
	}
	if len(out) == 0 && g.r.IntN(3) > 0 {
		out = []string{"*"}
	}
	return out
}

// event returns a random event as JSON.
func (g gen) event() []byte {
	ev := map[string]any{}
	switch g.r.IntN(12) {
	case 0:
	case 1:
		ev["event"] = 1
	default:
		ev["event"] = pick(g, genTypes)
	}
	for _, p := range genPaths[1:] {
		if g.r.IntN(2) == 0 {
			g.set(ev, strings.Split(p, "."))
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// set gives the path segs in obj a random value, unless a scalar is in the way.
func (g gen) set(obj map[string]any, segs []string) {
	if len(segs) == 1 {
		obj[segs[0]] = g.value()
		return
	}
	next, ok := obj[segs[0]]
	if !ok {
		if segs[0] == "items" {
			var list []any
			for range 1 + g.r.IntN(3) {
				list = append(list, map[string]any{})
			}
			next = list
		} else {
			next = map[string]any{}
		}
		obj[segs[0]] = next
	}
	switch n := next.(type) {
	case map[string]any:
		g.set(n, segs[1:])
	case []any:
		for _, e := range n {
			if m, ok := e.(map[string]any); ok && g.r.IntN(3) > 0 {
				g.set(m, segs[1:])
			}
		}
	}
}

func (g gen) value() any {
	switch g.r.IntN(10) {
	case 0:
		return []any{}
	case 1, 2:
		list := make([]any, 1+g.r.IntN(3))
		for i := range list {
			list[i] = g.scalar()
		}
		return list
	case 3:
		return map[string]any{"z": g.scalar()}
	}
	return g.scalar()
}

// trigger is a random trigger, kept as text for messages.
type genTrigger struct {
	id       string
	patterns []string
	filter   string
}

func (g gen) trigger(i int) genTrigger {
	return genTrigger{id: fmt.Sprintf("t%d", i), patterns: g.patterns(), filter: g.filter()}
}
