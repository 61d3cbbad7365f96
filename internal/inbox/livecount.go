package inbox

import (
	"time"
)

// DefaultLiveCountWindow is how long a LiveCount remembers a change it heard: far longer than the
// unacknowledged index takes to show a write (it is eventually consistent, usually
// within a second).
const DefaultLiveCountWindow = time.Minute

// LiveCount counts the unacknowledged notifications of one user for a live stream, which
// counts again after every change it hears. The unacknowledged index it reads may not
// show the change yet; the LiveCount corrects the index's answer by the changes heard in
// the last Window, in the order heard. What is older than that the index shows, so a
// lost announcement only delays the count until the next one.
type LiveCount struct {
	Window time.Duration    // zero means DefaultLiveCountWindow
	Now    func() time.Time // time.Now when nil

	heard []heard
}

type heard struct {
	at time.Time
	c  Change
}

func (t *LiveCount) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Heard records a change announced on the user's subject.
func (t *LiveCount) Heard(c Change) {
	t.heard = append(t.heard, heard{at: t.now(), c: c})
}

// Count returns how many notifications are unacknowledged, given the ids the
// unacknowledged index listed: those, with the notifications heard written since added
// and those heard acknowledged since taken away, in the order they were heard.
func (t *LiveCount) Count(indexed []string) int {
	window := t.Window
	if window <= 0 {
		window = DefaultLiveCountWindow
	}
	cutoff := t.now().Add(-window)
	kept := t.heard[:0]
	for _, h := range t.heard {
		if h.at.After(cutoff) {
			kept = append(kept, h)
		}
	}
	t.heard = kept
	unacked := make(map[string]bool, len(indexed))
	for _, id := range indexed {
		unacked[id] = true
	}
	for _, h := range t.heard {
		switch {
		case h.c.Notification != nil:
			if !h.c.Notification.Acknowledged() {
				unacked[h.c.Notification.ID] = true
			}
		case h.c.Acknowledged != nil:
			a := h.c.Acknowledged
			for _, id := range a.IDs {
				delete(unacked, id)
			}
			if a.Before != "" {
				for id := range unacked {
					if id <= a.Before {
						delete(unacked, id)
					}
				}
			}
		}
	}
	return len(unacked)
}
