package consumer

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

// specGen makes random valid specs over a small world of paths and event types, small
// enough that resources often cover, repeat or neighbour each other ("p1" and "p10",
// segments named "_") and that random events often hit them.
type specGen struct {
	r *rand.Rand
}

var (
	genSegments = []string{"p1", "p10", "c", "_", "x"}
	genPatterns = []string{"*", "d1.*", "d2.*", "d1.A", "d1.B", "d2.A", "d3.A", "user.*", "user.A", "system.*", "system.Announcement"}
	genDomains  = []string{"d1", "d2", "d3", "user", "system"}
	genNames    = []string{"A", "B", "Announcement"}
	genUsers    = []string{"u1", "u2", "u10"}
)

func (g specGen) path() string {
	n := 1 + g.r.IntN(4)
	segs := make([]string, n)
	for i := range segs {
		segs[i] = genSegments[g.r.IntN(len(genSegments))]
	}
	return strings.Join(segs, "/")
}

func (g specGen) spec() *Spec {
	s := &Spec{}
	switch k := g.r.IntN(10); {
	case k < 7:
		n := 1 + g.r.IntN(6)
		for range n {
			s.Target.Resources = append(s.Target.Resources, ResourceTarget{Path: g.path(), IncludeSubresources: g.r.IntN(2) == 0})
		}
	case k == 7:
		s.Target.User = genUsers[g.r.IntN(len(genUsers))]
	case k == 8:
		s.Target.Announcements = true
	default:
		s.Target.All = true
	}
	for range g.r.IntN(5) {
		s.EventTypes = append(s.EventTypes, genPatterns[g.r.IntN(len(genPatterns))])
	}
	return s
}

// event returns the event type and path of a random event, often near a path of s.
func (g specGen) event(s *Spec) (eventType, path string) {
	eventType = genDomains[g.r.IntN(len(genDomains))] + "." + genNames[g.r.IntN(len(genNames))]
	switch k := g.r.IntN(10); {
	case k < 5 && len(s.Target.Resources) > 0:
		path = s.Target.Resources[g.r.IntN(len(s.Target.Resources))].Path
		switch g.r.IntN(3) {
		case 0: // a resource below it
			path += "/" + g.path()
		case 1: // its parent, or a sibling
			if i := strings.LastIndexByte(path, '/'); i > 0 {
				path = path[:i]
			}
			if g.r.IntN(2) == 0 {
				path += "/" + genSegments[g.r.IntN(len(genSegments))]
			}
		}
	case k < 6:
		path = UserPath(genUsers[g.r.IntN(len(genUsers))])
	case k < 7:
		path = event.SystemPath
	default:
		path = g.path()
	}
	return eventType, path
}

// specMatches is the reference: whether an event of eventType about path is one the
// consumer s should get, decided from the rules directly, without building subjects.
func specMatches(s *Spec, eventType, path string) bool {
	patterns := s.EventTypes
	if len(patterns) == 0 {
		switch {
		case s.Target.User != "":
			patterns = []string{"user.*"}
		case s.Target.Announcements:
			patterns = []string{"system.*"}
		default:
			patterns = []string{"*"}
		}
	}
	typeOK := false
	domain, _, _ := strings.Cut(eventType, ".")
	for _, p := range patterns {
		if p == "*" || p == eventType || p == domain+".*" {
			typeOK = true
		}
	}
	if !typeOK {
		return false
	}
	switch {
	case len(s.Target.Resources) > 0:
		for _, r := range s.Target.Resources {
			if path == r.Path || r.IncludeSubresources && strings.HasPrefix(path, r.Path+"/") {
				return true
			}
		}
		return false
	case s.Target.User != "":
		return path == "users/"+s.Target.User
	case s.Target.Announcements:
		return path == "system"
	case s.Target.All:
		return true
	}
	return false
}

// TestFilterSubjectsProperties checks, for random specs, that the filters never
// overlap (JetStream would refuse them) and that an event matches one of them exactly
// when the reference says the consumer should get it.
func TestFilterSubjectsProperties(t *testing.T) {
	const specs, eventsPerSpec = 3000, 200
	g := specGen{rand.New(rand.NewPCG(1, 2))}
	var hits, misses, reduced int
	for i := range specs {
		s := g.spec()
		if err := s.Normalize(); err != nil {
			t.Fatalf("spec %d %+v: Normalize: %v", i, s, err)
		}
		filters := s.FilterSubjects()
		if len(filters) == 0 {
			t.Fatalf("spec %d %+v: no filters", i, s)
		}
		for a := range filters {
			for b := a + 1; b < len(filters); b++ {
				if overlap(filters[a], filters[b]) {
					t.Fatalf("spec %d %+v: filters %q and %q overlap", i, s, filters[a], filters[b])
				}
			}
		}
		if naiveOverlaps(s) {
			reduced++
		}
		for range eventsPerSpec {
			eventType, path := g.event(s)
			subject := event.Subject(eventType, path)
			got, want := matchesAny(filters, subject), specMatches(s, eventType, path)
			if got != want {
				t.Fatalf("spec %d %+v with filters %q: event %q matches = %v, want %v", i, s, filters, subject, got, want)
			}
			if want {
				hits++
			} else {
				misses++
			}
		}
	}
	t.Logf("%d specs, %d of them needing reduction; %d events matched, %d did not", specs, reduced, hits, misses)
	// A generator that never (or always) hits would make the check above say nothing.
	if total := hits + misses; hits < total/10 || misses < total/10 {
		t.Errorf("%d of %d random events matched; the generator is too lopsided to test anything", hits, total)
	}
	// Nor would specs whose patterns and resources never cover each other.
	if reduced < specs/10 {
		t.Errorf("only %d of %d random specs needed reducing; the generator is too tame to test anything", reduced, specs)
	}
}

// naiveOverlaps reports whether the filters made from every pattern and place of s,
// without any reduction, would overlap.
func naiveOverlaps(s *Spec) bool {
	var filters []string
	for _, p := range s.eventTypes() {
		if p == "*" {
			p = "*.*"
		}
		for _, r := range s.Target.Resources {
			filters = append(filters, event.SubjectRoot+"."+p+"."+resourcePlace(r))
		}
	}
	for a := range filters {
		for b := a + 1; b < len(filters); b++ {
			if overlap(filters[a], filters[b]) {
				return true
			}
		}
	}
	return false
}
