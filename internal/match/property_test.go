package match_test

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

// world is a Matcher and a Reference holding the same triggers.
type world struct {
	m        match.Matcher
	r        match.Reference
	triggers map[string]genTrigger
}

func newWorld() *world { return &world{triggers: make(map[string]genTrigger)} }

// add adds tr to both, or reports that its filter is invalid.
func (w *world) add(tb testing.TB, tr genTrigger) bool {
	f, err := match.Compile(json.RawMessage(tr.filter))
	if err != nil {
		faultOf(tb, err)
		return false
	}
	w.m.Add(tr.id, tr.patterns, f)
	w.r.Add(tr.id, tr.patterns, f)
	w.triggers[tr.id] = tr
	return true
}

func (w *world) remove(id string) {
	w.m.Remove(id)
	w.r.Remove(id)
	delete(w.triggers, id)
}

// check compares the Matcher with the Reference on the event raw.
func (w *world) check(tb testing.TB, raw []byte) {
	tb.Helper()
	ev, err := match.ParseEvent(raw)
	if err != nil {
		tb.Fatalf("ParseEvent(%s): %v", raw, err)
	}
	got, want := w.m.Match(ev), w.r.Match(ev)
	if sameIDs(got, want) {
		return
	}
	tb.Errorf("event %s\nMatcher   %v\nReference %v", raw, sorted(got), sorted(want))
	gs, ws := map[string]bool{}, map[string]bool{}
	for _, id := range got {
		gs[id] = true
	}
	for _, id := range want {
		ws[id] = true
	}
	for id, tr := range w.triggers {
		if gs[id] != ws[id] {
			tb.Errorf("  %s: patterns %q filter %s: Matcher %v, Reference %v", id, tr.patterns, tr.filter, gs[id], ws[id])
		}
	}
	tb.FailNow()
}

// TestMatcherAgreesWithReference adds a few thousand random triggers, removing and
// replacing some on the way, and checks that the Matcher and the Reference agree on a
// few thousand random events.
func TestMatcherAgreesWithReference(t *testing.T) {
	g := newGen(1)
	w := newWorld()
	const triggers, events = 2000, 2000
	matched := 0
	for i := range triggers {
		if !w.add(t, g.trigger(i)) {
			t.Fatalf("the generator made an invalid filter")
		}
		if i%3 == 0 {
			// Remove or replace an earlier trigger.
			j := g.r.IntN(i + 1)
			if g.r.IntN(2) == 0 {
				w.remove(g.trigger(j).id)
			} else {
				w.add(t, g.trigger(j))
			}
		}
		if i%10 == 0 {
			w.check(t, g.event())
		}
	}
	for range events {
		raw := g.event()
		w.check(t, raw)
		ev := parse(t, string(raw))
		matched += len(w.r.Match(ev))
	}
	if matched < events {
		t.Errorf("only %d matches over %d events: the generator hardly exercises matching", matched, events)
	}
	// Removing everything leaves an empty index that still answers.
	for id := range w.triggers {
		w.remove(id)
	}
	w.check(t, g.event())
}

// TestExplainAgreesWithMatch checks Explain against Match on random filters and
// events, and that every step names a place in the filter.
func TestExplainAgreesWithMatch(t *testing.T) {
	g := newGen(2)
	for range 2000 {
		src := g.filter()
		f := compile(t, src)
		ev := parse(t, string(g.event()))
		x := f.Explain(ev)
		if x.Matched != f.Match(ev) {
			t.Fatalf("filter %s on %s: Explain %v, Match %v", src, ev, x.Matched, f.Match(ev))
		}
		for _, s := range x.Steps {
			if s.Field == "" || s.Operator == "" {
				t.Fatalf("filter %s: step %+v", src, s)
			}
		}
	}
}
