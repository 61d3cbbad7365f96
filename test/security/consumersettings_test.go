package security

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/test/stacktest"
)

// consumerSettingsCases are the matrix's columns for changing, pausing and resuming a
// consumer: only its owner, still holding READ on what it selects, may; anyone else
// learns nothing (404) and changes nothing. Calls that change a consumer aim at spare
// ones, so that the other routes' cases find the world as it was made.
func consumerSettingsCases(t *testing.T, w *stacktest.World) map[string][]secCase {
	gw401 := stacktest.Want{Status: 401, Gateway: true}
	w403 := stacktest.Want{Status: 403}
	w404 := stacktest.Want{Status: 404}
	on := func(id, suffix string) string { return "/v1/consumers/" + id + suffix }
	// stillPaused checks, after a refused resume, that the consumer is still paused.
	stillPaused := func(id string) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			var v struct {
				Paused bool `json:"paused"`
			}
			w.AC.OK(t, stacktest.Call{Method: "GET", Path: on(id, ""), Token: w.Owner}, http.StatusOK, &v)
			if !v.Paused {
				t.Errorf("the owner's consumer %s was resumed by a refused call", id)
			}
		}
	}
	// unchanged checks, after a refused change, that the consumer keeps its settings.
	unchanged := func(id string) func(t *testing.T, a stacktest.Answer) {
		return func(t *testing.T, a stacktest.Answer) {
			var v struct {
				MaxAckPending int             `json:"max_ack_pending"`
				Filter        json.RawMessage `json:"filter"`
			}
			w.AC.OK(t, stacktest.Call{Method: "GET", Path: on(id, ""), Token: w.Owner}, http.StatusOK, &v)
			if v.MaxAckPending != 10000 || v.Filter != nil {
				t.Errorf("the owner's consumer %s changed by a refused call: max_ack_pending %d, filter %s", id, v.MaxAckPending, v.Filter)
			}
		}
	}
	change := `{"max_ack_pending":1,"filter":{"event":"none.None"}}`
	paused := w.SpareConsumer(t)
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: on(paused, "/pause"), Token: w.Owner}, http.StatusOK, nil)
	return map[string][]secCase{
		"PUT /v1/consumers/{id}": {
			{whoNone, stacktest.Call{Method: "PUT", Path: on(w.Consumer, ""), Body: change}, gw401},
			{whoIntruder, stacktest.Call{Method: "PUT", Path: on(w.Consumer, ""), Body: change, Token: w.Intruder},
				stacktest.Want{Status: 404, Check: unchanged(w.Consumer)}},
			{whoScoped, stacktest.Call{Method: "PUT", Path: on(w.SpareConsumer(t), ""), Body: change, Token: w.Scoped}, stacktest.Want{Status: 200}},
			// A change chooses anew among the scope's events: READ is needed still.
			{whoLacking, stacktest.Call{Method: "PUT", Path: on(w.Consumer, ""), Body: change, Token: w.Bare},
				stacktest.Want{Status: 403, Check: unchanged(w.Consumer)}},
			{"the intruder's consumer, the owner's token", stacktest.Call{Method: "PUT", Path: on(w.IntruderConsumer, ""), Body: change, Token: w.Owner},
				stacktest.Want{Status: 404}},
			// The target cannot change, so no change widens what the consumer reads.
			{"the owner widening the target", stacktest.Call{Method: "PUT", Path: on(w.Consumer, ""), Token: w.Owner,
				Body: `{"target":{"resources":[{"path":"projects","include_subresources":true}]}}`}, stacktest.Want{Status: 400, Fields: []string{"target"}}},
		},
		"POST /v1/consumers/{id}/pause": {
			{whoNone, stacktest.Call{Method: "POST", Path: on(w.Consumer, "/pause")}, gw401},
			{whoIntruder, stacktest.Call{Method: "POST", Path: on(w.Consumer, "/pause"), Token: w.Intruder}, w404},
			{whoScoped, stacktest.Call{Method: "POST", Path: on(w.SpareConsumer(t), "/pause"), Token: w.Scoped}, stacktest.Want{Status: 200}},
			{whoLacking, stacktest.Call{Method: "POST", Path: on(w.Consumer, "/pause"), Token: w.Bare}, w403},
		},
		"POST /v1/consumers/{id}/resume": {
			{whoNone, stacktest.Call{Method: "POST", Path: on(paused, "/resume")}, gw401},
			{whoIntruder, stacktest.Call{Method: "POST", Path: on(paused, "/resume"), Token: w.Intruder},
				stacktest.Want{Status: 404, Check: stillPaused(paused)}},
			{whoLacking, stacktest.Call{Method: "POST", Path: on(paused, "/resume"), Token: w.Bare},
				stacktest.Want{Status: 403, Check: stillPaused(paused)}},
			{whoScoped, stacktest.Call{Method: "POST", Path: on(paused, "/resume"), Token: w.Scoped}, stacktest.Want{Status: 200}},
		},
	}
}

// filterConfined checks that a consumer's filter narrows its target and never widens
// it: the intruder, who may read the scope only, asks with a filter for events of a
// project outside it, and gets none of them, only the scope's own.
func filterConfined(t *testing.T, w *stacktest.World) {
	outside := "projects/secret/items/s1"
	inside := stacktest.ScopePath + "/filtered/f1"
	publish := func(path string) {
		w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/events", Token: w.Publisher,
			Body: `{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"` + path + `","after":{"title":"t"}}}`}, http.StatusAccepted, nil)
	}
	var rec struct {
		ID string `json:"id"`
	}
	// The filter asks for the outside project, or (as $or) for anything at all.
	w.AC.OK(t, stacktest.Call{Method: "POST", Path: "/v1/consumers", Token: w.Intruder,
		Body: `{"target":{"resources":[{"path":"` + stacktest.ScopePath + `","include_subresources":true}]},"deliver_policy":"new",` +
			`"filter":{"$or":[{"resource.path":{"prefix":"projects/secret"}},{"event":"*"}]}}`}, http.StatusCreated, &rec)
	// And a change of event types and filter keeps to the target too.
	w.AC.OK(t, stacktest.Call{Method: "PUT", Path: "/v1/consumers/" + rec.ID, Token: w.Intruder,
		Body: `{"event_types":["*"],"filter":{"$or":[{"resource.path":{"prefix":"projects/"}},{"event":"*"}]}}`}, http.StatusOK, nil)
	publish(outside)
	publish(inside)

	var seen []string
	testenv.WaitFor(t, 30*time.Second, func() bool {
		var batch struct {
			Messages []struct {
				Event struct {
					Resource struct {
						Path string `json:"path"`
					} `json:"resource"`
				} `json:"event"`
			} `json:"messages"`
		}
		w.AC.OK(t, stacktest.Call{Method: "GET", Path: "/v1/consumers/" + rec.ID + "/batch?batch_size=10&wait_ms=1000", Token: w.Intruder}, http.StatusOK, &batch)
		for _, m := range batch.Messages {
			seen = append(seen, m.Event.Resource.Path)
		}
		return strings.Contains(strings.Join(seen, " "), inside)
	}, "the event inside the scope")
	for _, p := range seen {
		if !strings.HasPrefix(p, stacktest.ScopePath+"/") {
			t.Errorf("the intruder's consumer got an event about %s, outside its target", p)
		}
	}
}
