package trigger

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/match"
)

// Refresh timing of an Index: changes to triggers take effect within RefreshEvery plus
// the time one refresh takes, well inside the 10 s the design promises.
const (
	// RefreshEvery is how old an Index's view of the triggers may get before the next
	// use refreshes it.
	RefreshEvery = 5 * time.Second
	// refreshOverlap is how far back each refresh reads again: a change stamped just
	// before the previous refresh may have been written just after it, and the clocks
	// of the writers differ a little. Reading a change twice is harmless.
	refreshOverlap = 30 * time.Second
)

// Index is a warm function's view of the triggers of one kind (Select), matched by a
// match.Matcher: every trigger at the first Refresh, then only what changed since.
type Index struct {
	Store  *Store
	Select func(*Trigger) bool // which live triggers the index holds
	Now    func() time.Time    // time.Now when nil

	mu        sync.Mutex
	matcher   *match.Matcher
	byID      map[string]*Trigger
	since     string
	refreshed time.Time
}

func (x *Index) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

// Refresh brings the index up to date when it is older than RefreshEvery.
func (x *Index) Refresh(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	start := x.now()
	if !x.refreshed.IsZero() && start.Sub(x.refreshed) < RefreshEvery {
		return nil
	}
	changed, _, err := x.Store.Changes(ctx, x.since)
	if err != nil {
		return err
	}
	if x.matcher == nil {
		x.matcher, x.byID = &match.Matcher{}, map[string]*Trigger{}
	}
	for _, t := range changed {
		x.apply(ctx, t)
	}
	x.since = Version(start.Add(-refreshOverlap))
	x.refreshed = start
	slog.DebugContext(ctx, "triggers refreshed", "changed", len(changed), "loaded", len(x.byID))
	return nil
}

// apply puts the trigger's current state into the matcher: in when it is live, enabled,
// selects events (MatchEvents) and is selected; out otherwise.
func (x *Index) apply(ctx context.Context, t *Trigger) {
	var events []string
	if !t.Deleted() && t.IsEnabled() && (x.Select == nil || x.Select(t)) {
		events = t.MatchEvents()
	}
	if len(events) == 0 {
		x.matcher.Remove(t.ID)
		delete(x.byID, t.ID)
		return
	}
	f, err := t.CompileFilter()
	if err != nil {
		// Stored specs were validated; one that no longer compiles (a filter rule made
		// stricter since) must not stop matching for everyone else.
		slog.ErrorContext(ctx, "stored trigger does not compile; it is left out", "trigger", t.ID, "error", err.Error())
		x.matcher.Remove(t.ID)
		delete(x.byID, t.ID)
		return
	}
	x.matcher.Add(t.ID, events, f)
	x.byID[t.ID] = t
}

// Match returns the triggers that match ev, as of the last Refresh.
func (x *Index) Match(ev *match.Event) []*Trigger {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.matcher == nil {
		return nil
	}
	ids := x.matcher.Match(ev)
	out := make([]*Trigger, 0, len(ids))
	for _, id := range ids {
		if t, ok := x.byID[id]; ok {
			out = append(out, t)
		}
	}
	return out
}

// IsAsync and IsSync select the triggers of one mode.
func IsAsync(t *Trigger) bool { return t.Mode != Sync }

// IsSync selects sync triggers.
func IsSync(t *Trigger) bool { return t.Mode == Sync }
