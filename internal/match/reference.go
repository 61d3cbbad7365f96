package match

// Reference is the plain form of a Matcher: it evaluates every trigger on every
// event. It defines what a Matcher must return, and tests compare the two. The zero
// value is an empty Reference ready to use; it is not safe for concurrent use.
type Reference struct {
	triggers map[string]refTrigger
}

type refTrigger struct {
	patterns []wildcard
	filter   *Filter
}

// Add adds a trigger, or replaces the trigger with the same id. It matches an event
// when one of the patterns in events matches the event's type, as a wildcard ("*"
// matches any run of characters, `\*` is a literal star), and f matches the event; a
// nil f matches every event. A trigger without patterns matches nothing.
func (r *Reference) Add(id string, events []string, f *Filter) {
	if r.triggers == nil {
		r.triggers = make(map[string]refTrigger)
	}
	t := refTrigger{filter: f}
	for _, p := range events {
		w, _ := parseWildcard(p)
		t.patterns = append(t.patterns, w)
	}
	r.triggers[id] = t
}

// Remove removes the trigger with the given id, if there is one.
func (r *Reference) Remove(id string) { delete(r.triggers, id) }

// Len returns the number of triggers.
func (r *Reference) Len() int { return len(r.triggers) }

// Match returns the ids of the triggers that match ev, in no particular order.
func (r *Reference) Match(ev *Event) []string { return r.AppendMatch(nil, ev) }

// AppendMatch appends the ids of the triggers that match ev to dst.
func (r *Reference) AppendMatch(dst []string, ev *Event) []string {
	for id, t := range r.triggers {
		for i := range t.patterns {
			if t.patterns[i].match(ev.typ) {
				if t.filter.Match(ev) {
					dst = append(dst, id)
				}
				break
			}
		}
	}
	return dst
}
