package metricsview

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/metrics"
)

// feed gives v every line of out, as herald-local does with a function's output.
func feed(v *View, out []byte) {
	for _, line := range bytes.SplitAfter(out, []byte("\n")) {
		v.Line(line)
	}
}

// TestTotalsOfRecorderLines reads the lines package metrics writes, over two
// invocations: each metric is totalled by [Stack] over every action type, and by
// [Stack, ActionType] for each.
func TestTotalsOfRecorderLines(t *testing.T) {
	var out bytes.Buffer
	w := metrics.NewWriter(&out, "herald-local")
	for range 2 {
		r := w.Recorder()
		r.Add(metrics.DeliveriesSucceeded, 1, metrics.ActionType("http"))
		r.Add(metrics.DeliveriesSucceeded, 1, metrics.ActionType("http"))
		r.Add(metrics.DeliveriesSucceeded, 1, metrics.ActionType("sqs"))
		r.Add(metrics.DeliveryLatency, 10, metrics.ActionType("http"))
		r.Add(metrics.DeliveryLatency, 30, metrics.ActionType("sqs"))
		r.Add(metrics.EventsRouted, 4)
		r.Flush()
	}
	v := New()
	feed(v, []byte("a log line\n"+out.String()+`{"level":"INFO","msg":"delivered"}`+"\n"))
	snap := v.Snapshot()
	stack := map[string]string{"Stack": "herald-local"}
	by := func(typ string) map[string]string {
		return map[string]string{"Stack": "herald-local", "ActionType": typ}
	}
	tests := []struct {
		metric  string
		dims    map[string]string
		unit    string
		samples int
		sum     float64
	}{
		{metrics.DeliveriesSucceeded, stack, "Count", 4, 6},
		{metrics.DeliveriesSucceeded, by("http"), "Count", 2, 4},
		{metrics.DeliveriesSucceeded, by("sqs"), "Count", 2, 2},
		{metrics.DeliveryLatency, stack, "Milliseconds", 4, 80},
		{metrics.DeliveryLatency, by("http"), "Milliseconds", 2, 20},
		{metrics.EventsRouted, stack, "Count", 2, 8},
	}
	for _, tt := range tests {
		s, ok := snap.Find(tt.metric, tt.dims)
		if !ok {
			t.Errorf("no series %s %v in %+v", tt.metric, tt.dims, snap)
			continue
		}
		if s.Unit != tt.unit || s.Samples != tt.samples || s.Sum != tt.sum || s.Namespace != metrics.Namespace {
			t.Errorf("%s %v: %+v, want unit %s, %d samples summing to %v", tt.metric, tt.dims, s, tt.unit, tt.samples, tt.sum)
		}
	}
	if want := 3 * 2; snap.Lines != want {
		t.Errorf("%d EMF lines read, want %d", snap.Lines, want)
	}
	if len(snap.Metrics) != 7 {
		t.Errorf("%d series, want 7: %+v", len(snap.Metrics), snap.Metrics)
	}
	if first := snap.Metrics[0]; first.Metric != metrics.DeliveriesSucceeded || len(first.Dimensions) != 1 {
		t.Errorf("first series %+v, want DeliveriesSucceeded by Stack", first)
	}
}

// TestNotEMF: lines CloudWatch would not read as EMF add nothing.
func TestNotEMF(t *testing.T) {
	tests := []struct{ name, line string }{
		{"text", "bridge run finished relayed=3"},
		{"a log line", `{"time":"2026-01-01T00:00:00Z","level":"INFO","msg":"event routed","uuid":"x"}`},
		{"a log line naming _aws", `{"level":"INFO","msg":"the key \"_aws\" is reserved"}`},
		{"no directives", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"X":1}`},
		{"_aws not an object", `{"_aws":1,"X":1}`},
		{"truncated", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Herald"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := New()
			if v.Line([]byte(tt.line)) {
				t.Errorf("read as EMF: %s", tt.line)
			}
			if s := v.Snapshot(); s.Lines != 0 || len(s.Metrics) != 0 {
				t.Errorf("snapshot %+v", s)
			}
		})
	}
}

// TestIncompleteMembers: a metric without a numeric member, or a dimension set without
// its value, is left out; the rest of the line counts.
func TestIncompleteMembers(t *testing.T) {
	line := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Herald","Dimensions":[["Stack"],["Stack","ActionType"]],` +
		`"Metrics":[{"Name":"A","Unit":"Count"},{"Name":"B","Unit":"Count"},{"Name":"C"}]}]},"Stack":"s","A":2,"B":"two","C":[1,2]}`
	v := New()
	if !v.Line([]byte(line)) {
		t.Fatal("not read as EMF")
	}
	snap := v.Snapshot()
	if len(snap.Metrics) != 2 {
		t.Fatalf("series %+v, want A and C by Stack only", snap.Metrics)
	}
	if c, ok := snap.Find("C", map[string]string{"Stack": "s"}); !ok || c.Unit != "None" || c.Samples != 2 || c.Sum != 3 {
		t.Errorf("C: %+v", c)
	}
}

// TestStatistics: minimum, maximum and nearest-rank percentiles, the latter of the
// latest Keep values only.
func TestStatistics(t *testing.T) {
	tests := []struct {
		name                    string
		values                  []float64
		min, max, sum, p50, p99 float64
	}{
		{"one", []float64{7}, 7, 7, 7, 7, 7},
		{"1 to 100", seq(1, 100), 1, 100, 5050, 50, 99},
		{"ring", append(seq(1, Keep), seq(1_000_001, 1_000_000+Keep)...), 1, 1_000_000 + Keep, 0, 1_000_000 + Keep/2, 1_000_000 + 99*Keep/100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			r := metrics.NewWriter(&out, "s").Recorder()
			for _, x := range tt.values {
				r.Add(metrics.DeliveryLatency, x)
			}
			r.Flush()
			v := New()
			feed(v, out.Bytes())
			s, ok := v.Snapshot().Find(metrics.DeliveryLatency, map[string]string{"Stack": "s"})
			if !ok {
				t.Fatal("no series")
			}
			if s.Samples != len(tt.values) || s.Min != tt.min || s.Max != tt.max || s.P50 != tt.p50 || s.P99 != tt.p99 || (tt.sum != 0 && s.Sum != tt.sum) {
				t.Errorf("%+v, want %d samples, min %v max %v sum %v p50 %v p99 %v", s, len(tt.values), tt.min, tt.max, tt.sum, tt.p50, tt.p99)
			}
		})
	}
}

func seq(from, to int) []float64 {
	var out []float64
	for i := from; i <= to; i++ {
		out = append(out, float64(i))
	}
	return out
}

func TestServeHTTP(t *testing.T) {
	v := New()
	var out bytes.Buffer
	metrics.NewWriter(&out, "herald-local").Recorder().Add(metrics.EventsPublished, 1) // not flushed: nothing
	r := metrics.NewWriter(&out, "herald-local").Recorder()
	r.Add(metrics.EventsPublished, 3)
	r.Flush()
	feed(v, out.Bytes())
	tests := []struct {
		method string
		status int
	}{
		{http.MethodGet, http.StatusOK},
		{http.MethodPost, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			rec := httptest.NewRecorder()
			v.ServeHTTP(rec, httptest.NewRequest(tt.method, "/metrics", strings.NewReader("")))
			if rec.Code != tt.status {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			var snap Snapshot
			if err := json.Unmarshal(rec.Body.Bytes(), &snap); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if s, ok := snap.Find(metrics.EventsPublished, map[string]string{"Stack": "herald-local"}); !ok || s.Sum != 3 || snap.Lines != 1 {
				t.Errorf("page %s", rec.Body)
			}
		})
	}
}
