package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/oklog/ulid/v2"

	"github.com/heraldhq/herald/internal/delivery"
	"github.com/heraldhq/herald/internal/event"
)

// TestReadTask checks that only a task as the Router and the Triggers API make it is
// read as one: anything else is dead-lettered before it can reach a trigger, cost its
// owner an exhausted delivery, or send a webhook.
func TestReadTask(t *testing.T) {
	ev := &event.Event{Event: "resource.ResourceCreated", UUID: uuid.NewString(), Timestamp: time.Now().UTC(), Resource: &event.Resource{Type: "collection", Path: "projects/p1/c1"}}
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	trig := ulid.Make().String()
	encode := func(change func(*delivery.Task)) string {
		tk := delivery.Task{TriggerID: trig, DeliveryID: delivery.ID(ev.UUID, trig, ev.Timestamp), EventUUID: ev.UUID, Event: raw}
		if change != nil {
			change(&tk)
		}
		b, err := json.Marshal(tk)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, c := range []struct {
		name string
		body string
		ok   bool
	}{
		{"a task as the Router makes it", encode(nil), true},
		{"not JSON", "not a task", false},
		{"trigger_id missing", encode(func(tk *delivery.Task) { tk.TriggerID = "" }), false},
		{"trigger_id not a Herald id", encode(func(tk *delivery.Task) { tk.TriggerID = "../" + trig }), false},
		{"delivery_id longer than a key may be", encode(func(tk *delivery.Task) { tk.DeliveryID = strings.Repeat("D", 4096) }), false},
		{"event missing", encode(func(tk *delivery.Task) { tk.Event = nil }), false},
		{"event not an object", encode(func(tk *delivery.Task) { tk.Event = json.RawMessage(`"resource.ResourceCreated"`) }), false},
		{"event invalid", encode(func(tk *delivery.Task) { tk.Event = json.RawMessage(`{"event":"resource.ResourceCreated"}`) }), false},
		{"event_uuid not the event's", encode(func(tk *delivery.Task) { tk.EventUUID = uuid.NewString() }), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var task delivery.Task
			if why := readTask(c.body, &task); (why == "") != c.ok {
				t.Errorf("readTask(%.80s) = %q, want a task: %v", c.body, why, c.ok)
			}
		})
	}
}
