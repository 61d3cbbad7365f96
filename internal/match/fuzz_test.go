package match_test

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

// fuzzFilters are filters for the seed corpus of FuzzFilter, each valid or not.
var fuzzFilters = []string{
	`{}`, `null`, `[]`, `{"a":1}`, `{"resource.type":"itemsvc.*"}`, `{"a":"\\*"}`, `{"a":"\\"}`,
	`{"data.jobType":["TRANSCODE",{"prefix":"PRO"}]}`,
	`{"x":{"numeric":[">",0,"<=",5]}}`, `{"x":{"cidr":"10.0.0.0/24"}}`, `{"x":{"cidr":"::/0"}}`,
	`{"x":{"anything-but":["a",1,null,true]}}`, `{"x":{"exists":false}}`, `{"x":[{"exists":true},"a"]}`,
	`{"x":{"regex":"^a(b|c)*$"}}`, `{"x":{"regex":"("}}`, `{"x":{"equals-ignore-case":"É"}}`,
	`{"$or":[{"a":1},{"$or":[{"b":"x*"},{"c":{"suffix":"z"}}]}]}`, `{"$or":[{}]}`, `{"a..b":1}`,
	`{"x":{"wildcard":"*a*b*"}}`, `{"x":{"exact":"*"}}`, `{"x":[[]]}`, `{"x":{"nope":1}}`,
}

// fuzzEvents are events for the seed corpus of FuzzFilter.
var fuzzEvents = []string{
	`{}`, `{"event":"job.JobFinished","a":1,"x":"abc"}`, `{"a":[1,"1",true,null],"x":[]}`,
	`{"x":"10.0.0.7"}`, `{"x":{"y":1}}`, `{"x":"é","b":"xy","c":"xyz"}`, `{"x":"a\u002ab"}`, `[]`, `{"x":`,
}

// FuzzFilter compiles any filter and parses any event, and checks on what they
// accept that nothing panics, that Match and Explain agree, and that a Matcher and a
// Reference holding the filter agree.
func FuzzFilter(f *testing.F) {
	for _, fl := range fuzzFilters {
		for _, ev := range fuzzEvents {
			f.Add(fl, ev)
		}
	}
	f.Fuzz(func(t *testing.T, filter, event string) {
		flt, err := match.Compile(json.RawMessage(filter))
		if err != nil {
			faultOf(t, err)
			return
		}
		ev, err := match.ParseEvent([]byte(event))
		if err != nil {
			faultOf(t, err)
			return
		}
		want := flt.Match(ev)
		if x := flt.Explain(ev); x.Matched != want {
			t.Fatalf("Explain %v, Match %v", x.Matched, want)
		}
		var m match.Matcher
		var r match.Reference
		for _, id := range []string{"a", "b"} {
			m.Add(id, []string{"*"}, flt)
			r.Add(id, []string{"*"}, flt)
		}
		m.Add("c", []string{ev.Type()}, flt)
		r.Add("c", []string{ev.Type()}, flt)
		m.Remove("b")
		r.Remove("b")
		got, ref := m.Match(ev), r.Match(ev)
		if !sameIDs(got, ref) || len(ref) > 0 != want {
			t.Fatalf("Matcher %v, Reference %v, Match %v", got, ref, want)
		}
	})
}

// FuzzMatcher builds random trigger sets from a seed, adds and removes triggers, and
// checks that the Matcher and the Reference agree on random events.
func FuzzMatcher(f *testing.F) {
	for seed := range uint64(16) {
		f.Add(seed, uint8(40), uint8(20))
	}
	f.Fuzz(func(t *testing.T, seed uint64, triggers, events uint8) {
		g := newGen(seed)
		w := newWorld()
		for i := range int(triggers) {
			w.add(t, g.trigger(i))
			if g.r.IntN(4) == 0 {
				w.remove(g.trigger(g.r.IntN(i + 1)).id)
			}
		}
		for range int(events) {
			w.check(t, g.event())
		}
	})
}
