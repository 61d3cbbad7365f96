package event_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
)

func TestSubject(t *testing.T) {
	tests := []struct {
		typ, path string
		want      string
	}{
		{"resource.ResourceCreated", "projects/p1/collections/c1", "herald.events.resource.ResourceCreated.projects.p1.collections.c1._"},
		{"system.Announcement", "system", "herald.events.system.Announcement.system._"},
		{"a.b", "_", "herald.events.a.b._._"},
		{"a.b", "projects/_/x", "herald.events.a.b.projects._.x._"},
		{"a.b", "_/_", "herald.events.a.b._._._"},
		{"item.ItemCreated", "itemsvc_Item/VX-1_2", "herald.events.item.ItemCreated.itemsvc_Item.VX-1_2._"},
		{"a-b.C_d", "x~y:z", "herald.events.a-b.C_d.x~y:z._"},
		{"a.a", strings.Repeat("a/", 15) + "a", "herald.events." + strings.Repeat("a.", 2+16) + "_"}, // 16 segments
	}
	for _, tt := range tests {
		got := event.Subject(tt.typ, tt.path)
		if got != tt.want {
			t.Errorf("Subject(%q, %q) = %q, want %q", tt.typ, tt.path, got, tt.want)
		}
		typ, path, err := event.ParseSubject(got)
		if err != nil || typ != tt.typ || path != tt.path {
			t.Errorf("ParseSubject(%q) = %q, %q, %v; want %q, %q", got, typ, path, err, tt.typ, tt.path)
		}
		if !strings.HasPrefix(got, strings.TrimSuffix(event.StreamSubjects, ">")) {
			t.Errorf("Subject %q is not under the stream's subjects %q", got, event.StreamSubjects)
		}
	}
}

func TestParseSubjectErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", "is not under herald.events"},
		{"herald.events", "is not under herald.events"},
		{"herald.eventsX.a.b.p._", "is not under herald.events"},
		{"other.events.a.b.p._", "is not under herald.events"},
		{"herald.deadletter.events", "is not under herald.events"},
		{"herald.events.a.b.p", `does not end with the "._" token`},
		{"herald.events.a.b.p.>", `does not end with the "._" token`},
		{"herald.events.a.b.p_", `does not end with the "._" token`},
		{"herald.events._", `does not end with the "._" token`},
		{"herald.events.a.b._", "has no path"},
		{"herald.events.a._", "has no path"},
		{"herald.events.a.b.._", "has an invalid path: is required"},
		{"herald.events.a.b.p.._", "has an invalid path: must not end with"},
		{"herald.events.a.b..p._", "has an invalid path: must not start with"},
		{"herald.events.a.b.p..q._", "has an invalid path: must not have an empty segment"},
		{"herald.events.a.b.*._", "has an invalid path"},
		{"herald.events.a.b.p/q._", "has an invalid path"},
		{"herald.events.a.b.p q._", "has an invalid path"},
		{"herald.events.*.b.p._", "has an invalid event type"},
		{"herald.events.a.>.p._", "has an invalid event type"},
		{"herald.events..b.p._", "has an invalid event type"},
		{"herald.events." + strings.Repeat("a.", 2+17) + "_", "has an invalid path: must have at most 16 segments"},
	}
	for _, tt := range tests {
		typ, path, err := event.ParseSubject(tt.in)
		if err == nil {
			t.Errorf("ParseSubject(%q) = %q, %q, nil; want an error", tt.in, typ, path)
			continue
		}
		if !fault.Is(err, fault.Invalid) {
			t.Errorf("ParseSubject(%q) error kind = %v, want Invalid", tt.in, fault.KindOf(err))
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSubject(%q) = %v, want an error containing %q", tt.in, err, tt.want)
		}
		if typ != "" || path != "" {
			t.Errorf("ParseSubject(%q) returned %q, %q along with the error", tt.in, typ, path)
		}
	}
}

func TestEventAccessors(t *testing.T) {
	tests := []struct {
		name         string
		e            event.Event
		domain, nm   string
		path         string
		subject      string
		hasRecipient bool
	}{
		{
			name:    "resource event",
			e:       event.Event{Event: "resource.ResourceCreated", Resource: &event.Resource{Type: "collection", ID: "c1", Path: "projects/p1/collections/c1"}},
			domain:  "resource",
			nm:      "ResourceCreated",
			path:    "projects/p1/collections/c1",
			subject: "herald.events.resource.ResourceCreated.projects.p1.collections.c1._",
		},
		{
			name:    "path derived for an event built in code",
			e:       event.Event{Event: "item.ItemCreated", Resource: &event.Resource{Type: "itemsvc.Item", ID: "VX-1/2"}},
			domain:  "item",
			nm:      "ItemCreated",
			path:    "itemsvc_Item/VX-1_2",
			subject: "herald.events.item.ItemCreated.itemsvc_Item.VX-1_2._",
		},
		{
			name:         "system event ignores its resource",
			e:            event.Event{Event: "system.Announcement", Resource: &event.Resource{Type: "t", Path: "a/b"}, Recipients: []string{"u1"}},
			domain:       "system",
			nm:           "Announcement",
			path:         "system",
			subject:      "herald.events.system.Announcement.system._",
			hasRecipient: true,
		},
		{
			name:         "user event",
			e:            event.Event{Event: "user.PermissionGranted", Resource: &event.Resource{Type: "user", ID: "u1", Path: "users/u1"}, Recipients: []string{"u1"}},
			domain:       "user",
			nm:           "PermissionGranted",
			path:         "users/u1",
			subject:      "herald.events.user.PermissionGranted.users.u1._",
			hasRecipient: true,
		},
		{
			name:    "no resource",
			e:       event.Event{Event: "a.B"},
			domain:  "a",
			nm:      "B",
			path:    "",
			subject: "herald.events.a.B.._",
		},
		{
			name:    "resource without path or id",
			e:       event.Event{Event: "a.B", Resource: &event.Resource{Type: "t"}},
			domain:  "a",
			nm:      "B",
			subject: "herald.events.a.B.._",
		},
		{
			name:    "no dot",
			e:       event.Event{Event: "nodot"},
			subject: "herald.events.nodot.._",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &tt.e
			if got := e.Domain(); got != tt.domain {
				t.Errorf("Domain() = %q, want %q", got, tt.domain)
			}
			if got := e.Name(); got != tt.nm {
				t.Errorf("Name() = %q, want %q", got, tt.nm)
			}
			if got := e.Path(); got != tt.path {
				t.Errorf("Path() = %q, want %q", got, tt.path)
			}
			if got := e.Subject(); got != tt.subject {
				t.Errorf("Subject() = %q, want %q", got, tt.subject)
			}
			if got := e.HasRecipients(); got != tt.hasRecipient {
				t.Errorf("HasRecipients() = %v, want %v", got, tt.hasRecipient)
			}
		})
	}
}
