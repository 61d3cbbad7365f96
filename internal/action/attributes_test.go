package action

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fanout"
)

// TestAttributes: an action's message carries the event's identifying fields, each with
// its data type, no more than SQS takes, and leaves out what the event lacks or what SQS
// cannot carry.
func TestAttributes(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	ts := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	type attr struct{ dataType, value string }
	str := func(v string) attr { return attr{"String", v} }
	tests := []struct {
		name string
		e    *event.Event
		want map[string]attr
	}{
		{
			name: "every field",
			e: &event.Event{Event: "item.ItemCreated", UUID: id, Timestamp: ts, User: &event.User{ID: "u1"}, Recipients: []string{"u2"},
				Resource: &event.Resource{Type: "itemsvc.Item", ID: "i1", Path: "projects/p1/items/i1", Namespaces: []string{"media", "a,b", "<&>"}}},
			want: map[string]attr{
				"event": str("item.ItemCreated"), "domain": str("item"), "uuid": str(id), "resource_type": str("itemsvc.Item"),
				"resource_path": str("projects/p1/items/i1"), "resource_id": str("i1"), "user_id": str("u1"), "has_recipients": str("true"),
				"namespaces": {"String.Array", `["media","a,b","<&>"]`},
			},
		},
		{
			name: "no id, user or namespaces",
			e:    &event.Event{Event: "job.JobFinished", UUID: id, Timestamp: ts, Resource: &event.Resource{Type: "job", Path: "projects/p1/jobs/j1"}},
			want: map[string]attr{
				"event": str("job.JobFinished"), "domain": str("job"), "uuid": str(id), "resource_type": str("job"),
				"resource_path": str("projects/p1/jobs/j1"), "has_recipients": str("false"),
			},
		},
		{
			name: "a system event",
			e:    &event.Event{Event: "system.Announcement", UUID: id, Timestamp: ts},
			want: map[string]attr{"event": str("system.Announcement"), "domain": str("system"), "uuid": str(id), "resource_path": str("system"), "has_recipients": str("false")},
		},
		{
			name: "a control character SQS refuses",
			e: &event.Event{Event: "job.JobFinished", UUID: id, Timestamp: ts, User: &event.User{ID: "u\x01"},
				Resource: &event.Resource{Type: "job", ID: "j\x02", Path: "projects/p1/jobs/j1", Namespaces: []string{"n\x03"}}},
			want: map[string]attr{
				"event": str("job.JobFinished"), "domain": str("job"), "uuid": str(id), "resource_type": str("job"),
				"resource_path": str("projects/p1/jobs/j1"), "has_recipients": str("false"),
				// JSON escapes it: the array is still carried.
				"namespaces": {"String.Array", `["n\u0003"]`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sns, sqs := map[string]attr{}, map[string]attr{}
			for k, v := range snsAttributes(tt.e) {
				sns[k] = attr{aws.ToString(v.DataType), aws.ToString(v.StringValue)}
			}
			for k, v := range sqsAttributes(tt.e) {
				sqs[k] = attr{aws.ToString(v.DataType), aws.ToString(v.StringValue)}
			}
			if !maps.Equal(sns, tt.want) {
				t.Errorf("sns attributes\n%v\nwant\n%v", sns, tt.want)
			}
			if !maps.Equal(sqs, sns) {
				t.Errorf("sqs attributes\n%v\ndiffer from sns's\n%v", sqs, sns)
			}
			if len(sns) > fanout.MaxAttributes {
				t.Errorf("%d attributes, more than SQS takes on a message", len(sns))
			}
			if ns, ok := sns["namespaces"]; ok {
				var list []string
				if err := json.Unmarshal([]byte(ns.value), &list); err != nil || len(list) != len(tt.e.Resource.Namespaces) {
					t.Errorf("namespaces %q does not read back as the list: %v", ns.value, err)
				}
			}
		})
	}
}
