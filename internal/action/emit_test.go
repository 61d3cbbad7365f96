package action

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

func TestAdopt(t *testing.T) {
	d := Delivery{TriggerID: "01JTRIGGER", Owner: "alice", Scope: Scope{Path: "projects/p1", Subresources: true, Writable: []string{"projects/p1/jobs"}}}
	ev := func(typ, path string, recipients ...string) *event.Event {
		return &event.Event{Event: typ, User: &event.User{ID: "mallory"}, Resource: &event.Resource{Type: "x", Path: path}, Recipients: recipients}
	}
	for _, tt := range []struct {
		name   string
		ev     *event.Event
		hop    int
		refuse string // "" when adopted
	}{
		{"inside a writable path", ev("job.JobCreated", "projects/p1/jobs/j1", "alice"), 1, ""},
		{"the writable path itself", ev("job.JobCreated", "projects/p1/jobs"), 3, ""},
		{"past the hop limit", ev("job.JobCreated", "projects/p1/jobs/j1"), 4, "hop 4"},
		{"readable but not writable", ev("job.JobCreated", "projects/p1/items/i1"), 1, "WRITE"},
		{"outside the scope", ev("job.JobCreated", "projects/p2/jobs/j1"), 1, "outside the trigger's scope"},
		{"a look-alike path", ev("job.JobCreated", "projects/p1/jobsx"), 1, "WRITE"},
		{"a user event", ev("user.PermissionGranted", "projects/p1/jobs/j1"), 1, "user.*"},
		{"a system event", &event.Event{Event: "system.Announcement"}, 1, "system.*"},
		{"another recipient", ev("job.JobCreated", "projects/p1/jobs/j1", "alice", "victim"), 1, "recipients"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := adopt(d, tt.ev, tt.hop, 3)
			switch {
			case tt.refuse == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refuse != "" && (err == nil || !strings.Contains(err.Error(), tt.refuse)):
				t.Fatalf("got %v, want a refusal about %q", err, tt.refuse)
			case tt.refuse == "":
				o, ok := tt.ev.Origin()
				if tt.ev.User.ID != "alice" || !ok || o.Trigger != d.TriggerID || o.Hop != tt.hop {
					t.Errorf("adopted as user %v with origin %+v, want alice and {%s %d}", tt.ev.User, o, d.TriggerID, tt.hop)
				}
				if err := tt.ev.Validate(); err != nil && !strings.Contains(err.Error(), "uuid") {
					t.Errorf("the adopted event's origin does not validate: %v", err)
				}
			}
		})
	}
}
