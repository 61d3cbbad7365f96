package security

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/test/stacktest"
)

// wideTriggerCases are the matrix's attempts at a trigger without resource.path, which
// spans every path, by callers who may not have one: each is 403 naming resource.path.
// Every grant a token can hold names a path; none is the root, so even ADMIN on a
// top-level path is not enough, and only the admin role (not with a scoped token) is.
// Announcements (system.* events alone) are anyone's, but not mixed with other events,
// not in sync mode (a veto of every announcement), and not for a service.
func wideTriggerCases(t *testing.T, w *stacktest.World) []secCase {
	t.Helper()
	refused := stacktest.Want{Status: 403, Fields: []string{"resource.path"}}
	const action = `,"action":{"type":"nats","subject":"herald.actions.suite.wide"}}`
	topAdmin := stacktest.MintToken(t, auth.Claims{Subject: stacktest.IntruderSub, TokenType: auth.Personal,
		Perms: map[string]auth.Level{"projects": auth.Admin, "orgs": auth.Admin, "users": auth.Admin, "system": auth.Admin}})
	adminScoped := stacktest.MintToken(t, auth.Claims{Subject: stacktest.AdminSub, TokenType: auth.Scoped, Roles: []string{auth.RoleAdmin}})
	call := func(token, body string) stacktest.Call {
		return stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: token, Body: body}
	}
	return []secCase{
		{"every resource event, without the admin role", call(w.Intruder, `{"name":"all","events":["resource.*"]`+action), refused},
		{"the resource left out, with ADMIN on every top-level path", call(topAdmin, `{"name":"all","events":["*"]`+action), refused},
		{"OMAPI's filter and no path", call(w.Intruder, `{"name":"all","filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"}`+action), refused},
		{"announcements mixed with resource events", call(w.Intruder, `{"name":"ann","events":["system.*","resource.*"]`+action), refused},
		{"announcements by a filter it cannot read", call(w.Intruder, `{"name":"ann","filter":{"event":{"regex":"system"}}`+action), refused},
		{"announcements or anything else", call(w.Intruder, `{"name":"ann","filter":{"$or":[{"event":"system.Announcement"},{"data.x":1}]}`+action), refused},
		{"sync announcements", call(w.Intruder, `{"name":"veto","events":["system.*"],"mode":"sync","action":{"type":"javascript","script":"function handle(e){return {approve:false}}"}}`), refused},
		{"announcements with a service token", call(w.Publisher, `{"name":"ann","events":["system.*"]`+action), refused},
		{"every event with an administrator's scoped token", call(adminScoped, `{"name":"all","events":["*"]`+action), refused},
	}
}

// announcementsConfined checks that a trigger of announcements gives its owner nothing
// else. The intruder, with READ on the suite's scope only, makes one (system.* events,
// no path) and gets the announcements; resource events published meanwhile, inside and
// outside the scope, and the one the suite published at the start, reach it neither by
// routing nor by a replay of the whole stream; and fire takes no resource event for it.
func announcementsConfined(t *testing.T, w *stacktest.World) {
	hook := stacktest.NewHookReceiver(t)
	var tr struct {
		ID string `json:"id"`
	}
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: w.Intruder,
		Body: `{"name":"ann","events":["system.*"],"action":{"type":"http","url":"` + hook.URL + `"}}`}, http.StatusCreated, &tr)
	publish := func(body string) string {
		t.Helper()
		var ack struct {
			UUID string `json:"uuid"`
		}
		w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: w.Publisher, Body: body}, http.StatusAccepted, &ack)
		return ack.UUID
	}
	delivered := func() []string {
		var uuids []string
		_, bodies := hook.Received()
		for _, b := range bodies {
			uuids = append(uuids, stacktest.EventUUID(b))
		}
		return uuids
	}
	announce := `{"event":"system.Announcement","data":{"message":"maintenance tonight"}}`
	// The Router sees a new trigger within seconds: announce until one arrives.
	var announcements []string
	var last time.Time
	testenv.WaitFor(t, 60*time.Second, func() bool {
		if len(delivered()) > 0 {
			return true
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			announcements = append(announcements, publish(announce))
		}
		return false
	}, "an announcement at the announcements trigger")

	// The trigger is live: resource events now, inside the intruder's grant and outside
	// it, in the owner's scope and elsewhere, then one more announcement.
	resources := []string{
		publish(`{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","id":"secret","path":"` + stacktest.ScopePath + `/items/secret","after":{"title":"secret"}}}`),
		publish(`{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","id":"x","path":"projects/elsewhere/items/x","before":{"v":1},"after":{"v":2}}}`),
		publish(`{"event":"job.JobFinished","resource":{"type":"job","id":"j1","path":"orgs/other/jobs/j1"},"data":{"jobType":"TRANSCODE","state":"FINISHED"}}`),
	}
	announcements = append(announcements, publish(announce))
	for _, u := range resources {
		// Routed (the Router records a delivery before it queues it): from then on, a
		// delivery to the announcements trigger would be in its log.
		testenv.WaitFor(t, 60*time.Second, func() bool { return strings.Contains(w.P.Text(), `"uuid":"`+u+`","event":`) }, "resource event "+u+" routed")
	}
	testenv.WaitFor(t, 60*time.Second, func() bool { return slices.Contains(delivered(), announcements[len(announcements)-1]) }, "the last announcement delivered")

	// A replay from the start of the stream, where the suite's first resource event is:
	// it reads the system events alone, and every one matches.
	var res struct {
		Scanned int `json:"scanned"`
		Matched int `json:"matched"`
	}
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers/" + tr.ID + "/replay", Token: w.Intruder, Body: `{"start_sequence":1}`}, http.StatusAccepted, &res)
	if res.Matched < len(announcements) || res.Scanned != res.Matched {
		t.Errorf("replay %+v: want every announcement (%d) matched, and nothing but system events read", res, len(announcements))
	}

	var log struct {
		Items []struct {
			EventUUID string `json:"event_uuid"`
		} `json:"items"`
	}
	w.AC.OK(t, stacktest.Call{Method: "GET", Path: "/v1/triggers/" + tr.ID + "/deliveries?limit=100", Token: w.Intruder}, http.StatusOK, &log)
	if len(log.Items) < len(announcements) {
		t.Errorf("the trigger's log holds %d deliveries, want the %d announcements at least", len(log.Items), len(announcements))
	}
	for _, d := range log.Items {
		if slices.Contains(resources, d.EventUUID) {
			t.Errorf("the announcements trigger has a delivery of resource event %s", d.EventUUID)
		}
	}
	for _, u := range delivered() {
		if slices.Contains(resources, u) {
			t.Errorf("the announcements webhook received resource event %s", u)
		}
	}

	// Fire runs the action only for what the trigger is about.
	fire := stacktest.Call{Method: "POST", Path: "/v1/triggers/" + tr.ID + "/fire", Token: w.Intruder,
		Body: `{"event":{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + stacktest.ScopePath + `/items/secret"}}}`}
	stacktest.Expect(t, fire, w.AC.Do(t, fire), stacktest.Want{Status: 400, Fields: []string{"event.event"}})
}
