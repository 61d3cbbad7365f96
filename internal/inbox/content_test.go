package inbox

import (
	"reflect"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
)

func decodeEvent(t *testing.T, s string) *event.Event {
	t.Helper()
	ev, err := event.Decode([]byte(s))
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return ev
}

func TestFromEvent(t *testing.T) {
	const head = `"uuid":"e1","timestamp":"2026-11-22T18:00:00Z","recipients":["u2"]`
	tests := []struct {
		name        string
		event       string
		want        Content
		wantIgnored []string
	}{
		{
			"permission granted on the resource in data",
			`{` + head + `,"event":"user.PermissionGranted","user":{"id":"admin1"},"resource":{"type":"user","id":"u2","path":"users/u2"},"data":{"resource":{"type":"project","path":"projects/p1"}}}`,
			Content{PermissionGranted, "You were granted a permission on projects/p1.", []Ref{{RefResource, "project", "projects/p1"}, {RefUser, "actor", "admin1"}}},
			nil,
		},
		{
			"permission revoked without data names the event's resource",
			`{` + head + `,"event":"user.PermissionRevoked","resource":{"type":"user","id":"u2","path":"users/u2"}}`,
			Content{PermissionRevoked, "A permission of yours on users/u2 was revoked.", []Ref{{RefResource, "user", "users/u2"}}},
			nil,
		},
		{
			"permission updated",
			`{` + head + `,"event":"user.PermissionUpdated","resource":{"type":"user","path":"users/u2"},"data":{"resource":{"type":"collection","path":"projects/p1/collections/c1"}}}`,
			Content{PermissionUpdated, "Your permission on projects/p1/collections/c1 was changed.", []Ref{{RefResource, "collection", "projects/p1/collections/c1"}}},
			nil,
		},
		{
			"access requested names the requester",
			`{` + head + `,"event":"user.AccessRequested","user":{"id":"u9"},"resource":{"type":"user","path":"users/u2"},"data":{"resource":{"type":"project","path":"projects/p1"}}}`,
			Content{AccessRequested, "u9 requested access to projects/p1.", []Ref{{RefResource, "project", "projects/p1"}, {RefUser, "actor", "u9"}}},
			nil,
		},
		{
			"announcement takes its message from data",
			`{` + head + `,"event":"system.Announcement","data":{"message":"Maintenance on Sunday"}}`,
			Content{Announcement, "Maintenance on Sunday", []Ref{}},
			nil,
		},
		{
			"any other event",
			`{` + head + `,"event":"job.JobFailed","resource":{"type":"job","path":"projects/p1/jobs/j1"}}`,
			Content{Event, "job.JobFailed on projects/p1/jobs/j1.", []Ref{{RefResource, "job", "projects/p1/jobs/j1"}}},
			nil,
		},
		{
			"the notification field wins",
			`{` + head + `,"event":"job.JobFailed","resource":{"type":"job","path":"projects/p1/jobs/j1"},"notification":{"variant":"ANNOUNCEMENT","message":"Your transcode failed","refs":[{"type":"RESOURCE","name":"job","value":"projects/p1/jobs/j1"}]}}`,
			Content{Announcement, "Your transcode failed", []Ref{{RefResource, "job", "projects/p1/jobs/j1"}}},
			nil,
		},
		{
			"invalid parts of the notification field are derived instead",
			`{` + head + `,"event":"user.PermissionGranted","resource":{"type":"user","path":"users/u2"},"notification":{"variant":"PARTY","message":"Welcome aboard","refs":[{"type":"GROUP","name":"g","value":"g1"}]}}`,
			Content{PermissionGranted, "Welcome aboard", []Ref{{RefResource, "user", "users/u2"}}},
			[]string{"notification.variant", "notification.refs"},
		},
		{
			"a notification field of the wrong shape is ignored",
			`{` + head + `,"event":"system.Announcement","notification":{"message":42}}`,
			Content{Announcement, "Announcement.", []Ref{}},
			[]string{"notification"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ignored := FromEvent(decodeEvent(t, tt.event))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("content\n got %+v\nwant %+v", got, tt.want)
			}
			if !reflect.DeepEqual(ignored, tt.wantIgnored) {
				t.Errorf("ignored %v, want %v", ignored, tt.wantIgnored)
			}
			if err := got.Validate(""); err != nil {
				t.Errorf("derived content does not validate: %v", err)
			}
		})
	}
}

func TestContentValidate(t *testing.T) {
	ok := Content{Variant: Announcement, Message: "hi", Refs: []Ref{{RefUser, "actor", "u1"}}}
	if err := ok.Validate(""); err != nil {
		t.Fatalf("valid content: %v", err)
	}
	tests := []struct {
		name  string
		edit  func(c *Content)
		field string
	}{
		{"unknown variant", func(c *Content) { c.Variant = "X" }, "n.variant"},
		{"empty message", func(c *Content) { c.Message = "" }, "n.message"},
		{"long message", func(c *Content) { c.Message = strings.Repeat("x", MaxMessageBytes+1) }, "n.message"},
		{"invalid UTF-8", func(c *Content) { c.Message = "\xff" }, "n.message"},
		{"ref type", func(c *Content) { c.Refs = []Ref{{"GROUP", "g", "g1"}} }, "n.refs[0].type"},
		{"ref name", func(c *Content) { c.Refs = []Ref{{RefUser, "", "u1"}} }, "n.refs[0].name"},
		{"ref value", func(c *Content) { c.Refs = []Ref{{RefUser, "a", strings.Repeat("v", MaxRefBytes+1)}} }, "n.refs[0].value"},
		{"too many refs", func(c *Content) { c.Refs = make([]Ref, MaxRefs+1) }, "n.refs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate("n.")
			if err == nil || !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("Validate = %v, want an error naming %s", err, tt.field)
			}
		})
	}
}
