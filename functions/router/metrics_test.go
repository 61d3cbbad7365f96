package main

import (
	"bytes"
	"slices"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/devstack/metricsview"
	"github.com/heraldhq/herald/internal/metrics"
)

// TestMetrics: one invocation writes one EMF line, counting each event it routed and,
// per event, the triggers it matched; a message that is not an event counts in neither.
func TestMetrics(t *testing.T) {
	tests := []struct {
		name    string
		matches []int // per event: how many of the two triggers it matches (0, 1 or 2)
		poison  bool
	}{
		{"no event", nil, true},
		{"one event, no trigger", []int{0}, false},
		{"a batch", []int{2, 0, 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _, _ := newHandler(t)
			var out bytes.Buffer
			h.Metrics = metrics.NewWriter(&out, "herald-test")
			path := "projects/" + uuid.NewString()[:8]
			create(t, h, `{"name":"jobs","resource":{"path":"`+path+`","include_subresources":true},"events":["job.*"],"action":{"type":"nats","subject":"s"}}`)
			create(t, h, `{"name":"finished","resource":{"path":"`+path+`","include_subresources":true},"events":["job.JobFinished"],"action":{"type":"nats","subject":"s"}}`)
			byMatches := map[int]string{0: "resource.ResourceCreated", 1: "job.JobCreated", 2: "job.JobFinished"}
			var batch []awsevents.SQSMessage
			for i, n := range tt.matches {
				m, _ := eventOn(byMatches[n], "job", path+"/jobs/j"+string(rune('a'+i)))
				batch = append(batch, m)
			}
			if tt.poison {
				batch = append(batch, awsevents.SQSMessage{MessageId: "poison", Body: `{"not":"an event"}`})
			}
			handle(t, h, batch...)

			lines := bytes.Count(out.Bytes(), []byte("\n"))
			if want := min(len(tt.matches), 1); lines != want {
				t.Fatalf("%d EMF lines, want %d:\n%s", lines, want, out.Bytes())
			}
			view := metricsview.New()
			view.Line(out.Bytes())
			snap := view.Snapshot()
			stack := map[string]string{"Stack": "herald-test"}
			routed, _ := snap.Find(metrics.EventsRouted, stack)
			matched, _ := snap.Find(metrics.TriggersMatched, stack)
			want := 0.0
			for _, n := range tt.matches {
				want += float64(n)
			}
			if routed.Sum != float64(len(tt.matches)) || matched.Samples != len(tt.matches) || matched.Sum != want {
				t.Errorf("EventsRouted %+v, TriggersMatched %+v; want %d events matching %v triggers in all", routed, matched, len(tt.matches), want)
			}
			if len(tt.matches) > 0 && (matched.Min != float64(slices.Min(tt.matches)) || matched.Max != float64(slices.Max(tt.matches))) {
				t.Errorf("TriggersMatched min %v max %v, want %v", matched.Min, matched.Max, tt.matches)
			}
		})
	}
}
