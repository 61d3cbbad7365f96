package match_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

func TestMatcherEventTypes(t *testing.T) {
	var m match.Matcher
	m.Add("exact", []string{"job.JobFinished"}, nil)
	m.Add("domain", []string{"job.*"}, nil)
	m.Add("all", []string{"*"}, nil)
	m.Add("partial", []string{"job.Job*"}, nil)
	m.Add("suffix", []string{"*.JobFinished"}, nil)
	m.Add("other", []string{"item.*", "job.JobCreated"}, nil)
	m.Add("two", []string{"job.JobFinished", "job.*", "*"}, nil)
	m.Add("placeholder", nil, nil)
	m.Add("star", []string{`job.\*`}, nil)
	for _, tt := range []struct {
		typ  string
		want []string
	}{
		{"job.JobFinished", []string{"exact", "domain", "all", "partial", "suffix", "two"}},
		{"job.JobCreated", []string{"domain", "all", "partial", "other", "two"}},
		{"job.Other", []string{"domain", "all", "two"}},
		{"job.*", []string{"domain", "all", "two", "star"}},
		{"item.ItemCreated", []string{"all", "other", "two"}},
		{"jobs.JobFinished", []string{"all", "suffix", "two"}},
		{"", []string{"all", "two"}},
	} {
		ev := parse(t, fmt.Sprintf(`{"event":%q}`, tt.typ))
		if got := m.Match(ev); !sameIDs(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.typ, sorted(got), sorted(tt.want))
		}
	}
	if m.Len() != 9 {
		t.Errorf("Len = %d", m.Len())
	}
}

func TestMatcherAddRemove(t *testing.T) {
	var m match.Matcher
	ev := parse(t, readEvent(t, "job-finished"))
	if got := m.Match(ev); len(got) != 0 {
		t.Fatalf("empty Matcher matched %v", got)
	}
	m.Remove("nothing")
	m.Add("a", []string{"job.*"}, compile(t, `{"data.jobType":"TRANSCODE"}`))
	m.Add("b", []string{"job.*"}, compile(t, `{"data.jobType":"PROXY"}`))
	m.Add("c", []string{"*"}, compile(t, `{"resource.path":{"prefix":"projects/p1/"}}`))
	check := func(want ...string) {
		t.Helper()
		if got := m.Match(ev); !sameIDs(got, want) {
			t.Errorf("Match = %v, want %v", sorted(got), sorted(want))
		}
	}
	check("a", "c")
	// Adding again replaces.
	m.Add("a", []string{"job.*"}, compile(t, `{"data.jobType":"IMPORT"}`))
	m.Add("b", []string{"job.*"}, compile(t, `{"data.jobType":["PROXY","TRANSCODE"]}`))
	check("b", "c")
	m.Add("c", []string{"item.*"}, compile(t, `{"resource.path":{"prefix":"projects/p1/"}}`))
	check("b")
	m.Remove("b")
	check()
	m.Add("b", nil, nil)
	check()
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3", m.Len())
	}
	m.Remove("a")
	m.Remove("b")
	m.Remove("c")
	if m.Len() != 0 {
		t.Errorf("Len = %d after removing all", m.Len())
	}
	m.Add("d", []string{"job.JobFinished"}, nil)
	check("d")
	buf := make([]string, 0, 4)
	if got := m.AppendMatch(buf[:0], ev); len(got) != 1 || &got[0] != &buf[:1][0] {
		t.Errorf("AppendMatch did not append into the buffer: %v", got)
	}
}

// TestMatcherIndexKinds adds, for each kind of index key, a trigger that one event
// reaches only through that key, plus many decoys, and checks both events.
func TestMatcherIndexKinds(t *testing.T) {
	filters := map[string]string{
		"string":     `{"resource.id":"i1"}`,
		"any-of":     `{"resource.id":["i0","i1"]}`,
		"number":     `{"data.metadata.size":42}`,
		"numeric-eq": `{"data.metadata.size":{"numeric":["=",42]}}`,
		"true":       `{"data.flag":true}`,
		"null":       `{"data.none":null}`,
		"prefix":     `{"resource.path":{"prefix":"projects/p1/"}}`,
		"wildcard":   `{"resource.path":"projects/p1/*"}`,
		"suffix":     `{"resource.path":{"suffix":"/i1"}}`,
		"wild-end":   `{"resource.path":"*/items/i1"}`,
		"regex":      `{"resource.path":{"regex":"^projects/p1/items/i[0-9]$"}}`,
		"exists":     `{"data.metadata.title":{"exists":true}}`,
		"or":         `{"$or":[{"resource.id":"i9"},{"user.id":"u1"}]}`,
		"unindexed":  `{"data.metadata.title":{"equals-ignore-case":"FINAL CUT"}}`,
		"regex-free": `{"data.metadata.title":{"regex":"cut$"}}`,
		"absent":     `{"data.nope":{"exists":false}}`,
		"mixed-or":   `{"$or":[{"resource.id":"i9"},{"user.id":{"anything-but":"u2"}}]}`,
		"array":      `{"resource.namespaces":"X"}`,
	}
	hit := parse(t, `{"event":"job.JobFinished","user":{"id":"u1"},"resource":{"id":"i1","path":"projects/p1/items/i1","namespaces":["W","X"]},
		"data":{"flag":true,"none":null,"metadata":{"title":"Final cut","size":42}}}`)
	miss := parse(t, `{"event":"job.JobFinished","user":{"id":"u2"},"resource":{"id":"i2","path":"projects/p2/items/i2","namespaces":[]},
		"data":{"flag":false,"nope":0,"metadata":{"size":41}}}`)
	var m match.Matcher
	var r match.Reference
	for i := range 200 {
		id := fmt.Sprintf("decoy%d", i)
		f := compile(t, fmt.Sprintf(`{"resource.id":"d%d","resource.path":{"prefix":"projects/d%d/"}}`, i, i))
		m.Add(id, []string{"job.*"}, f)
		r.Add(id, []string{"job.*"}, f)
	}
	var all []string
	for name, src := range filters {
		f := compile(t, src)
		m.Add(name, []string{"job.JobFinished"}, f)
		r.Add(name, []string{"job.JobFinished"}, f)
		all = append(all, name)
	}
	if got := m.Match(hit); !sameIDs(got, all) {
		t.Errorf("Match(hit) = %v, want %v", sorted(got), sorted(all))
	}
	if got, want := m.Match(miss), r.Match(miss); !sameIDs(got, want) {
		t.Errorf("Match(miss) = %v, want %v", sorted(got), sorted(want))
	}
}

func TestMatcherConcurrent(t *testing.T) {
	g := newGen(7)
	var m match.Matcher
	var r match.Reference
	for i := range 300 {
		tr := g.trigger(i)
		f := compile(t, tr.filter)
		m.Add(tr.id, tr.patterns, f)
		r.Add(tr.id, tr.patterns, f)
	}
	events := make([]*match.Event, 200)
	want := make([][]string, len(events))
	for i := range events {
		events[i] = parse(t, string(g.event()))
		want[i] = r.Match(events[i])
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var buf []string
			for i := range events {
				ev := events[(i+w*50)%len(events)]
				buf = m.AppendMatch(buf[:0], ev)
				if !sameIDs(buf, want[(i+w*50)%len(events)]) {
					t.Errorf("concurrent Match differs on event %d", i)
					return
				}
			}
		})
	}
	// Writers take turns with the readers; a trigger that matches nothing keeps the
	// expected answers the same.
	wg.Go(func() {
		for i := range 100 {
			m.Add(fmt.Sprintf("extra%d", i), []string{"nope.X"}, nil)
			m.Remove(fmt.Sprintf("extra%d", i/2))
		}
	})
	wg.Wait()
}

// TestAndWithMatcher checks that a filter joined with And matches when all its parts
// do, and that the Matcher, which may file it under a condition of any part, agrees.
func TestAndWithMatcher(t *testing.T) {
	scope := compile(t, `{"resource.path":{"prefix":"projects/p1/"}}`)
	own := compile(t, `{"data.jobType":"TRANSCODE","$or":[{"user.id":"u1"},{"recipients":"u2"}]}`)
	f := match.And(scope, nil, own)
	var m match.Matcher
	var r match.Reference
	m.Add("t", []string{"job.*"}, f)
	r.Add("t", []string{"job.*"}, f)
	for _, tt := range []struct {
		event string
		want  bool
	}{
		{`{"event":"job.A","resource":{"path":"projects/p1/items/i1"},"data":{"jobType":"TRANSCODE"},"user":{"id":"u1"}}`, true},
		{`{"event":"job.A","resource":{"path":"projects/p2/items/i1"},"data":{"jobType":"TRANSCODE"},"user":{"id":"u1"}}`, false},
		{`{"event":"job.A","resource":{"path":"projects/p1/items/i1"},"data":{"jobType":"PROXY"},"user":{"id":"u1"}}`, false},
		{`{"event":"job.A","resource":{"path":"projects/p1/items/i1"},"data":{"jobType":"TRANSCODE"},"recipients":["u2"]}`, true},
		{`{"event":"job.A","resource":{"path":"projects/p1/items/i1"},"data":{"jobType":"TRANSCODE"}}`, false},
	} {
		ev := parse(t, tt.event)
		if got := f.Match(ev); got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.event, got, tt.want)
		}
		if got, want := m.Match(ev), r.Match(ev); !sameIDs(got, want) || len(got) == 1 != tt.want {
			t.Errorf("on %s: Matcher %v, Reference %v, want match %v", tt.event, got, want, tt.want)
		}
	}
	if got := match.And().Match(parse(t, `{}`)); !got {
		t.Error("And() does not match everything")
	}
}
