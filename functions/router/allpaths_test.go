package main

import (
	"context"
	"fmt"
	"slices"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/trigger"
)

// TestRoutesWideTriggers routes events to the kinds of trigger that name no events or no
// path: OMAPI's example (the filter selects resource.ResourceCreated), a trigger without
// a path (every path; its resource type, unique to the test, keeps it off the other
// tests' events), one of system.* events alone, and a placeholder. Each event gets a
// task for exactly the triggers listed.
func TestRoutesWideTriggers(t *testing.T) {
	h, url, _ := newHandler(t)
	id := uuid.NewString()[:8]
	scope, wideType := "projects/"+id, "wide"+id
	omapi := create(t, h, `{"name":"omapi","resource":{"path":"`+scope+`","include_subresources":true},
		"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"s"}}`)
	tree := create(t, h, `{"name":"tree","resource":{"type":"`+wideType+`"},"events":["resource.*"],"action":{"type":"nats","subject":"s"}}`)
	ann := create(t, h, `{"name":"ann","events":["system.*"],"filter":{"data.tag":"`+id+`"},"action":{"type":"nats","subject":"s"}}`)
	placeholder := create(t, h, `{"name":"p","resource":{"path":"`+scope+`","include_subresources":true},"filter":{"resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"s"}}`)
	mine := []string{omapi.ID, tree.ID, ann.ID, placeholder.ID}
	// The triggers stay in the table the Router tests share: leaving, they must not
	// match the events of tests run after them.
	t.Cleanup(func() {
		for _, tr := range []*trigger.Trigger{omapi, tree, ann, placeholder} {
			if err := h.Triggers.Store.Delete(context.Background(), tr.ID, tr.Owner); err != nil {
				t.Error(err)
			}
		}
	})

	announcement := func(resource string) (awsevents.SQSMessage, string) {
		u := uuid.NewString()
		body := fmt.Sprintf(`{"uuid":%q,"event":"system.Announcement","timestamp":"2026-11-22T18:00:00Z"%s,"data":{"tag":%q}}`, u, resource, id)
		return awsevents.SQSMessage{MessageId: "m-" + u[:8], Body: body}, u
	}
	type routed struct {
		msg  awsevents.SQSMessage
		uuid string
	}
	ev := func(m awsevents.SQSMessage, u string) routed { return routed{m, u} }
	tests := []struct {
		name string
		ev   routed
		want []string
	}{
		{"an item created under the scope", ev(eventOn("resource.ResourceCreated", "itemsvc.Item", scope+"/items/i1")), []string{omapi.ID}},
		{"an item updated under the scope", ev(eventOn("resource.ResourceUpdated", "itemsvc.Item", scope+"/items/i1")), nil},
		{"a collection created under the scope", ev(eventOn("resource.ResourceCreated", "collection", scope+"/c1")), nil},
		{"an item created elsewhere", ev(eventOn("resource.ResourceCreated", "itemsvc.Item", "projects/other-"+id+"/items/i1")), nil},
		{"the wide type on one project", ev(eventOn("resource.ResourceCreated", wideType, "projects/a-"+id)), []string{tree.ID}},
		{"the wide type in another tree", ev(eventOn("resource.ResourceDeleted", wideType, "orgs/b-"+id+"/x/y")), []string{tree.ID}},
		{"an announcement", ev(announcement("")), []string{ann.ID}},
		{"an announcement about a resource", ev(announcement(`,"resource":{"type":"itemsvc.Item","path":"` + scope + `/items/i1"}`)), []string{ann.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if failed := handle(t, h, tt.ev.msg); len(failed) != 0 {
				t.Fatalf("failures %v", failed)
			}
			var got []string
			for _, task := range tasks(t, url, waiting(t, url)) {
				if task.EventUUID == tt.ev.uuid && slices.Contains(mine, task.TriggerID) {
					got = append(got, task.TriggerID)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("tasks for %v, want %v (omapi %s, tree %s, ann %s, placeholder %s)", got, want, omapi.ID, tree.ID, ann.ID, placeholder.ID)
			}
		})
	}
}
