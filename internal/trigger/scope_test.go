package trigger

import (
	"errors"
	"testing"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

func TestCheckScope(t *testing.T) {
	tests := []struct {
		name     string
		resource Resource
		ev       event.Resource
		field    string // "" when in scope
	}{
		{"the path itself", Resource{Path: "projects/p1"}, event.Resource{Type: "project", Path: "projects/p1"}, ""},
		{"below, without subresources", Resource{Path: "projects/p1"}, event.Resource{Type: "job", Path: "projects/p1/jobs/j1"}, "event.resource.path"},
		{"below, with subresources", Resource{Path: "projects/p1", IncludeSubresources: true}, event.Resource{Type: "job", Path: "projects/p1/jobs/j1"}, ""},
		{"the path itself, with subresources", Resource{Path: "projects/p1", IncludeSubresources: true}, event.Resource{Type: "project", Path: "projects/p1"}, ""},
		{"a sibling sharing a prefix", Resource{Path: "projects/p1", IncludeSubresources: true}, event.Resource{Type: "job", Path: "projects/p10/jobs/j1"}, "event.resource.path"},
		{"the parent", Resource{Path: "projects/p1", IncludeSubresources: true}, event.Resource{Type: "projects", Path: "projects"}, "event.resource.path"},
		{"elsewhere", Resource{Path: "projects/p1", IncludeSubresources: true}, event.Resource{Type: "job", Path: "orgs/o1/jobs/j1"}, "event.resource.path"},
		{"a path derived from type and id", Resource{Path: "job", IncludeSubresources: true}, event.Resource{Type: "job", ID: "j1"}, ""},
		{"the exact type", Resource{Path: "projects/p1", IncludeSubresources: true, Type: "job"}, event.Resource{Type: "job", Path: "projects/p1/j"}, ""},
		{"another type", Resource{Path: "projects/p1", IncludeSubresources: true, Type: "job"}, event.Resource{Type: "jobs", Path: "projects/p1/j"}, "event.resource.type"},
		{"a wildcard type", Resource{Path: "projects/p1", IncludeSubresources: true, Type: "itemsvc.*"}, event.Resource{Type: "itemsvc.Item", Path: "projects/p1/i"}, ""},
		{"a wildcard type, no match", Resource{Path: "projects/p1", IncludeSubresources: true, Type: "itemsvc.*"}, event.Resource{Type: "jobsvc.Item", Path: "projects/p1/i"}, "event.resource.type"},
		{"a literal star", Resource{Path: "projects/p1", IncludeSubresources: true, Type: `a\*`}, event.Resource{Type: "ab", Path: "projects/p1/i"}, "event.resource.type"},
		{"path checked before type", Resource{Path: "projects/p1", Type: "job"}, event.Resource{Type: "collection", Path: "projects/p2"}, "event.resource.path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{Resource: tt.resource}
			res := tt.ev
			err := s.CheckScope(&event.Event{Event: "resource.ResourceUpdated", Resource: &res})
			if tt.field == "" {
				if err != nil {
					t.Fatalf("CheckScope = %v, want nil", err)
				}
				return
			}
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("CheckScope = %v, want an Invalid error", err)
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Errorf("CheckScope = %+v, want a fault naming %s", err, tt.field)
			}
		})
	}
}
