package match_test

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestCrowdedKeyAgreesWithReference files hundreds of triggers under the same few
// keys, with every kind of event type pattern, and checks the Matcher against the
// Reference as triggers are added, replaced and removed, until the buckets empty.
func TestCrowdedKeyAgreesWithReference(t *testing.T) {
	g := newGen(3)
	w := newWorld()
	// Every filter needs resource.id "hot" or "warm"; some add a random condition.
	trigger := func(i int) genTrigger {
		tr := g.trigger(i)
		for len(tr.patterns) == 0 {
			tr.patterns = g.patterns()
		}
		key := []string{"hot", "warm"}[g.r.IntN(2)]
		tr.filter = fmt.Sprintf(`{"resource.id":%q}`, key)
		if g.r.IntN(2) == 0 {
			tr.filter = fmt.Sprintf(`{"resource.id":%q,"data.jobType":%s}`, key, mustJSON(g.condition()))
		}
		return tr
	}
	event := func() []byte {
		var ev map[string]any
		if err := json.Unmarshal(g.event(), &ev); err != nil {
			t.Fatal(err)
		}
		ev["resource"] = map[string]any{"id": []string{"hot", "warm", "cold"}[g.r.IntN(3)]}
		if g.r.IntN(2) == 0 {
			ev["data"] = map[string]any{"jobType": g.value()}
		}
		return []byte(mustJSON(ev))
	}
	const triggers = 600
	matched := 0
	for i := range triggers {
		if !w.add(t, trigger(i)) {
			t.Fatalf("the generator made an invalid filter")
		}
		if i%4 == 0 {
			j := g.r.IntN(i + 1)
			if g.r.IntN(2) == 0 {
				w.remove(fmt.Sprintf("t%d", j))
			} else {
				w.add(t, trigger(j))
			}
		}
		if i%5 == 0 {
			w.check(t, event())
		}
	}
	for range 1000 {
		raw := event()
		w.check(t, raw)
		matched += len(w.r.Match(parse(t, string(raw))))
	}
	if matched < 1000 {
		t.Errorf("only %d matches over 1000 events: the test hardly exercises matching", matched)
	}
	// Emptying the buckets one trigger at a time, parts before or after their owner.
	for id := range w.triggers {
		w.remove(id)
		if len(w.triggers)%20 == 0 {
			w.check(t, event())
		}
	}
	w.check(t, event())
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
