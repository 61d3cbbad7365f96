package match_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The shapes of trigger sets the shape benchmarks measure the Matcher on. Each makes
// triggers together with an event each one matches, so that events, drawn from those,
// match one or two triggers at every size, and only the cost of finding them changes.
const (
	shapeProjects = "projects" // scoped to one of ~5,000 project path prefixes
	shapeWildcard = "wildcard" // wildcard event types and resource types
	shapeAnyOf    = "anyof"    // any-of lists on every condition
	shapeHotPath  = "hotpath"  // all triggers under one path prefix
)

var shapeNames = []string{shapeProjects, shapeWildcard, shapeAnyOf, shapeHotPath}

// shapeProjectCount is the number of projects of the projects shape, whatever the
// number of triggers: a platform's projects do not multiply with its triggers.
const shapeProjectCount = 5000

var (
	shapeDomains  = []string{"job", "item", "collection", "shape", "storage", "resource", "user", "metadata"}
	shapeNames5   = []string{"Created", "Updated", "Deleted", "Started", "Finished"}
	shapeServices = []string{"itemsvc", "collectionsvc", "jobsvc", "shapesvc", "storagesvc", "metadatasvc", "usersvc", "projectsvc"}
	shapeKinds    = []string{"Item", "Collection", "Job", "Shape", "File"}
	shapeJobTypes = []string{"TRANSCODE", "PROXY", "IMPORT", "EXPORT", "THUMBNAIL", "ANALYZE"}
	shapeTitles   = []string{"Final", "Draft", "Rough", "Master", "Trailer"}
)

// shapeEvent is what an event holds; the rest of its ~700 bytes is filler.
type shapeEvent struct {
	typ, rtype, rid, path, jobType, title, user string
}

// shapeTrigger is a trigger and an event it matches.
type shapeTrigger struct {
	patterns []string
	filter   string
	ev       shapeEvent
}

type shapeGen struct {
	r *rand.Rand
	n int
}

func newShapeGen(shape string, n int) *shapeGen {
	return &shapeGen{r: rand.New(rand.NewPCG(uint64(len(shape))*7919+uint64(shape[0]), uint64(n))), n: n}
}

func (g *shapeGen) intn(n int) int           { return g.r.IntN(n) }
func (g *shapeGen) one(list []string) string { return list[g.r.IntN(len(list))] }

// base returns a random event of no trigger in particular.
func (g *shapeGen) base() shapeEvent {
	d := g.one(shapeDomains)
	return shapeEvent{
		typ:     d + "." + strings.ToUpper(d[:1]) + d[1:] + g.one(shapeNames5),
		rtype:   g.one(shapeServices) + "." + g.one(shapeKinds),
		rid:     fmt.Sprintf("r%d", g.intn(10*g.n)),
		path:    fmt.Sprintf("projects/p%d/items/i%d", g.intn(shapeProjectCount), g.intn(10*g.n)),
		jobType: g.one(shapeJobTypes),
		title:   fmt.Sprintf("%s cut %d", g.one(shapeTitles), g.intn(100)),
		user:    fmt.Sprintf("u%d", g.intn(10*g.n)),
	}
}

// typeOf returns a random event type and, a third of the time, its domain's wildcard
// instead as the pattern.
func (g *shapeGen) typeOf(ev *shapeEvent, wildcards int) string {
	d := ev.typ[:strings.IndexByte(ev.typ, '.')]
	if g.intn(wildcards) == 0 {
		return d + ".*"
	}
	return ev.typ
}

func (g *shapeGen) trigger(shape string) shapeTrigger {
	ev := g.base()
	var conds []string
	var pats []string
	switch shape {
	case shapeProjects:
		// A project's prefix, and frequently a resource type wildcard, a job type
		// any-of or a title prefix: the conditions of a research-data platform.
		p := g.intn(shapeProjectCount)
		ev.path = fmt.Sprintf("projects/p%d/items/i%d", p, g.intn(1000))
		pats = []string{g.typeOf(&ev, 3)}
		conds = append(conds, fmt.Sprintf(`"resource.path":{"prefix":"projects/p%d/"}`, p))
		if g.intn(2) == 0 {
			svc := g.one(shapeServices)
			ev.rtype = svc + "." + g.one(shapeKinds)
			conds = append(conds, fmt.Sprintf(`"resource.type":"%s.*"`, svc))
		}
		if g.intn(4) == 0 {
			a, b := g.one(shapeJobTypes), g.one(shapeJobTypes)
			ev.jobType = b
			conds = append(conds, fmt.Sprintf(`"data.jobType":[%q,%q]`, a, b))
		}
		if g.intn(4) == 0 {
			t := g.one(shapeTitles)
			ev.title = t + " cut 1"
			conds = append(conds, fmt.Sprintf(`"data.metadata.title":{"prefix":%q}`, t))
		}
	case shapeWildcard:
		// Wildcards everywhere: the event type, the resource type, and the one
		// selective condition, a resource id by its beginning.
		pats = []string{g.typeOf(&ev, 1)}
		if g.intn(4) == 0 {
			pats = []string{"*"}
		}
		svc := g.one(shapeServices)
		ev.rtype = svc + "." + g.one(shapeKinds)
		id := g.intn(g.n)
		ev.rid = fmt.Sprintf("r%d-%d", id, g.intn(100))
		conds = append(conds, fmt.Sprintf(`"resource.type":"%s.*"`, svc),
			fmt.Sprintf(`"resource.id":"r%d-*"`, id))
		if g.intn(2) == 0 {
			ev.title = fmt.Sprintf("%s cut %d", g.one(shapeTitles), g.intn(100))
			conds = append(conds, fmt.Sprintf(`"data.metadata.title":"*cut %s"`, ev.title[strings.LastIndexByte(ev.title, ' ')+1:]))
		}
	case shapeAnyOf:
		// Lists of alternatives: job types, resource types, users.
		pats = []string{ev.typ}
		u := []string{fmt.Sprintf("u%d", g.intn(g.n)), fmt.Sprintf("u%d", g.intn(g.n)), fmt.Sprintf("u%d", g.intn(g.n))}
		ev.user = u[g.intn(3)]
		j := []string{g.one(shapeJobTypes), g.one(shapeJobTypes), g.one(shapeJobTypes)}
		ev.jobType = j[g.intn(3)]
		rt := []string{g.one(shapeServices) + ".Item", g.one(shapeServices) + ".File"}
		ev.rtype = rt[g.intn(2)]
		conds = append(conds,
			fmt.Sprintf(`"data.jobType":[%q,%q,%q]`, j[0], j[1], j[2]),
			fmt.Sprintf(`"resource.type":[%q,%q]`, rt[0], rt[1]),
			fmt.Sprintf(`"user.id":[%q,%q,%q]`, u[0], u[1], u[2]))
	case shapeHotPath:
		// Every trigger under the same project; a resource id tells them apart.
		ev.path = fmt.Sprintf("projects/hot/items/i%d", g.intn(1000))
		pats = []string{g.typeOf(&ev, 3)}
		ev.rid = fmt.Sprintf("r%d", g.intn(g.n))
		conds = append(conds, `"resource.path":{"prefix":"projects/hot/"}`,
			fmt.Sprintf(`"resource.id":%q`, ev.rid))
		if g.intn(2) == 0 {
			conds = append(conds, `"resource.type":{"exists":true}`)
		}
	default:
		panic("unknown shape " + shape)
	}
	return shapeTrigger{patterns: pats, filter: "{" + strings.Join(conds, ",") + "}", ev: ev}
}

// raw returns ev as the JSON of an event of about 700 bytes.
func (ev shapeEvent) raw(seq int) []byte {
	return []byte(fmt.Sprintf(`{
  "uuid": "8f2792c7-b01a-4493-ba5a-%012d",
  "event": %q,
  "timestamp": "2026-11-22T18:00:00.123Z",
  "requestId": "abe50236-cf30-435f-b7fc-c05cb8f0f320",
  "user": {"id": %q},
  "resource": {
    "type": %q,
    "id": %q,
    "path": %q,
    "namespaces": ["X", "media"],
    "before": {"name": "old name", "version": 3},
    "after": {"name": "new name", "version": 4}
  },
  "data": {"jobType": %q, "metadata": {"title": %q, "size": 1234, "genre": "News", "tags": ["news", "evening"]}},
  "source": "itemsvc"
}`, seq, ev.typ, ev.user, ev.rtype, ev.rid, ev.path, ev.jobType, ev.title))
}
