package match_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/match"
	"github.com/heraldhq/herald/test/baseline"
)

// The benchmark world: event types over several domains, resource types, and ids,
// projects and users numerous enough (in proportion to the triggers) that an event
// meets only a few triggers, as when every trigger watches its own resource.
var (
	benchDomains = map[string][]string{
		"job":        {"JobCreated", "JobStarted", "JobProgress", "JobFinished", "JobFailed"},
		"item":       {"ItemCreated", "ItemUpdated", "ItemDeleted", "ItemMetadataChanged"},
		"collection": {"CollectionCreated", "CollectionModified", "CollectionDeleted"},
		"shape":      {"ShapeCreated", "ShapeDeleted"},
		"storage":    {"FileCreated", "FileDeleted", "StorageFull"},
		"resource":   {"ResourceCreated", "ResourceUpdated", "ResourceDeleted"},
		"user":       {"UserInvited", "PermissionGranted"},
	}
	benchResourceTypes = []string{
		"itemsvc.Item", "collectionsvc.Collection", "jobsvc.Job", "shapesvc.Shape", "storagesvc.File",
		"omapisvc.APIConfig", "metadatasvc.Field", "usersvc.User", "projectsvc.Project", "librarysvc.Library",
	}
	benchJobTypes = []string{"TRANSCODE", "PROXY", "IMPORT", "EXPORT", "THUMBNAIL", "ANALYZE"}
)

type benchGen struct {
	r       *rand.Rand
	n       int
	domains []string
	types   []string
}

func newBenchGen(n int) *benchGen {
	g := &benchGen{r: rand.New(rand.NewPCG(42, uint64(n))), n: n}
	for d, names := range benchDomains {
		g.domains = append(g.domains, d)
		for _, name := range names {
			g.types = append(g.types, d+"."+name)
		}
	}
	// Map order is random; the world must not be.
	sortStrings(g.domains)
	sortStrings(g.types)
	return g
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (g *benchGen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *benchGen) item() int                 { return g.r.IntN(g.n) }
func (g *benchGen) project() int              { return g.r.IntN(g.n/10 + 1) }
func (g *benchGen) user() int                 { return g.r.IntN(g.n/2 + 1) }

// trigger returns the event type patterns and filter of a random trigger.
func (g *benchGen) trigger() ([]string, string) {
	typ := g.pick(g.types)
	domain := typ[:strings.IndexByte(typ, '.')]
	switch k := g.r.IntN(20); {
	case k < 6: // exact
		return []string{typ}, fmt.Sprintf(`{"resource.id":"i%d","resource.type":%q}`, g.item(), g.pick(benchResourceTypes))
	case k < 9: // wildcard
		return []string{domain + ".*"}, fmt.Sprintf(`{"resource.path":"projects/p%d/items/i%d*","data.jobType":%q}`,
			g.project(), g.item(), g.pick(benchJobTypes))
	case k < 12: // prefix
		return []string{typ, "job.Job*"}, fmt.Sprintf(`{"resource.path":{"prefix":"projects/p%d/collections/c%d/"},"data.jobType":["TRANSCODE","PROXY"]}`,
			g.project(), g.item())
	case k < 15: // regex
		if g.r.IntN(2) == 0 {
			return []string{typ}, fmt.Sprintf(`{"user.id":"u%d","data.metadata.title":{"regex":"^(Final|Draft) cut [0-9]+$"}}`, g.user())
		}
		return []string{"*"}, fmt.Sprintf(`{"resource.path":{"regex":"^projects/p%d/items/i%d$"}}`, g.project(), g.item())
	case k < 18: // numeric
		lo := g.r.IntN(1000)
		return []string{typ}, fmt.Sprintf(`{"resource.id":"i%d","data.metadata.size":{"numeric":[">",%d,"<=",%d]}}`, g.item(), lo, lo+g.r.IntN(5000))
	case k < 19: // $or
		return []string{"*"}, fmt.Sprintf(`{"$or":[{"resource.id":"i%d"},{"recipients":"u%d"}],"resource.type":{"anything-but":["storagesvc.File"]}}`,
			g.item(), g.user())
	default: // several conditions, one of which is rare
		return []string{domain + ".*", typ}, fmt.Sprintf(`{"user.id":"u%d","data.metadata.title":{"exists":true},"resource.namespaces":"X","data.metadata.genre":{"equals-ignore-case":"NEWS"}}`,
			g.user())
	}
}

// event returns a random event of about 1 KB.
func (g *benchGen) event() []byte {
	typ := g.pick(g.types)
	p, i := g.project(), g.item()
	path := fmt.Sprintf("projects/p%d/items/i%d", p, i)
	if g.r.IntN(3) == 0 {
		path = fmt.Sprintf("projects/p%d/collections/c%d/items/i%d", p, i, g.item())
	}
	ev := fmt.Sprintf(`{
  "uuid": "8f2792c7-b01a-4493-ba5a-%012d",
  "event": %q,
  "timestamp": "2026-11-22T18:00:00.123Z",
  "requestId": "abe50236-cf30-435f-b7fc-c05cb8f0f320",
  "user": {"id": "u%d"},
  "resource": {
    "type": %q,
    "id": "i%d",
    "path": %q,
    "namespaces": ["X", "media"],
    "before": {"name": "old name", "description": "The configuration used by the ingest pipeline", "version": 3},
    "after": {"name": "new name", "description": "The configuration used by the ingest and transcode pipelines", "version": 4}
  },
  "recipients": ["u%d", "u%d"],
  "data": {"jobType": %q, "metadata": {"title": "%s cut %d", "size": %d, "genre": "News", "tags": ["news", "evening", "live"]}},
  "source": "itemsvc",
  "unknown_field": 1
}`, g.r.IntN(1e12), typ, g.user(), g.pick(benchResourceTypes), i, path, g.user(), g.user(), g.pick(benchJobTypes),
		g.pick([]string{"Final", "Draft", "Rough"}), g.r.IntN(100), g.r.IntN(6000))
	return []byte(ev)
}

// benchSet is the triggers and events of one size, in a Matcher and a Reference.
type benchSet struct {
	m      match.Matcher
	r      match.Reference
	events [][]byte
	build  time.Duration // compiling and adding the triggers to the Matcher
}

func newBenchSet(n int) (*benchSet, error) {
	g := newBenchGen(n)
	s := &benchSet{}
	type trig struct {
		patterns []string
		f        *match.Filter
	}
	start := time.Now()
	trigs := make([]trig, n)
	for i := range trigs {
		patterns, src := g.trigger()
		f, err := match.Compile(json.RawMessage(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		trigs[i] = trig{patterns, f}
		s.m.Add(fmt.Sprintf("trigger-%d", i), patterns, f)
	}
	s.build = time.Since(start)
	for i, t := range trigs {
		s.r.Add(fmt.Sprintf("trigger-%d", i), t.patterns, t.f)
	}
	for range 1024 {
		s.events = append(s.events, g.event())
	}
	// Collect the garbage of the build now rather than while measuring.
	runtime.GC()
	return s, nil
}

// referenceBudget is about how long BenchmarkMatch runs the Reference for its baseline:
// at 100k triggers it takes tens of milliseconds per event, so it gets a time budget
// (and at least referenceMinEvents events) rather than as many events as the Matcher.
const (
	referenceBudget    = time.Second
	referenceMinEvents = 5
)

// BenchmarkMatch measures events per second from raw event JSON to the ids of the
// matching triggers with the indexed Matcher, and, in the same run on the same events
// (a fixed-seed world, in the same order), with the naive Reference as the baseline.
func BenchmarkMatch(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1000}, {"10k", 10000}, {"100k", 100000}} {
		b.Run(size.name, func(b *testing.B) {
			s, err := newBenchSet(size.n)
			if err != nil {
				b.Fatal(err)
			}
			var buf []string
			var ev match.Event
			// one matches the events'th event with find, returning how many matched.
			one := func(events int, find func(dst []string, ev *match.Event) []string) int {
				if err := ev.Parse(s.events[events%len(s.events)]); err != nil {
					b.Fatal(err)
				}
				buf = find(buf[:0], &ev)
				return len(buf)
			}
			// Warm-up, not counted: one pass of each over part of the events.
			for i := range 64 {
				one(i, s.m.AppendMatch)
			}
			one(0, s.r.AppendMatch)

			b.ReportAllocs()
			events, matches := 0, 0
			for b.Loop() {
				matches += one(events, s.m.AppendMatch)
				events++
			}
			indexed := b.Elapsed()

			refEvents := 0
			start := time.Now()
			for refEvents < referenceMinEvents || time.Since(start) < referenceBudget {
				one(refEvents, s.r.AppendMatch)
				refEvents++
			}
			reference := time.Since(start)

			rate := float64(events) / indexed.Seconds()
			baseRate := float64(refEvents) / reference.Seconds()
			b.ReportMetric(rate, "events/s")
			b.ReportMetric(baseRate, "base-events/s")
			b.ReportMetric(rate/baseRate, "ratio")
			b.ReportMetric(float64(indexed.Nanoseconds())/float64(events), "ns/event")
			b.ReportMetric(float64(matches)/float64(events), "matches/event")
			b.ReportMetric(s.build.Seconds(), "build-s")
		})
	}
}

// BenchmarkParseEvent measures parsing alone on a typical event of about 1 KB, into
// a new Event and into a reused one, against a plain json.Unmarshal of the same bytes
// into a map[string]any: the generic way to reach any member of an event.
func BenchmarkParseEvent(b *testing.B) {
	raw := newBenchGen(1000).event()
	plain := func() error {
		var m map[string]any
		return json.Unmarshal(raw, &m)
	}
	b.Run("new", func(b *testing.B) {
		baseline.Alternate(b, "events/s", 100, func() error {
			_, err := match.ParseEvent(raw)
			return err
		}, plain)
	})
	b.Run("reused", func(b *testing.B) {
		var ev match.Event
		baseline.Alternate(b, "events/s", 100, func() error { return ev.Parse(raw) }, plain)
	})
}

// TestBenchWorld checks that the benchmark measures what it claims: the Matcher agrees
// with the Reference on it, and events match a few triggers each, not none or many.
func TestBenchWorld(t *testing.T) {
	s, err := newBenchSet(2000)
	if err != nil {
		t.Fatal(err)
	}
	matches := 0
	for _, raw := range s.events[:300] {
		ev := parse(t, string(raw))
		got, want := s.m.Match(ev), s.r.Match(ev)
		if !sameIDs(got, want) {
			t.Fatalf("Matcher %v, Reference %v on %s", sorted(got), sorted(want), raw)
		}
		matches += len(want)
	}
	if avg := float64(matches) / 300; avg < 0.2 || avg > 10 {
		t.Errorf("%.2f matches per event; want a few", avg)
	}
}
