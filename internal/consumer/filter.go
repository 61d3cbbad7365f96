package consumer

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/event"
)

// FilterSubjects returns the filter subjects of the JetStream consumer for the
// normalized spec s, sorted, or nil when s has no valid target.
//
// An event is stored on herald.events.<domain>.<Name>.<path tokens>._, so a filter is
// an event type part (two tokens) followed by a place part:
//
//	event type "*"                   *.*
//	event type "<domain>.*"          <domain>.*
//	event type "<domain>.<Name>"     <domain>.<Name>
//	event type "<domain>.<Na*>"      <domain>.*        (the Screen hides other names)
//	resource with subresources       <path tokens>.>   the resource and all below it
//	resource without subresources    <path tokens>._   that resource only
//	user u1                          users.u1._
//	announcements                    system._
//	all                              >
//
// Without event types a user target takes "user.*", announcements take "system.*" and
// every other target "*".
//
// JetStream refuses a consumer whose filter subjects overlap (some subject matching two
// of them), so both lists are reduced first: a pattern covered by another is dropped
// ("*" covers all, "<domain>.*" covers "<domain>.<Name>", duplicates cover each other),
// and so is a resource covered by another (a resource with subresources covers itself
// without them and every path below it). The filters are then every reduced pattern
// followed by every reduced place.
//
// Why the result cannot overlap: a subject matches the filter made of pattern p and
// place r exactly when its event type matches p and its path matches r, as the event
// type is always the first two tokens. After the reduction no two patterns match one
// event type, and no two places match one path:
//
//   - two distinct exact places <a>._ and <b>._ match one path only if a = b;
//   - <a>.> matches the path b (the subject <b>._) exactly when a is b or an ancestor
//     of b, segment by segment; ">" needs at least one more token, and there is always
//     the "_" left for it. The reduction removed every place that such an a covers;
//   - two subtrees <a>.> and <b>.> share a path only if one is an ancestor of the
//     other, and then it covered the other and the other was removed.
//
// So if a subject matched the filters (p, r) and (p', r'), p and p' would match its
// event type and r and r' its path, hence p = p' and r = r': the filters are the same.
func (s *Spec) FilterSubjects() []string {
	var places []string
	switch s.Target.Kind() {
	case TargetResources:
		for _, r := range reduceResources(s.Target.Resources) {
			places = append(places, resourcePlace(r))
		}
	case TargetUser:
		places = []string{resourcePlace(ResourceTarget{Path: UserPath(s.Target.User)})}
	case TargetAnnouncements:
		places = []string{resourcePlace(ResourceTarget{Path: announcementsPath})}
	case TargetAll:
		places = []string{">"}
	default:
		return nil
	}
	patterns := reducePatterns(s.eventTypes())
	filters := make([]string, 0, len(patterns)*len(places))
	for _, p := range patterns {
		for _, r := range places {
			filters = append(filters, event.SubjectRoot+"."+p+"."+r)
		}
	}
	slices.Sort(filters)
	return filters
}

// filterCount returns len(s.FilterSubjects()) without building the subjects.
func (s *Spec) filterCount() int {
	places := 1
	if s.Target.Kind() == TargetResources {
		places = len(reduceResources(s.Target.Resources))
	}
	return len(reducePatterns(s.eventTypes())) * places
}

// eventTypes returns the event type patterns of s, or the default of its target.
func (s *Spec) eventTypes() []string {
	if len(s.EventTypes) > 0 {
		return s.EventTypes
	}
	switch s.Target.Kind() {
	case TargetUser:
		return []string{event.UserDomain + ".*"}
	case TargetAnnouncements:
		return []string{event.SystemDomain + ".*"}
	}
	return []string{"*"}
}

// reducePatterns returns the event type part of the filters for patterns: two subject
// tokens per pattern, without the patterns another one covers. A pattern with a "*"
// inside its name ("job.Job*") takes the whole domain ("job.*"), as subject filters
// match whole tokens only; the Screen then hides the types it does not match.
func reducePatterns(patterns []string) []string {
	if slices.Contains(patterns, "*") {
		return []string{"*.*"}
	}
	wholeDomains := make(map[string]bool)
	for _, p := range patterns {
		if domain, ok := strings.CutSuffix(subjectPattern(p), ".*"); ok {
			wholeDomains[domain] = true
		}
	}
	seen := make(map[string]bool, len(patterns))
	var out []string
	for _, p := range patterns {
		p = subjectPattern(p)
		domain, name, _ := strings.Cut(p, ".")
		if seen[p] || name != "*" && wholeDomains[domain] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// subjectPattern returns the event type pattern p as subject filters can say it: p
// itself, or "<domain>.*" for a pattern with a "*" inside its name.
func subjectPattern(p string) string {
	if domain, name, ok := strings.Cut(p, "."); ok && name != "*" && strings.Contains(name, "*") {
		return domain + ".*"
	}
	return p
}

// partialPatterns reports whether some event type pattern of s has a "*" inside its
// name that no whole-domain pattern covers: its filter subjects then select more
// types than the patterns, and the Screen must look at each event's type.
func (s *Spec) partialPatterns() bool {
	types := s.eventTypes()
	if slices.Contains(types, "*") {
		return false
	}
	for _, p := range types {
		if sp := subjectPattern(p); sp != p && !slices.Contains(types, sp) {
			return true
		}
	}
	return false
}

// reduceResources returns resources without those another one covers, one entry per
// path, in no particular order.
func reduceResources(resources []ResourceTarget) []ResourceTarget {
	// A path listed both with and without subresources is a subtree.
	subtree := make(map[string]bool, len(resources))
	for _, r := range resources {
		subtree[r.Path] = subtree[r.Path] || r.IncludeSubresources
	}
	out := make([]ResourceTarget, 0, len(subtree))
	for path, sub := range subtree {
		if !underSubtree(path, subtree) {
			out = append(out, ResourceTarget{Path: path, IncludeSubresources: sub})
		}
	}
	return out
}

// underSubtree reports whether a proper ancestor of path is a subtree in subtree.
// Ancestors are cut at "/" only, so "projects/p10" is not under "projects/p1".
func underSubtree(path string, subtree map[string]bool) bool {
	for {
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return false
		}
		path = path[:i]
		if subtree[path] {
			return true
		}
	}
}

// resourcePlace returns the place part of the filter for r: its path as subject tokens,
// then ">" for the resource and everything below it, or the end token for it alone.
func resourcePlace(r ResourceTarget) string {
	end := event.EndToken
	if r.IncludeSubresources {
		end = ">"
	}
	// Path segments cannot hold ".", so this is exactly event.Subject's mapping.
	return strings.ReplaceAll(r.Path, "/", ".") + "." + end
}
