package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// TestWideTriggers runs, through herald-local, the triggers that name no events or no
// path: OMAPI's example as written (no events; its filter selects item creates), an
// administrator's trigger without a path (every resource event, on unrelated trees), and
// a user's announcements trigger (system.* events, no path, no grant needed). Every
// event is followed until the Router has routed it to exactly the triggers expected,
// and each webhook receives exactly its events.
func TestWideTriggers(t *testing.T) {
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	user := stacktest.MintToken(t, auth.Claims{Subject: "omapi-user", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/demo": auth.Read}})
	// A user without any grant: announcements are for everyone.
	bystander := stacktest.MintToken(t, auth.Claims{Subject: "bystander", TokenType: auth.Personal})
	admin := stacktest.AdminToken(t)
	publisher := stacktest.MintToken(t, auth.Claims{Subject: "wide-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}})

	// The triggers are made before any event flows, so that the Router's first load has
	// them all.
	omapiHook, treeHook, annHook := stacktest.NewHookReceiver(t), stacktest.NewHookReceiver(t), stacktest.NewHookReceiver(t)
	type shown struct {
		ID       string                     `json:"id"`
		Resource map[string]json.RawMessage `json:"resource"`
		Events   []string                   `json:"events"`
		// Placeholder is raw so that an answer without the member shows.
		Placeholder json.RawMessage `json:"placeholder"`
	}
	create := func(token, spec string) shown {
		t.Helper()
		var s shown
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: token, Body: spec}, http.StatusCreated, &s)
		if string(s.Placeholder) != "false" {
			t.Errorf("trigger %s answered placeholder %q, want false", s.ID, s.Placeholder)
		}
		return s
	}
	omapi := create(user, `{"name":"item creates","resource":{"path":"projects/demo","include_subresources":true},`+
		`"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"},"action":{"type":"http","url":"`+omapiHook.URL+`"}}`)
	tree := create(admin, `{"name":"every resource","events":["resource.*"],"action":{"type":"http","url":"`+treeHook.URL+`"}}`)
	ann := create(bystander, `{"name":"announcements","events":["system.*"],"action":{"type":"http","url":"`+annHook.URL+`"}}`)

	// The API shows them as they are: OMAPI's without events, the others without a path.
	var got shown
	ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/triggers/" + omapi.ID, Token: user}, http.StatusOK, &got)
	if len(got.Events) != 0 || string(got.Placeholder) != "false" || string(got.Resource["path"]) != `"projects/demo"` {
		t.Errorf("OMAPI's trigger shows events %q, placeholder %q, resource %s", got.Events, got.Placeholder, got.Resource)
	}
	for _, s := range []shown{tree, ann} {
		if _, ok := s.Resource["path"]; ok || string(s.Resource["include_subresources"]) != "true" {
			t.Errorf("trigger %s shows resource %s, want no path and include_subresources", s.ID, s.Resource)
		}
	}

	events := []struct {
		name, body string
		want       []string // the webhooks it reaches
	}{
		{"an item created under the grant", `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","id":"i1","path":"projects/demo/items/i1","after":{"title":"one"}}}`, []string{"omapi", "tree"}},
		{"an item created deep under it", `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","id":"i2","path":"projects/demo/folders/f1/items/i2","after":{"title":"two"}}}`, []string{"omapi", "tree"}},
		{"an item updated", `{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","id":"i1","path":"projects/demo/items/i1","before":{"title":"one"},"after":{"title":"One"}}}`, []string{"tree"}},
		{"a collection created", `{"event":"resource.ResourceCreated","resource":{"type":"collection","id":"c1","path":"projects/demo/collections/c1","after":{"title":"c"}}}`, []string{"tree"}},
		{"an item created in another project", `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","id":"i3","path":"projects/elsewhere/items/i3","after":{"title":"three"}}}`, []string{"tree"}},
		{"a job in an unrelated tree", `{"event":"resource.ResourceDeleted","resource":{"type":"job","path":"orgs/acme/jobs/j1"}}`, []string{"tree"}},
		{"an announcement", `{"event":"system.Announcement","data":{"message":"maintenance tonight"}}`, []string{"ann"}},
	}
	want := map[string][]string{} // webhook → event uuids
	var routed []string           // the Router's log line of each event
	for _, e := range events {
		var ack struct {
			UUID string `json:"uuid"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher, Body: e.body}, http.StatusAccepted, &ack)
		for _, h := range e.want {
			want[h] = append(want[h], ack.UUID)
		}
		var typ struct {
			Event string `json:"event"`
		}
		_ = json.Unmarshal([]byte(e.body), &typ)
		routed = append(routed, fmt.Sprintf(`"uuid":%q,"event":%q,"triggers":%d`, ack.UUID, typ.Event, len(e.want)))
	}
	// Each event routed to as many triggers as it should reach: then no task is missing,
	// and none is on its way to a trigger it should not reach.
	testenv.WaitFor(t, 60*time.Second, func() bool {
		text := p.Text()
		for _, r := range routed {
			if !strings.Contains(text, r) {
				return false
			}
		}
		return true
	}, "every event routed to the triggers it should reach")

	hooks := map[string]*stacktest.HookReceiver{"omapi": omapiHook, "tree": treeHook, "ann": annHook}
	for _, name := range slices.Sorted(maps.Keys(hooks)) {
		received := func() []string {
			_, bodies := hooks[name].Received()
			var uuids []string
			for _, b := range bodies {
				uuids = append(uuids, stacktest.EventUUID(b))
			}
			slices.Sort(uuids)
			return uuids
		}
		testenv.WaitFor(t, 60*time.Second, func() bool { return len(received()) >= len(want[name]) }, "the deliveries of the "+name+" trigger")
		if got, want := received(), slices.Sorted(slices.Values(want[name])); !slices.Equal(got, want) {
			t.Errorf("the %s webhook received %q, want %q", name, got, want)
		}
	}
}
