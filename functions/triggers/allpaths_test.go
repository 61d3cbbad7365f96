package main

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/apigw/apigwtest"
	"github.com/heraldhq/herald/internal/auth"
	"github.com/heraldhq/herald/internal/event"
)

// omapiTrigger is OMAPI's own example: no events; the filter says which.
const omapiTrigger = `{"name":"omapi","resource":{"path":"projects/p1","include_subresources":true},
	"filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"herald.actions.s"}}`

// storeTyped publishes an event of type typ about res (nil for none) straight to the
// stream and returns it.
func storeTyped(t *testing.T, h *Handler, typ string, res *event.Resource) *event.Event {
	t.Helper()
	ev := &event.Event{Event: typ, UUID: uuid.NewString(), Timestamp: time.Now().UTC(), Resource: res}
	raw, _ := json.Marshal(ev)
	if _, err := h.JS.Publish(t.Context(), ev.Subject(), raw); err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestOMAPITriggerAnswers checks how the API shows a trigger whose filter selects its
// events: events empty and placeholder false, while a trigger with neither is a
// placeholder; and that a dry run matches what the filter's "event" allows and explains
// a refusal by that condition.
func TestOMAPITriggerAnswers(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Read)
	var shown map[string]json.RawMessage
	resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", omapiTrigger, alice, nil), &shown)
	if resp.StatusCode != http.StatusCreated || string(shown["events"]) != "[]" || string(shown["placeholder"]) != "false" {
		t.Fatalf("create: %d %s, want events [] and placeholder false", resp.StatusCode, resp.Body)
	}
	var id string
	_ = json.Unmarshal(shown["id"], &id)
	resp = do(t, h, apigwtest.Request("GET", "/v1/triggers/{id}", id, "", alice, nil), &shown)
	if resp.StatusCode != http.StatusOK || string(shown["placeholder"]) != "false" {
		t.Errorf("get: %d %s, want placeholder false", resp.StatusCode, resp.Body)
	}
	placeholder := `{"name":"p","resource":{"path":"projects/p1"},"filter":{"resource.type":"itemsvc.*"},"action":{"type":"nats","subject":"herald.actions.s"}}`
	resp = do(t, h, apigwtest.Request("POST", "/v1/triggers", "", placeholder, alice, nil), &shown)
	if resp.StatusCode != http.StatusCreated || string(shown["placeholder"]) != "true" {
		t.Errorf("create a placeholder: %d %s, want placeholder true", resp.StatusCode, resp.Body)
	}

	type answer struct {
		Matched bool `json:"matched"`
		Explain []struct {
			Field   string `json:"field"`
			Matched bool   `json:"matched"`
		} `json:"explain"`
	}
	tests := []struct {
		name, event string
		want        bool
		failed      string // the field of the one step that fails, when want is false
	}{
		{"an item created", `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1"}}`, true, ""},
		{"an item updated", `{"event":"resource.ResourceUpdated","resource":{"type":"itemsvc.Item","path":"projects/p1/items/i1"}}`, false, "event"},
		{"a collection created", `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/p1/c"}}`, false, "resource.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a answer
			if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/test", id, `{"event":`+tt.event+`}`, alice, nil), &a); resp.StatusCode != http.StatusOK {
				t.Fatalf("test: %d %s", resp.StatusCode, resp.Body)
			}
			var failed []string
			for _, s := range a.Explain {
				if !s.Matched {
					failed = append(failed, s.Field)
				}
			}
			if a.Matched != tt.want || (!tt.want && (len(failed) != 1 || failed[0] != tt.failed)) {
				t.Errorf("matched %v, failed %v; want %v, failing only %s", a.Matched, failed, tt.want, tt.failed)
			}
		})
	}
}

// TestAllPathsCreate checks who may create a trigger without resource.path through the
// API: an administrator (the answer shows no path), anyone for system.* events alone,
// and nobody else, with a 403 naming resource.path.
func TestAllPathsCreate(t *testing.T) {
	h := newHandler(t)
	alice := user("alice", auth.Admin) // ADMIN on projects/p1 is not the admin role
	const action = `,"action":{"type":"nats","subject":"herald.actions.s"}}`
	tests := []struct {
		name, spec string
		c          *auth.Claims
		status     int
	}{
		{"an administrator, every event", `{"name":"all","events":["*"]` + action, admin(), http.StatusCreated},
		{"an administrator, the OMAPI filter", `{"name":"all","filter":{"event":"resource.ResourceCreated"}` + action, admin(), http.StatusCreated},
		{"a user, every resource event", `{"name":"all","resource":{"include_subresources":true},"events":["resource.*"]` + action, alice, http.StatusForbidden},
		{"a user, the OMAPI filter", `{"name":"all","filter":{"event":"resource.ResourceCreated","resource.type":"itemsvc.*"}` + action, alice, http.StatusForbidden},
		{"a user, announcements and resource events", `{"name":"ann","events":["system.*","resource.*"]` + action, alice, http.StatusForbidden},
		{"a user, announcements", `{"name":"ann","events":["system.*"]` + action, alice, http.StatusCreated},
		{"a user, announcements by the filter", `{"name":"ann","filter":{"event":"system.Announcement"}` + action, alice, http.StatusCreated},
		{"a user, no path and no events", `{"name":"p"` + action, alice, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, h, apigwtest.Request("POST", "/v1/triggers", "", tt.spec, tt.c, nil), nil)
			if tt.status != http.StatusCreated {
				apigwtest.WantProblem(t, resp, tt.status, "resource.path")
				return
			}
			var shown struct {
				Resource map[string]json.RawMessage `json:"resource"`
			}
			if resp.StatusCode != tt.status || json.Unmarshal([]byte(resp.Body), &shown) != nil {
				t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
			}
			if _, ok := shown.Resource["path"]; ok || string(shown.Resource["include_subresources"]) != "true" {
				t.Errorf("resource %s, want no path and include_subresources true", resp.Body)
			}
		})
	}
}

// TestAllPathsReplayAndFire checks replay and fire of triggers without a path: an
// administrator's replays events on unrelated trees; a user's announcements trigger
// reads only system events, queues none of the resource events around them, and fire
// takes only a system event.
func TestAllPathsReplayAndFire(t *testing.T) {
	h := newHandler(t)
	boss, alice := admin(), user("alice", auth.Read)
	const action = `,"action":{"type":"nats","subject":"herald.actions.s"}}`
	tree := createTrigger(t, h, boss, `{"name":"tree","events":["resource.*"]`+action)
	ann := createTrigger(t, h, alice, `{"name":"ann","events":["system.*"]`+action)
	storeTyped(t, h, "resource.ResourceCreated", &event.Resource{Type: "itemsvc.Item", Path: "projects/p1/items/i1"})
	storeTyped(t, h, "system.Announcement", nil)
	storeTyped(t, h, "resource.ResourceDeleted", &event.Resource{Type: "job", Path: "orgs/o2/jobs/j1"})
	// A system event about a resource is an announcement too: it is stored under system.
	storeTyped(t, h, "system.Announcement", &event.Resource{Type: "itemsvc.Item", Path: "projects/p2/items/i2"})

	for _, tt := range []struct {
		name, id                 string
		c                        *auth.Claims
		scanned, matched, queued int
	}{
		{"the whole tree", tree.ID, boss, 4, 2, 2},
		{"the announcements", ann.ID, alice, 2, 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := waiting(t, h)
			var res replayResult
			if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/replay", tt.id, `{"start_sequence":1}`, tt.c, nil), &res); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("replay: %d %s", resp.StatusCode, resp.Body)
			}
			if res.Scanned != tt.scanned || res.Matched != tt.matched || res.Queued != tt.queued {
				t.Errorf("replay %+v, want %d scanned, %d matched, %d queued", res, tt.scanned, tt.matched, tt.queued)
			}
			if n := waiting(t, h) - before; n != tt.queued {
				t.Errorf("%d tasks queued, want %d", n, tt.queued)
			}
		})
	}

	resource := `{"event":{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/p9/items/i1"}}}`
	apigwtest.WantProblem(t, do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/fire", ann.ID, resource, alice, nil), nil), http.StatusBadRequest, "event.event")
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/fire", ann.ID, `{"event":{"event":"system.Announcement"}}`, alice, nil), nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("fire an announcement: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := do(t, h, apigwtest.Request("POST", "/v1/triggers/{id}/fire", tree.ID, resource, boss, nil), nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("fire on the whole tree: %d %s", resp.StatusCode, resp.Body)
	}
}
