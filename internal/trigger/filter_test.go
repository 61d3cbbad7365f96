package trigger

import (
	"fmt"
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

// TestCompileFilter checks the scope every trigger's filter gets: its path alone or with
// what is under it (not a sibling that merely shares the prefix), its resource type
// pattern, and its own filter, even one that also tests resource.path.
func TestCompileFilter(t *testing.T) {
	ev := func(typ, path string) *match.Event {
		e, err := match.ParseEvent([]byte(fmt.Sprintf(`{"event":"job.JobFinished","resource":{"type":%q,"path":%q},"data":{"jobType":"TRANSCODE"}}`, typ, path)))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	tests := []struct {
		name     string
		resource string
		filter   string
		typ      string
		path     string
		want     bool
	}{
		{"the resource itself", `{"path":"projects/p1"}`, ``, "job", "projects/p1", true},
		{"under it, without subresources", `{"path":"projects/p1"}`, ``, "job", "projects/p1/jobs/j1", false},
		{"under it, with subresources", `{"path":"projects/p1","include_subresources":true}`, ``, "job", "projects/p1/jobs/j1", true},
		{"itself, with subresources", `{"path":"projects/p1","include_subresources":true}`, ``, "job", "projects/p1", true},
		{"a sibling sharing the prefix", `{"path":"projects/p1","include_subresources":true}`, ``, "job", "projects/p10/jobs/j1", false},
		{"type pattern", `{"path":"projects/p1","include_subresources":true,"type":"item*"}`, ``, "itemsvc.Item", "projects/p1/i", true},
		{"type pattern refuses", `{"path":"projects/p1","include_subresources":true,"type":"item*"}`, ``, "job", "projects/p1/i", false},
		{"own filter", `{"path":"projects/p1"}`, `{"data.jobType":"TRANSCODE"}`, "job", "projects/p1", true},
		{"own filter refuses", `{"path":"projects/p1"}`, `{"data.jobType":"PROXY"}`, "job", "projects/p1", false},
		{"own filter on the path too", `{"path":"projects/p1","include_subresources":true}`, `{"resource.path":{"suffix":"/j1"}}`, "job", "projects/p1/jobs/j1", true},
		{"own path condition cannot widen the scope", `{"path":"projects/p1"}`, `{"resource.path":{"prefix":"projects/"}}`, "job", "projects/p2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := ""
			if tt.filter != "" {
				filter = `,"filter":` + tt.filter
			}
			s := decode(t, `{"name":"n","resource":`+tt.resource+`,"events":["*"],"action":{"type":"nats","subject":"s"}`+filter+`}`)
			if err := s.Normalize(); err != nil {
				t.Fatal(err)
			}
			f, err := s.CompileFilter()
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(ev(tt.typ, tt.path)); got != tt.want {
				t.Errorf("match %s %s = %v, want %v; explain %+v", tt.typ, tt.path, got, tt.want, f.Explain(ev(tt.typ, tt.path)))
			}
		})
	}
}

// TestEntityFilters checks Vidispine-style entity filters through the same language:
// job type, job metadata by string or regex, and metadata values on items and
// collections (arrays of values included).
func TestEntityFilters(t *testing.T) {
	tests := []struct {
		name, filter, event string
		want                bool
	}{
		{"job type", `{"data.jobType":"TRANSCODE"}`, `{"event":"job.JobFinished","resource":{"type":"job","path":"p/jobs/j1"},"data":{"jobType":"TRANSCODE"}}`, true},
		{"job type, another", `{"data.jobType":["THUMBNAIL","PROXY"]}`, `{"event":"job.JobFinished","resource":{"type":"job","path":"p/jobs/j1"},"data":{"jobType":"TRANSCODE"}}`, false},
		{"job metadata by string", `{"data.metadata.priority":"HIGH"}`, `{"event":"job.JobFinished","resource":{"type":"job","path":"p/jobs/j1"},"data":{"jobType":"X","metadata":{"priority":"HIGH"}}}`, true},
		{"job metadata by regex", `{"data.metadata.title":{"regex":"^Final( cut)?$"}}`, `{"event":"job.JobFinished","resource":{"type":"job","path":"p/jobs/j1"},"data":{"metadata":{"title":"Final cut"}}}`, true},
		{"job metadata by regex refuses", `{"data.metadata.title":{"regex":"^Final$"}}`, `{"event":"job.JobFinished","resource":{"type":"job","path":"p/jobs/j1"},"data":{"metadata":{"title":"Draft"}}}`, false},
		{"item metadata values", `{"resource.type":"itemsvc.*","data.metadata.genre":"drama"}`, `{"event":"item.ItemMetadataModified","resource":{"type":"itemsvc.Item","path":"p/items/i1"},"data":{"metadata":{"genre":["comedy","drama"]}}}`, true},
		{"collection metadata missing", `{"data.metadata.genre":{"exists":true}}`, `{"event":"collection.CollectionMetadataChanged","resource":{"type":"collection","path":"p/c1"},"data":{"metadata":{}}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decode(t, `{"name":"n","resource":{"path":"p","include_subresources":true},"events":["*"],"action":{"type":"nats","subject":"s"},"filter":`+tt.filter+`}`)
			if err := s.Normalize(); err != nil {
				t.Fatal(err)
			}
			f, err := s.CompileFilter()
			if err != nil {
				t.Fatal(err)
			}
			ev, err := match.ParseEvent([]byte(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Match(ev); got != tt.want {
				t.Errorf("match = %v, want %v; explain %+v", got, tt.want, f.Explain(ev))
			}
		})
	}
}
