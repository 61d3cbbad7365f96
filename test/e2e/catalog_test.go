package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/test/stacktest"
)

// catalogEntry is one event type as GET /v1/catalog lists it.
type catalogEntry struct {
	Event   string          `json:"event"`
	Schema  json.RawMessage `json:"schema"`
	Example json.RawMessage `json:"example"`
}

// contractMember is one member a schema declares for resource or data, by its dotted
// path in the event.
type contractMember struct {
	path     string
	required bool
}

// schemaObject is what TestCatalogContracts reads of a schema's resource and data.
type schemaObject struct {
	Required   []string                   `json:"required"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// contractMembers lists, sorted, the members of resource and data that schema declares,
// but for the resource's type, id and path, which every event has anyway.
func contractMembers(t *testing.T, schema []byte) []contractMember {
	t.Helper()
	var s struct {
		Properties map[string]schemaObject `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	var out []contractMember
	for _, part := range []string{"resource", "data"} {
		obj := s.Properties[part]
		for name := range obj.Properties {
			if part == "resource" && (name == "type" || name == "id" || name == "path") {
				continue
			}
			out = append(out, contractMember{part + "." + name, slices.Contains(obj.Required, name)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// member returns the value of the example at a two-level path ("data.state").
func member(example map[string]any, path string) (any, bool) {
	part, name, _ := strings.Cut(path, ".")
	obj, _ := example[part].(map[string]any)
	v, ok := obj[name]
	return v, ok
}

// contractFilter is a trigger filter on the contract members the example holds: its
// value for a scalar, presence for an object or an array.
func contractFilter(t *testing.T, members []contractMember, example map[string]any) string {
	t.Helper()
	f := map[string]any{}
	for _, m := range members {
		v, ok := member(example, m.path)
		if !ok {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
			f[m.path] = map[string]any{"exists": true}
		default:
			f[m.path] = v
		}
	}
	if len(f) == 0 {
		// Only the resource's id (required by the contract) tells what happened.
		id, ok := member(example, "resource.id")
		if !ok {
			t.Fatal("the example has neither contract members nor a resource id")
		}
		f["resource.id"] = id
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// malformed returns the example broken in one contract member, and that member's path:
// the first required member of data left out, else the first required one of the
// resource, else the first declared member set to true, which no schema takes.
func malformed(t *testing.T, members []contractMember, example map[string]any) ([]byte, string) {
	t.Helper()
	var pick *contractMember
	for _, part := range []string{"data.", "resource."} {
		for i, m := range members {
			if m.required && strings.HasPrefix(m.path, part) && pick == nil {
				pick = &members[i]
			}
		}
	}
	broken := map[string]any{}
	for k, v := range example {
		broken[k] = v
	}
	set := func(path string, v any, remove bool) {
		part, name, _ := strings.Cut(path, ".")
		obj := map[string]any{}
		for k, x := range broken[part].(map[string]any) {
			obj[k] = x
		}
		if remove {
			delete(obj, name)
		} else {
			obj[name] = v
		}
		broken[part] = obj
	}
	field := ""
	switch {
	case pick != nil:
		set(pick.path, nil, true)
		field = pick.path
	default:
		if _, ok := example["resource"]; ok {
			// The envelope takes a path alone; these contracts want the id.
			set("resource.id", nil, true)
			field = "resource.id"
		} else if len(members) > 0 {
			set(members[0].path, true, false)
			field = members[0].path
		} else {
			t.Fatal("nothing in the contract to break")
		}
	}
	b, err := json.Marshal(broken)
	if err != nil {
		t.Fatal(err)
	}
	return b, field
}

// TestCatalogContracts starts herald-local and takes every event type of the catalog, as
// GET /v1/catalog serves it, through the system: its example is published (202,
// cataloged) and reaches a consumer of every event and a trigger of that type whose
// filter asks for the example's contract members; the example broken in one contract
// member is a 400 naming it, alone, in a batch and in sync mode. A type outside the
// catalog is published with "cataloged": false, and creates that name an event type no
// one knows answer 201 with a warning.
func TestCatalogContracts(t *testing.T) {
	p := stacktest.Start(t)
	ac := stacktest.NewAPIClient(t, p)
	admin := stacktest.AdminToken(t)
	publisher := stacktest.MintToken(t, auth.Claims{Subject: "catalog-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}})

	var cat struct {
		Types []struct {
			Type   string         `json:"type"`
			Events []catalogEntry `json:"events"`
		} `json:"types"`
	}
	ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/catalog", Token: admin}, http.StatusOK, &cat)
	var entries []catalogEntry
	for _, et := range cat.Types {
		entries = append(entries, et.Events...)
	}
	want := 0
	for _, et := range event.Catalog() {
		want += len(et.Events)
	}
	if len(entries) != want || want == 0 {
		t.Fatalf("GET /v1/catalog lists %d event types, want the catalog's %d", len(entries), want)
	}

	var cons struct {
		ID       string            `json:"id"`
		Warnings []json.RawMessage `json:"warnings"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: admin, Body: `{"target":{"all":true},"deliver_policy":"new"}`}, http.StatusCreated, &cons)

	hook := stacktest.NewHookReceiver(t)
	type typeCase struct {
		entry   catalogEntry
		example map[string]any
		members []contractMember
		uuid    string
	}
	cases := make([]*typeCase, len(entries))
	for i, e := range entries {
		c := &typeCase{entry: e, members: contractMembers(t, e.Schema)}
		if err := json.Unmarshal(e.Example, &c.example); err != nil {
			t.Fatalf("%s: example: %v", e.Event, err)
		}
		c.uuid, _ = c.example["uuid"].(string)
		cases[i] = c

		// The entry alone is the listing's.
		var one catalogEntry
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/catalog/" + e.Event, Token: admin}, http.StatusOK, &one)
		if one.Event != e.Event || string(one.Schema) != string(e.Schema) || string(one.Example) != string(e.Example) {
			t.Errorf("GET /v1/catalog/%s differs from its entry in the listing", e.Event)
		}

		// A trigger's scope is the example's resource path; system events are about no
		// resource, and an announcements trigger (no path) listens to them.
		scope := ""
		if res, ok := c.example["resource"].(map[string]any); ok {
			scope = fmt.Sprintf(`"resource":{"path":%q},`, res["path"])
		}
		spec := fmt.Sprintf(`{"name":%q,%s"events":[%q],"filter":%s,"action":{"type":"http","url":%q},"retry":{"schedule":["1s"]}}`,
			e.Event, scope, e.Event, contractFilter(t, c.members, c.example), hook.URL)
		var tr struct {
			Warnings []json.RawMessage `json:"warnings"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: admin, Body: spec}, http.StatusCreated, &tr)
		if len(tr.Warnings) != 0 {
			t.Errorf("a trigger of %s has warnings: %s", e.Event, tr.Warnings)
		}
	}

	// The Router learns of new triggers within seconds; once it routes to the newest,
	// it knows the others. A probe trigger, made last, tells.
	probeHook := stacktest.NewHookReceiver(t)
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: admin,
		Body: `{"name":"probe","resource":{"path":"projects/catalog-probe"},"events":["item.ItemDeleted"],"action":{"type":"http","url":"` + probeHook.URL + `"}}`}, http.StatusCreated, nil)
	probes := []string{}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		var ack struct {
			UUID string `json:"uuid"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
			Body: `{"event":"item.ItemDeleted","resource":{"type":"item","id":"probe","path":"projects/catalog-probe"}}`}, http.StatusAccepted, &ack)
		probes = append(probes, ack.UUID)
		_, bodies := probeHook.Received()
		return len(bodies) > 0
	}, "the router to know the new triggers")

	// Every example is published as it is.
	for _, c := range cases {
		var ack struct {
			UUID      string `json:"uuid"`
			Cataloged bool   `json:"cataloged"`
		}
		ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher, Body: string(c.entry.Example)}, http.StatusAccepted, &ack)
		if !ack.Cataloged || ack.UUID != c.uuid {
			t.Errorf("%s: published as %+v, want cataloged with the example's uuid %s", c.entry.Event, ack, c.uuid)
		}
	}

	// Each reaches its trigger, and nothing else comes.
	byUUID := map[string]*typeCase{}
	for _, c := range cases {
		byUUID[c.uuid] = c
	}
	hooked := map[string]bool{}
	testenv.WaitFor(t, 90*time.Second, func() bool {
		for _, body := range hook.Drain() {
			var got struct {
				UUID  string `json:"uuid"`
				Event string `json:"event"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("a webhook body is not an event: %s", body)
			}
			c, ok := byUUID[got.UUID]
			switch {
			case !ok || c.entry.Event != got.Event:
				t.Errorf("a webhook for an event no trigger should match: %s", body)
			case hooked[got.UUID]:
				t.Errorf("%s reached its trigger twice", got.Event)
			}
			hooked[got.UUID] = true
		}
		return len(hooked) >= len(cases)
	}, "every example at its trigger")

	// And the consumer of every event, with the probes.
	consumed := map[string]bool{}
	testenv.WaitFor(t, 60*time.Second, func() bool {
		var batch struct {
			Messages []struct {
				Event json.RawMessage `json:"event"`
				Reply json.RawMessage `json:"reply"`
			} `json:"messages"`
		}
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + cons.ID + "/batch?batch_size=100&wait_ms=1000", Token: admin}, http.StatusOK, &batch)
		var replies []json.RawMessage
		for _, m := range batch.Messages {
			consumed[stacktest.EventUUID(m.Event)] = true
			replies = append(replies, m.Reply)
		}
		if len(replies) > 0 {
			body, _ := json.Marshal(map[string]any{"replies": replies, "action": "ack"})
			ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/acknowledge", Body: string(body)}, http.StatusOK, nil)
		}
		for _, c := range cases {
			if !consumed[c.uuid] {
				return false
			}
		}
		return true
	}, "every example at the consumer")

	// Broken examples: a 400 naming the member, alone, in a batch and in sync mode, and
	// none is published.
	before := len(consumed)
	for i, c := range cases {
		raw, field := malformed(t, c.members, c.example)
		t.Run("malformed/"+c.entry.Event, func(t *testing.T) {
			call := stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher, Body: string(raw)}
			stacktest.Expect(t, call, ac.Do(t, call), stacktest.Want{Status: http.StatusBadRequest, Fields: []string{field}})
			// In a batch, after a good event of the next type.
			other := cases[(i+1)%len(cases)].entry.Example
			call.Body = `{"events":[` + string(other) + `,` + string(raw) + `]}`
			stacktest.Expect(t, call, ac.Do(t, call), stacktest.Want{Status: http.StatusBadRequest, Fields: []string{"events[1]." + field}})
			call.Path, call.Body = "/v1/events?mode=sync", string(raw)
			stacktest.Expect(t, call, ac.Do(t, call), stacktest.Want{Status: http.StatusBadRequest, Fields: []string{field}})
		})
	}

	// A type outside the catalog flows, unchecked, and says so; a trigger naming it
	// then gets no warning, while one naming it misspelt does, as does a consumer.
	var custom struct {
		UUID      string `json:"uuid"`
		Cataloged *bool  `json:"cataloged"`
	}
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: publisher,
		Body: `{"event":"billing.InvoicePaid","resource":{"type":"invoice","path":"projects/p1/invoices/i1"},"data":{"state":42}}`}, http.StatusAccepted, &custom)
	if custom.Cataloged == nil || *custom.Cataloged {
		t.Errorf("a type outside the catalog answered cataloged %v, want false", custom.Cataloged)
	}
	type warned struct {
		Warnings []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"warnings"`
	}
	var tw warned
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/triggers", Token: admin,
		Body: `{"name":"typos","resource":{"path":"projects/p1","include_subresources":true},"events":["billing.InvoicePaid","billing.InvoicePayed","job.JobFinishd","job.Job*"],"action":{"type":"http","url":"` + hook.URL + `"}}`},
		http.StatusCreated, &tw)
	if len(tw.Warnings) != 2 || tw.Warnings[0].Field != "events[1]" || tw.Warnings[1].Field != "events[2]" || !strings.Contains(tw.Warnings[1].Message, "job.JobFinishd") {
		t.Errorf("trigger warnings %+v, want events[1] and events[2]", tw.Warnings)
	}
	var cw warned
	ac.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: admin,
		Body: `{"target":{"resources":[{"path":"projects/p1"}]},"event_types":["job.JobFinishd","billing.*","blling.*"]}`}, http.StatusCreated, &cw)
	if len(cw.Warnings) != 2 || cw.Warnings[0].Field != "event_types[0]" || cw.Warnings[1].Field != "event_types[2]" {
		t.Errorf("consumer warnings %+v, want event_types[0] and event_types[2]", cw.Warnings)
	}

	// Nothing broken was published: the consumer sees the custom event and no other.
	testenv.WaitFor(t, 30*time.Second, func() bool {
		var batch struct {
			Messages []struct {
				Event json.RawMessage `json:"event"`
			} `json:"messages"`
		}
		ac.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + cons.ID + "/batch?batch_size=100&wait_ms=1000", Token: admin}, http.StatusOK, &batch)
		for _, m := range batch.Messages {
			consumed[stacktest.EventUUID(m.Event)] = true
		}
		return consumed[custom.UUID]
	}, "the custom event at the consumer")
	for id := range consumed {
		if _, known := byUUID[id]; !known && id != custom.UUID && !slices.Contains(probes, id) {
			t.Errorf("the consumer got an event that was not published on purpose: %s", id)
		}
	}
	if len(consumed) != before+1 {
		t.Errorf("the consumer got %d events after the broken ones, want the custom event only", len(consumed)-before)
	}
}
