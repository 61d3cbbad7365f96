package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/devstack/testenv"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/test/stacktest"
)

// TestMetrics follows events through the local stack to a webhook that works, one that
// always fails (two attempts, then given up) and a sync trigger that approves, and then
// checks the functions' metrics two ways: on herald-local's /metrics page, totalled,
// and in the raw EMF lines of the functions' output, each metric from the function the
// catalog names; and that one trace id follows an event from EventsApi to Deliver.
func TestMetrics(t *testing.T) {
	p := stacktest.Start(t)
	api, page := p.Banner["HTTP API"], p.Banner["Metrics"]
	if api == "" || page != api+"/metrics" {
		t.Fatalf("banner: HTTP API %q, Metrics %q; want the page at /metrics of the API\n%s", api, page, p.Text())
	}
	demo, publisher := p.Env(t, "DEMO_TOKEN"), p.Env(t, "PUBLISHER_TOKEN")
	ac := stacktest.NewAPIClient(t, p)

	// The failing trigger first: once the Router sees the working one, made after it, it
	// sees both.
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	t.Cleanup(failing.Close)
	failingID := createTrigger(t, ac, demo, `{"name":"failing","resource":{"path":"projects/demo/failing","include_subresources":true},"events":["*"],`+
		`"action":{"type":"http","url":"`+failing.URL+`"},"retry":{"schedule":["1s"]}}`)
	hook := stacktest.NewHookReceiver(t)
	stacktest.CreateTrigger(t, p, api, hook.URL)
	createTrigger(t, ac, demo, `{"name":"vet","mode":"sync","resource":{"path":"projects/demo/vetted","include_subresources":true},"events":["*"],`+
		`"action":{"type":"javascript","script":"function handle(e){ return {approve:true} }"}}`)

	// Publish item events until one reaches the webhook: the Router learns of new
	// triggers within seconds.
	published := 0
	var last time.Time
	testenv.WaitFor(t, 60*time.Second, func() bool {
		if h, _ := hook.Received(); len(h) > 0 {
			return true
		}
		if time.Since(last) >= time.Second {
			last = time.Now()
			publish(t, ac, "", publisher, fmt.Sprintf(`{"event":"resource.ResourceCreated","resource":{"type":"itemsvc.Item","path":"projects/demo/items/i%d","after":{"title":"i"}}}`, published), http.StatusAccepted)
			published++
		}
		return false
	}, "an item event at the webhook")
	publish(t, ac, "", publisher, `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/failing/c1","after":{"title":"c1"}}}`, http.StatusAccepted)
	published++
	// Sync publishing, until EventsApi has seen the sync trigger and it gave a verdict.
	testenv.WaitFor(t, 60*time.Second, func() bool {
		body := publish(t, ac, "?mode=sync", publisher, `{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/vetted/c1","after":{"title":"c1"}}}`, http.StatusCreated)
		published++
		var ans struct {
			Verdicts []json.RawMessage `json:"verdicts"`
		}
		return json.Unmarshal(body, &ans) == nil && len(ans.Verdicts) > 0
	}, "a sync trigger's verdict")
	testenv.WaitFor(t, 60*time.Second, func() bool {
		return strings.Contains(string(ac.OK(t, stacktest.Call{Method: http.MethodGet, Path: "/v1/triggers/" + failingID + "/deliveries?status=exhausted", Token: demo}, http.StatusOK, nil).Body), `"attempts":2`)
	}, "the failing delivery to be given up after two attempts")

	stack := map[string]string{"Stack": "herald-local"}
	by := func(name, value string) map[string]string {
		return map[string]string{"Stack": "herald-local", name: value}
	}
	n := float64(published)
	checks := []struct {
		metric string
		dims   map[string]string
		ok     func(s metricsview.Series) bool
		want   string
	}{
		{metrics.EventsPublished, stack, func(s metricsview.Series) bool { return s.Sum >= n }, fmt.Sprintf("at least %v", n)},
		{metrics.EventsRelayed, stack, func(s metricsview.Series) bool { return s.Sum >= n }, fmt.Sprintf("at least %v", n)},
		{metrics.BridgeLag, stack, func(s metricsview.Series) bool { return s.Samples > 0 && s.Min >= 0 }, "measured"},
		{metrics.EventsRouted, stack, func(s metricsview.Series) bool { return s.Sum >= n }, fmt.Sprintf("at least %v", n)},
		{metrics.TriggersMatched, stack, func(s metricsview.Series) bool { return s.Samples >= published && s.Max >= 1 }, fmt.Sprintf("at least %d values, one of them at least 1", published)},
		{metrics.DeliveriesSucceeded, by("ActionType", "http"), func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
		{metrics.DeliveriesSucceeded, stack, func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
		{metrics.DeliveryLatency, by("ActionType", "http"), func(s metricsview.Series) bool { return s.Samples >= 1 && s.Unit == "Milliseconds" }, "a value in Milliseconds"},
		{metrics.DeliveryLatency, stack, func(s metricsview.Series) bool { return s.Samples >= 1 }, "a value"},
		{metrics.DeliveriesFailed, by("ActionType", "http"), func(s metricsview.Series) bool { return s.Sum >= 2 }, "at least 2"},
		{metrics.DeliveriesRetried, by("ActionType", "http"), func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
		{metrics.DeliveriesExhausted, by("ActionType", "http"), func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
		{metrics.SyncVerdicts, by("Verdict", metrics.VerdictApproved), func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
		{metrics.SyncVerdicts, stack, func(s metricsview.Series) bool { return s.Sum >= 1 }, "at least 1"},
	}
	// The bridge reports every few seconds: wait for its report of the last events.
	var snap metricsview.Snapshot
	unmet := func() []string {
		var out []string
		for _, c := range checks {
			if s, found := snap.Find(c.metric, c.dims); !found || !c.ok(s) {
				out = append(out, fmt.Sprintf("%s by %v: %+v (found %v), want %s", c.metric, c.dims, s, found, c.want))
			}
		}
		return out
	}
	if !testenv.Poll(30*time.Second, func() bool {
		// A fresh snapshot each time: decoding into the last one would merge its maps.
		snap = metricsview.Snapshot{}
		if err := json.Unmarshal(metricsPage(t, page), &snap); err != nil {
			t.Fatalf("GET /metrics: %v", err)
		}
		return len(unmet()) == 0
	}) {
		t.Fatalf("/metrics after %d events:\n\t%s", published, strings.Join(unmet(), "\n\t"))
	}

	t.Run("EMF lines", func(t *testing.T) {
		// Each function's lines, as its prefix names it: every metric of the catalog is
		// there, from the function the catalog says, in the namespace Herald, by Stack.
		from := map[string]map[string]bool{}
		for _, line := range strings.Split(p.Text(), "\n") {
			fn, rest, ok := strings.Cut(line, " | ")
			if !ok {
				continue
			}
			data, ok := metricsview.Parse([]byte(rest))
			if !ok {
				continue
			}
			for _, d := range data {
				if d.Namespace != metrics.Namespace || d.Dimensions["Stack"] != "herald-local" {
					t.Errorf("%s wrote %+v, want namespace Herald and Stack herald-local", fn, d)
				}
				if from[d.Metric] == nil {
					from[d.Metric] = map[string]bool{}
				}
				from[d.Metric][fn] = true
			}
		}
		for _, def := range metrics.Catalog() {
			if !from[def.Name][def.Function] {
				t.Errorf("no EMF line of %s carries %s (it came from %v)", def.Function, def.Name, from[def.Name])
			}
		}
	})

	t.Run("one trace id follows an event", func(t *testing.T) {
		// An event the webhook received: the trace id of the EventsApi invocation that
		// published it is on the Router's and Deliver's log lines about it, having
		// travelled on NATS, through SNS and SQS, and in the delivery task.
		_, bodies := hook.Received()
		uuid := stacktest.EventUUID(bodies[0])
		traces := map[string][]string{}
		for _, line := range strings.Split(p.Text(), "\n") {
			fn, rest, ok := strings.Cut(line, " | ")
			var rec struct {
				UUID  string `json:"uuid"`
				Trace string `json:"trace"`
			}
			if !ok || json.Unmarshal([]byte(rest), &rec) != nil || rec.UUID != uuid {
				continue
			}
			traces[fn] = append(traces[fn], rec.Trace)
		}
		published := traces["EventsApi"]
		if len(published) != 1 || !strings.HasPrefix(published[0], "1-") {
			t.Fatalf("EventsApi's lines about %s carry traces %q, want one X-Ray trace id", uuid, published)
		}
		for _, fn := range []string{"Router", "Deliver"} {
			if len(traces[fn]) == 0 {
				t.Errorf("%s wrote no line about %s", fn, uuid)
			}
			for _, got := range traces[fn] {
				if got != published[0] {
					t.Errorf("%s's line about %s carries trace %q, want EventsApi's %q", fn, uuid, got, published[0])
				}
			}
		}
	})
}

// createTrigger makes a trigger of spec with token and returns its id.
func createTrigger(t *testing.T, ac *stacktest.APIClient, token, spec string) string {
	t.Helper()
	var tr struct {
		ID string `json:"id"`
	}
	ac.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/triggers", Token: token, Body: spec}, http.StatusCreated, &tr)
	return tr.ID
}

// publish posts one event (query is "" or "?mode=sync") and returns the answer, which
// must have the status want.
func publish(t *testing.T, ac *stacktest.APIClient, query, token, body string, want int) []byte {
	t.Helper()
	return ac.OK(t, stacktest.Call{Method: http.MethodPost, Path: "/v1/events" + query, Token: token, Body: body}, want, nil).Body
}

// metricsPage returns herald-local's /metrics page, which is not part of the API.
func metricsPage(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", url, resp.StatusCode, body, err)
	}
	return body
}
