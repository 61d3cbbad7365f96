package action

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heraldhq/herald/internal/event"
)

// adopt makes ev an event of d's trigger's owner, with its origin, or says why the owner
// may not publish it. hop is the new event's depth (the triggering event's plus one).
// Nothing an action emits is taken as coming from Herald or from anyone but the owner:
// it is published as the owner, inside the trigger's scope where the owner holds WRITE,
// never as a user or system event, to no recipient but the owner.
func adopt(d Delivery, ev *event.Event, hop, maxHops int) error {
	switch {
	case hop > maxHops:
		return fmt.Errorf("it would be hop %d of a chain of events made by actions; the limit is %d", hop, maxHops)
	case ev.Domain() == event.UserDomain || ev.Domain() == event.SystemDomain:
		return fmt.Errorf("actions may not publish %s.* events", ev.Domain())
	case slices.ContainsFunc(ev.Recipients, func(r string) bool { return r != d.Owner }):
		return fmt.Errorf("its recipients may name only the trigger's owner")
	}
	path := ev.Path()
	if !within(path, d.Scope.Path, d.Scope.Subresources) {
		return fmt.Errorf("resource.path %q is outside the trigger's scope %q", path, d.Scope.Path)
	}
	if !slices.ContainsFunc(d.Scope.Writable, func(w string) bool { return within(path, w, true) }) {
		return fmt.Errorf("the trigger's owner does not hold WRITE on %q", path)
	}
	ev.User = &event.User{ID: d.Owner}
	ev.SetOrigin(event.Origin{Trigger: d.TriggerID, Hop: hop})
	return nil
}

// within reports whether path is scope, or under it when subresources is set.
func within(path, scope string, subresources bool) bool {
	return path == scope || (subresources && strings.HasPrefix(path, scope+"/"))
}
