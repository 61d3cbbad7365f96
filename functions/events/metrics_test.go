package main

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/internal/metrics"
)

// TestMetrics: EventsPublished counts the events the stream stored (a duplicate is not
// counted), and SyncVerdicts each sync trigger's verdict, by verdict.
func TestMetrics(t *testing.T) {
	const dup = `,"uuid":"2b0f3f51-7c43-4f5e-9d0b-3c1f2e8a9d10"`
	stack := map[string]string{"Stack": "herald-test"}
	verdict := func(v string) map[string]string { return map[string]string{"Stack": "herald-test", "Verdict": v} }
	tests := []struct {
		name   string
		script string // a sync trigger's javascript, for sync publishing; "" publishes async
		bodies []string
		status int
		want   map[string]float64 // sums by metric; absent metrics must not be written
		dims   map[string]map[string]string
	}{
		{name: "one event", bodies: []string{eventJSON("job.JobCreated", "jobs/j1", "")}, status: http.StatusAccepted,
			want: map[string]float64{metrics.EventsPublished: 1}, dims: map[string]map[string]string{metrics.EventsPublished: stack}},
		{name: "a duplicate", bodies: []string{eventJSON("job.JobCreated", "jobs/j1", dup), eventJSON("job.JobCreated", "jobs/j1", dup)}, status: http.StatusAccepted,
			want: map[string]float64{metrics.EventsPublished: 1}, dims: map[string]map[string]string{metrics.EventsPublished: stack}},
		{name: "a batch", bodies: []string{`{"events":[` + eventJSON("job.JobCreated", "jobs/j1", "") + `,` + eventJSON("job.JobCreated", "jobs/j2", "") + `,` + eventJSON("job.JobCreated", "jobs/j3", "") + `]}`},
			status: http.StatusAccepted, want: map[string]float64{metrics.EventsPublished: 3}, dims: map[string]map[string]string{metrics.EventsPublished: stack}},
		{name: "sync approved", script: `function handle(e){ return {approve:true} }`, status: http.StatusCreated,
			want: map[string]float64{metrics.EventsPublished: 1, metrics.SyncVerdicts: 1},
			dims: map[string]map[string]string{metrics.EventsPublished: stack, metrics.SyncVerdicts: verdict(metrics.VerdictApproved)}},
		{name: "sync denied", script: `function handle(e){ return {approve:false, reason:"no"} }`, status: http.StatusUnprocessableEntity,
			want: map[string]float64{metrics.SyncVerdicts: 1}, dims: map[string]map[string]string{metrics.SyncVerdicts: verdict(metrics.VerdictDenied)}},
		{name: "sync error", script: `function handle(e){ throw new Error("boom") }`, status: http.StatusUnprocessableEntity,
			want: map[string]float64{metrics.SyncVerdicts: 1}, dims: map[string]map[string]string{metrics.SyncVerdicts: verdict(metrics.VerdictError)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var status int
			if tt.script == "" {
				h, _ := newHandler(t)
				h.Metrics = metrics.NewWriter(&out, "herald-test")
				for _, body := range tt.bodies {
					resp, _ := do(t, h, request("POST", "/v1/events", body, publisher, nil))
					status = resp.StatusCode
				}
			} else {
				h, path := newSyncHandler(t)
				h.Metrics = metrics.NewWriter(&out, "herald-test")
				syncTrigger(t, h, path, `{"type":"javascript","script":`+toJSON(tt.script)+`}`)
				status, _ = publishSync(t, h, path, ``)
			}
			if status != tt.status {
				t.Fatalf("status %d, want %d", status, tt.status)
			}
			view := metricsview.New()
			for _, line := range bytes.SplitAfter(out.Bytes(), []byte("\n")) {
				view.Line(line)
			}
			snap := view.Snapshot()
			names := map[string]bool{}
			for _, s := range snap.Metrics {
				names[s.Metric] = true
			}
			for _, name := range []string{metrics.EventsPublished, metrics.SyncVerdicts} {
				want, ok := tt.want[name]
				if !ok {
					if names[name] {
						t.Errorf("%s written: %s", name, out.Bytes())
					}
					continue
				}
				s, found := snap.Find(name, tt.dims[name])
				if !found || s.Sum != want {
					t.Errorf("%s by %v: %+v (found %v), want sum %v\n%s", name, tt.dims[name], s, found, want, out.Bytes())
				}
			}
		})
	}
}
