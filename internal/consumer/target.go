package consumer

import "github.com/heraldhq/herald/internal/event"

// Target says which events a consumer gets: exactly one of its fields is set.
type Target struct {
	Resources     []ResourceTarget `json:"resources,omitempty"`
	User          string           `json:"user,omitempty"`
	Announcements bool             `json:"announcements,omitempty"`
	All           bool             `json:"all,omitempty"`
}

// ResourceTarget selects the events about one resource, and with IncludeSubresources
// also those about every resource below it (segment by segment: "projects/p1" has
// "projects/p1/c" below it, but not "projects/p10").
type ResourceTarget struct {
	Path                string `json:"path"`
	IncludeSubresources bool   `json:"include_subresources"`
}

// TargetKind names the kind of a Target.
type TargetKind string

// The kinds of target.
const (
	TargetResources     TargetKind = "resources"
	TargetUser          TargetKind = "user"
	TargetAnnouncements TargetKind = "announcements"
	TargetAll           TargetKind = "all"
)

// Kind returns the kind of the target, or "" when it sets none or several.
func (t *Target) Kind() TargetKind {
	kinds := t.kinds()
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// kinds returns the kinds the target sets, in a fixed order. An empty resources list,
// an empty user and false flags count as absent: JSON omits them all the same way.
func (t *Target) kinds() []TargetKind {
	var kinds []TargetKind
	if len(t.Resources) > 0 {
		kinds = append(kinds, TargetResources)
	}
	if t.User != "" {
		kinds = append(kinds, TargetUser)
	}
	if t.Announcements {
		kinds = append(kinds, TargetAnnouncements)
	}
	if t.All {
		kinds = append(kinds, TargetAll)
	}
	return kinds
}

// userPrefix starts the path of every user resource: events about user u1 name the
// resource "users/u1".
const userPrefix = "users/"

// UserPath returns the resource path of the user with the given id.
func UserPath(id string) string { return userPrefix + id }

// ScopePaths returns the resource paths the consumer is scoped to, once each, in the
// order of the spec: the resources' paths, users/<id> for a user target, and none for
// announcements and all. A consumer may be deleted by whoever holds WRITE on every one
// of them (besides its owner). To re-check the caller on each fetch, call Authorize
// again instead: it also knows the rules for targets without a path.
func (s *Spec) ScopePaths() []string {
	switch s.Target.Kind() {
	case TargetResources:
		paths := make([]string, 0, len(s.Target.Resources))
		seen := make(map[string]bool, len(s.Target.Resources))
		for _, r := range s.Target.Resources {
			if !seen[r.Path] {
				seen[r.Path] = true
				paths = append(paths, r.Path)
			}
		}
		return paths
	case TargetUser:
		return []string{UserPath(s.Target.User)}
	}
	return nil
}

// announcementsPath is where announcements are stored.
const announcementsPath = event.SystemPath
