package consumer

import (
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

// sub and exact build resource targets for tables.
func sub(path string) ResourceTarget   { return ResourceTarget{Path: path, IncludeSubresources: true} }
func exact(path string) ResourceTarget { return ResourceTarget{Path: path} }

func resources(rs ...ResourceTarget) Target { return Target{Resources: rs} }

func TestFilterSubjects(t *testing.T) {
	const E = event.SubjectRoot + "."
	tests := []struct {
		name   string
		target Target
		types  []string
		want   []string
	}{
		{"subtree", resources(sub("projects/p1")), nil,
			[]string{E + "*.*.projects.p1.>"}},
		{"resource only, ends with the end token", resources(exact("projects/p1")), nil,
			[]string{E + "*.*.projects.p1._"}},
		{"user defaults to user events", Target{User: "u1"}, nil,
			[]string{E + "user.*.users.u1._"}},
		{"user with event types", Target{User: "u1"}, []string{"user.PermissionGranted"},
			[]string{E + "user.PermissionGranted.users.u1._"}},
		{"announcements default to system events on the system path", Target{Announcements: true}, nil,
			[]string{E + "system.*.system._"}},
		{"all", Target{All: true}, nil,
			[]string{E + "*.*.>"}},
		{"all with event types", Target{All: true}, []string{"resource.ResourceCreated", "job.*"},
			[]string{E + "job.*.>", E + "resource.ResourceCreated.>"}},
		{"star covers every pattern", resources(exact("projects/p1")), []string{"job.JobFinished", "*", "resource.*"},
			[]string{E + "*.*.projects.p1._"}},
		{"domain covers its names; duplicates dropped", resources(exact("projects/p1")),
			[]string{"resource.ResourceCreated", "resource.*", "job.JobFinished", "resource.*", "job.JobFinished"},
			[]string{E + "job.JobFinished.projects.p1._", E + "resource.*.projects.p1._"}},
		{"names of different domains kept", resources(exact("p")), []string{"a.X", "b.X", "a.Y"},
			[]string{E + "a.X.p._", E + "a.Y.p._", E + "b.X.p._"}},
		{"subtree covers itself and everything below", resources(
			exact("projects/p1/c"), sub("projects/p1/c/o"), sub("projects/p1"), exact("projects/p1"), exact("projects/p1/c/o/x/y")),
			nil, []string{E + "*.*.projects.p1.>"}},
		{"subtree covers grandchildren without the child listed", resources(sub("a"), exact("a/b/c")), nil,
			[]string{E + "*.*.a.>"}},
		{"with and without subresources on one path is a subtree", resources(exact("projects/p1"), sub("projects/p1")), nil,
			[]string{E + "*.*.projects.p1.>"}},
		{"coverage is segment-wise", resources(sub("projects/p1"), exact("projects/p10"), sub("projects/p10/c")), nil,
			[]string{E + "*.*.projects.p1.>", E + "*.*.projects.p10._", E + "*.*.projects.p10.c.>"}},
		{"a resource without subresources covers nothing below", resources(exact("projects/p1"), exact("projects/p1/c")), nil,
			[]string{E + "*.*.projects.p1._", E + "*.*.projects.p1.c._"}},
		{"a resource without subresources keeps a subtree below it", resources(exact("projects/p1"), sub("projects/p1/c")), nil,
			[]string{E + "*.*.projects.p1._", E + "*.*.projects.p1.c.>"}},
		{"duplicates dropped", resources(exact("projects/p1"), exact("projects/p1")), nil,
			[]string{E + "*.*.projects.p1._"}},
		{"a segment named like the end token", resources(exact("p1"), exact("p1/_"), sub("p1/_/x")), nil,
			[]string{E + "*.*.p1._", E + "*.*.p1._._", E + "*.*.p1._.x.>"}},
		{"subtree covers a segment named like the end token", resources(sub("p1"), sub("p1/_")), nil,
			[]string{E + "*.*.p1.>"}},
		{"cross product", resources(exact("projects/p1/collections/c1"), sub("projects/p10")), []string{"job.*", "resource.ResourceCreated"},
			[]string{
				E + "job.*.projects.p1.collections.c1._",
				E + "job.*.projects.p10.>",
				E + "resource.ResourceCreated.projects.p1.collections.c1._",
				E + "resource.ResourceCreated.projects.p10.>",
			}},
		{"a star inside a name reads the whole domain", resources(exact("p")), []string{"job.Job*", "job.JobFinished", "item.*Created", "a.X"},
			[]string{E + "a.X.p._", E + "item.*.p._", E + "job.*.p._"}},
		{"no target", Target{}, nil, nil},
		{"two targets", Target{User: "u1", All: true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Spec{Target: tt.target, EventTypes: tt.types}
			got := s.FilterSubjects()
			if !slices.IsSorted(got) {
				t.Errorf("FilterSubjects() = %q, not sorted", got)
			}
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("FilterSubjects() =\n\t%q\nwant\n\t%q", got, want)
			}
		})
	}
}

// TestFilterSubjectsMatchPublishedSubjects checks the filters against subjects made by
// event.Subject, the function the publishers use: a filter that is one token short of
// them (as Aruna's were) matches nothing.
func TestFilterSubjectsMatchPublishedSubjects(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		yes    [][2]string // event type and path that must match
		no     [][2]string // and that must not
	}{
		{"resource without subresources", resources(exact("projects/p1")),
			[][2]string{{"resource.ResourceCreated", "projects/p1"}},
			[][2]string{{"resource.ResourceCreated", "projects/p1/c"}, {"resource.ResourceCreated", "projects/p10"}, {"resource.ResourceCreated", "projects"}}},
		{"resource with subresources", resources(sub("projects/p1")),
			[][2]string{{"resource.ResourceCreated", "projects/p1"}, {"job.JobFinished", "projects/p1/c"}, {"resource.ResourceCreated", "projects/p1/c/o/x"}, {"resource.ResourceCreated", "projects/p1/_"}},
			[][2]string{{"resource.ResourceCreated", "projects/p10"}, {"resource.ResourceCreated", "projects"}}},
		{"user", Target{User: "u1"},
			[][2]string{{"user.PermissionGranted", "users/u1"}},
			[][2]string{{"user.PermissionGranted", "users/u10"}, {"user.PermissionGranted", "users/u1/x"}, {"resource.ResourceCreated", "users/u1"}}},
		{"announcements", Target{Announcements: true},
			[][2]string{{"system.Announcement", "system"}},
			[][2]string{{"system.Announcement", "system/x"}, {"resource.ResourceCreated", "system"}}},
		{"all", Target{All: true},
			[][2]string{{"system.Announcement", "system"}, {"resource.ResourceCreated", "projects/p1/c/o"}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filters := (&Spec{Target: tt.target}).FilterSubjects()
			for _, e := range tt.yes {
				if subj := event.Subject(e[0], e[1]); !matchesAny(filters, subj) {
					t.Errorf("%q matches none of %q", subj, filters)
				}
			}
			for _, e := range tt.no {
				if subj := event.Subject(e[0], e[1]); matchesAny(filters, subj) {
					t.Errorf("%q matches one of %q", subj, filters)
				}
			}
		})
	}
}

func matchesAny(filters []string, subject string) bool {
	return slices.ContainsFunc(filters, func(f string) bool { return matches(f, subject) })
}

func TestPartialPatterns(t *testing.T) {
	tests := []struct {
		types []string
		want  bool
	}{
		{nil, false},
		{[]string{"job.*", "item.ItemCreated"}, false},
		{[]string{"job.Job*"}, true},
		{[]string{"job.Job*", "item.*"}, true},
		{[]string{"job.Job*", "job.*"}, false}, // the domain is selected whole anyway
		{[]string{"job.Job*", "*"}, false},
	}
	for _, tt := range tests {
		s := &Spec{Target: resources(sub("p")), EventTypes: tt.types}
		if got := s.partialPatterns(); got != tt.want {
			t.Errorf("partialPatterns() of %q = %v, want %v", tt.types, got, tt.want)
		}
	}
}
