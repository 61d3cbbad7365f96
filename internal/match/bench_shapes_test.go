package match_test

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/match"
)

// shapeSet is one shape's triggers at one size, in a Matcher, with events drawn from
// what the triggers match.
type shapeSet struct {
	m       match.Matcher
	trigs   []shapeTrigger
	filters []*match.Filter
	events  [][]byte
	build   time.Duration // compiling and adding the triggers
	heap    uint64        // live heap the Matcher and its filters added, in bytes
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func newShapeSet(shape string, n int) (*shapeSet, error) {
	g := newShapeGen(shape, n)
	s := &shapeSet{trigs: make([]shapeTrigger, n)}
	for i := range s.trigs {
		s.trigs[i] = g.trigger(shape)
	}
	before := heapInUse()
	s.filters = make([]*match.Filter, n)
	start := time.Now()
	for i, t := range s.trigs {
		f, err := match.Compile(json.RawMessage(t.filter))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.filter, err)
		}
		s.filters[i] = f
		s.m.Add(fmt.Sprintf("t%d", i), t.patterns, f)
	}
	s.build = time.Since(start)
	s.heap = heapInUse() - before
	// Most events are some trigger's; one in four is nobody's in particular.
	for i := range 1024 {
		if i%4 == 3 {
			s.events = append(s.events, g.base().raw(i))
		} else {
			s.events = append(s.events, s.trigs[g.intn(n)].ev.raw(i))
		}
	}
	runtime.GC()
	return s, nil
}

// shapeSizes are the sizes every shape is measured at. 1M triggers, which take
// seconds and a gigabyte to build, run only with HERALD_MATCH_1M=1.
var shapeSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// BenchmarkMatchShapes measures the Matcher on trigger sets of several shapes (see
// shapeNames) at 1k, 10k and 100k triggers: time per event from raw JSON to the ids of
// the matching triggers, and the work behind it, candidates (triggers evaluated in
// full) and entries (index entries reached) per event, with the build time and the
// heap of the triggers. The cost per event should follow the triggers an event could
// match, which the shapes keep at one or two, not the number of triggers.
func BenchmarkMatchShapes(b *testing.B) {
	for _, shape := range shapeNames {
		for _, size := range shapeSizes {
			b.Run(shape+"-"+size.name, func(b *testing.B) {
				if size.n >= 1_000_000 && os.Getenv("HERALD_MATCH_1M") != "1" {
					b.Skip("set HERALD_MATCH_1M=1 to build 1M triggers")
				}
				s, err := newShapeSet(shape, size.n)
				if err != nil {
					b.Fatal(err)
				}
				var buf []string
				var ev match.Event
				var st match.MatchStats
				one := func(i int) {
					if err := ev.Parse(s.events[i%len(s.events)]); err != nil {
						b.Fatal(err)
					}
					buf, st = s.m.AppendMatchStats(buf[:0], &ev)
				}
				// The work per event, counted over every event once, outside the timing.
				var matches, cands, entries int
				for i := range s.events {
					one(i)
					matches += len(buf)
					cands += st.Candidates
					entries += st.Entries
				}
				// b.Loop resets the metrics reported before it.
				report := func() {
					n := float64(len(s.events))
					b.ReportMetric(float64(matches)/n, "matches/event")
					b.ReportMetric(float64(cands)/n, "candidates/event")
					b.ReportMetric(float64(entries)/n, "entries/event")
					b.ReportMetric(s.build.Seconds(), "build-s")
					b.ReportMetric(float64(s.heap)/(1<<20), "heap-MB")
				}
				events := 0
				for b.Loop() {
					one(events)
					events++
				}
				report()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
				b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// TestShapeWorlds checks that the shape benchmarks measure what they claim: on each
// shape the Matcher agrees with the Reference, and events match a trigger or two.
func TestShapeWorlds(t *testing.T) {
	for _, shape := range shapeNames {
		t.Run(shape, func(t *testing.T) {
			s, err := newShapeSet(shape, 3000)
			if err != nil {
				t.Fatal(err)
			}
			var r match.Reference
			for i, tr := range s.trigs {
				r.Add(fmt.Sprintf("t%d", i), tr.patterns, s.filters[i])
			}
			matches := 0
			for _, raw := range s.events[:300] {
				ev := parse(t, string(raw))
				got, want := s.m.Match(ev), r.Match(ev)
				if !sameIDs(got, want) {
					t.Fatalf("Matcher %v, Reference %v on %s", sorted(got), sorted(want), raw)
				}
				matches += len(want)
			}
			if avg := float64(matches) / 300; avg < 0.5 || avg > 3 {
				t.Errorf("%.2f matches per event; want one or two", avg)
			}
		})
	}
}
