package trigger

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// spec returns the normalized spec made of members (JSON members, each after a comma:
// resource, events, filter, and the action when not a nats one).
func spec(t *testing.T, members string) Spec {
	t.Helper()
	if !strings.Contains(members, `"action":`) {
		members += `,"action":{"type":"nats","subject":"s"}`
	}
	s := decode(t, `{"name":"n"`+members+`}`)
	if err := s.Normalize(); err != nil {
		t.Fatalf("Normalize(%s): %v", members, err)
	}
	return s
}

// TestMatchEvents checks which event types a trigger is matched under: its events; "*"
// when it has none and its filter tests "event" (OMAPI's way); none otherwise, a
// placeholder.
func TestMatchEvents(t *testing.T) {
	tests := []struct {
		name, members string
		want          []string
	}{
		{"events", `,"events":["job.*"],"filter":{"event":"resource.ResourceCreated"}`, []string{"job.*"}},
		{"the OMAPI example", `,"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"}`, []string{"*"}},
		{"an empty list is none", `,"events":[],"filter":{"event":["job.JobFinished","job.JobFailed"]}`, []string{"*"}},
		{"every $or branch tests it", `,"filter":{"$or":[{"event":"job.JobFailed"},{"event":"job.JobFinished","data.x":1}]}`, []string{"*"}},
		{"one $or branch does not", `,"filter":{"$or":[{"event":"job.JobFailed"},{"data.x":1}]}`, nil},
		{"a filter on other members", `,"filter":{"resource.type":"itemsvc.*"}`, nil},
		{"no filter", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, `,"resource":{"path":"projects/p1"}`+tt.members)
			if got := s.MatchEvents(); !slices.Equal(got, tt.want) {
				t.Errorf("MatchEvents = %q, want %q", got, tt.want)
			}
			tr := &Trigger{Spec: s}
			if got, want := tr.IsPlaceholder(), tt.want == nil; got != want {
				t.Errorf("IsPlaceholder = %v, want %v", got, want)
			}
			if got := tr.View().Placeholder; got != tr.IsPlaceholder() {
				t.Errorf("the view's placeholder = %v, want %v", got, tr.IsPlaceholder())
			}
		})
	}
}

// TestSystemOnly checks when a trigger's events are all system events, by its events
// or by its filter, and that a reading it cannot make counts as not.
func TestSystemOnly(t *testing.T) {
	tests := []struct {
		name, members string
		want          bool
	}{
		{"system.*", `,"events":["system.*"]`, true},
		{"one system type", `,"events":["system.Announcement"]`, true},
		{"system and resource", `,"events":["system.*","resource.*"]`, false},
		{"every type", `,"events":["*"]`, false},
		{"a domain pattern over system", `,"events":["sys*.Announcement"]`, false},
		{"the type by the filter", `,"filter":{"event":"system.Announcement"}`, true},
		{"the domain by the filter", `,"filter":{"event":{"prefix":"system."}}`, true},
		{"every type narrowed by the filter", `,"events":["*"],"filter":{"event":"system.*"}`, true},
		{"an unreadable filter", `,"filter":{"event":{"regex":"system"}}`, false},
		{"anything but a resource event", `,"filter":{"event":{"anything-but":"resource.ResourceCreated"}}`, false},
		{"a placeholder", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, tt.members)
			if got := s.SystemOnly(); got != tt.want {
				t.Errorf("SystemOnly = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAllPathsNormalize checks that resource.path may be left out, the resource too, and
// that the trigger then includes every path; a path given must still be valid.
func TestAllPathsNormalize(t *testing.T) {
	for _, members := range []string{`,"events":["*"]`, `,"resource":{},"events":["*"]`, `,"resource":{"type":"job"},"events":["*"]`} {
		s := spec(t, members)
		if !s.AllPaths() || !s.Resource.IncludeSubresources {
			t.Errorf("%s: resource %+v, want every path", members, s.Resource)
		}
	}
	s := decode(t, `{"name":"n","resource":{"path":"/"},"events":["*"],"action":{"type":"nats","subject":"s"}}`)
	var fe *fault.Error
	if err := s.Normalize(); !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != "resource.path" {
		t.Errorf(`path "/": %v, want resource.path named`, err)
	}
}

// TestAuthorizeAllPaths checks who may have a trigger without a path: an administrator,
// not with a scoped token; for system events alone any person, async only; nobody else,
// with a 403 naming resource.path.
func TestAuthorizeAllPaths(t *testing.T) {
	admin := &auth.Claims{Subject: "a", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}}
	adminService := &auth.Claims{Subject: "a", TokenType: auth.Service, Roles: []string{auth.RoleAdmin}}
	adminScoped := &auth.Claims{Subject: "a", TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}}
	// Every grant a token may hold on projects, at the highest level, is still not the root.
	user := &auth.Claims{Subject: "u", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects": auth.Admin, "orgs": auth.Admin}}
	scoped := &auth.Claims{Subject: "u", TokenType: auth.Scoped, Perms: map[string]auth.Level{"projects/p1": auth.Read}}
	service := &auth.Claims{Subject: "s", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}
	const (
		everything   = `,"events":["resource.*"]`
		omapi        = `,"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"}`
		announce     = `,"events":["system.*"]`
		announceF    = `,"filter":{"event":"system.Announcement"}`
		mixed        = `,"events":["system.*","resource.*"]`
		syncAnnounce = `,"events":["system.*"],"mode":"sync","action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}`
		placeholder  = ``
	)
	tests := []struct {
		name    string
		members string
		c       *auth.Claims
		wantOK  bool
	}{
		{"admin, whole tree", everything, admin, true},
		{"admin, OMAPI filter", omapi, admin, true},
		{"admin service token, whole tree", everything, adminService, true},
		{"admin, sync whole tree", `,"events":["*"],"mode":"sync","action":{"type":"javascript","script":"function handle(e){return {approve:true}}"}`, admin, true},
		{"admin scoped token, whole tree", everything, adminScoped, false},
		{"admin scoped token, announcements", announce, adminScoped, true},
		{"user with top-level grants, whole tree", everything, user, false},
		{"user, OMAPI filter without a path", omapi, user, false},
		{"user, placeholder without a path", placeholder, user, false},
		{"user, announcements", announce, user, true},
		{"user, announcements by the filter", announceF, user, true},
		{"scoped token, announcements", announce, scoped, true},
		{"user, announcements and resource events", mixed, user, false},
		{"user, sync announcements", syncAnnounce, user, false},
		{"admin, sync announcements", syncAnnounce, admin, true},
		{"service token, announcements", announce, service, false},
	}
	if s := spec(t, announce); !fault.Is(s.Authorize(nil), fault.Unauthorized) {
		t.Error("Authorize(nil) is not Unauthorized")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, tt.members)
			err := s.Authorize(tt.c)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("Authorize = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Forbidden || len(fe.Fields) != 1 || fe.Fields[0].Field != "resource.path" {
				t.Errorf("Authorize = %v, want Forbidden naming resource.path", err)
			}
		})
	}
}

// TestAllPathsScope checks the scope of triggers without a path, as the matcher sees it
// (CompileFilter, without the event types) and as fire does (CheckScope): an
// administrator's spans every path; one of system events alone takes no resource event
// even where its events and filter are left aside.
func TestAllPathsScope(t *testing.T) {
	ev := func(raw string) (*event.Event, *match.Event) {
		e, err := event.Decode([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		m, err := match.ParseEvent([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return e, m
	}
	const (
		p1      = `{"event":"resource.ResourceCreated","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1"}}`
		o2      = `{"event":"job.JobFinished","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","resource":{"type":"job","path":"orgs/o2/jobs/j1"}}`
		ann     = `{"event":"system.Announcement","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","data":{"message":"maintenance"}}`
		annOnP1 = `{"event":"system.Announcement","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1"}}`
	)
	tests := []struct {
		name, members, event string
		want                 bool
		field                string // what fire names when the event is out of scope
	}{
		{"whole tree, one project", `,"events":["*"]`, p1, true, ""},
		{"whole tree, another tree", `,"events":["*"]`, o2, true, ""},
		{"whole tree, an announcement", `,"events":["*"]`, ann, true, ""},
		{"whole tree with a type", `,"resource":{"type":"job"},"events":["*"]`, p1, false, "event.resource.type"},
		{"announcements, an announcement", `,"events":["system.*"]`, ann, true, ""},
		{"announcements, one about a resource", `,"events":["system.*"]`, annOnP1, true, ""},
		{"announcements, a resource event", `,"events":["system.*"]`, p1, false, "event.event"},
		{"announcements by filter, a resource event", `,"filter":{"event":{"prefix":"system."}}`, o2, false, "event.event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec(t, tt.members)
			f, err := s.CompileFilter()
			if err != nil {
				t.Fatal(err)
			}
			e, m := ev(tt.event)
			if got := f.Match(m); got != tt.want {
				t.Errorf("the compiled scope and filter match = %v, want %v; explain %+v", got, tt.want, f.Explain(m))
			}
			err = s.CheckScope(e)
			if tt.field == "" {
				if err != nil {
					t.Errorf("CheckScope = %v, want nil", err)
				}
				return
			}
			var fe *fault.Error
			if !errors.As(err, &fe) || fe.Kind != fault.Invalid || len(fe.Fields) != 1 || fe.Fields[0].Field != tt.field {
				t.Errorf("CheckScope = %v, want Invalid naming %s", err, tt.field)
			}
		})
	}
}

// TestSetWritableAllPaths: a trigger without a path records nowhere its javascript
// action may publish, even an administrator's.
func TestSetWritableAllPaths(t *testing.T) {
	s := spec(t, `,"events":["*"],"action":{"type":"javascript","script":"function handle(e){return []}"}`)
	s.SetWritable(&auth.Claims{Subject: "a", TokenType: auth.Personal, Roles: []string{auth.RoleAdmin}})
	if s.Writable != nil {
		t.Errorf("writable %q, want none", s.Writable)
	}
}
