package metrics

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGoldenLines pins the exact bytes of a Deliver invocation's lines: a group per
// action type, each with both dimension sets, counters summed and latencies kept.
func TestGoldenLines(t *testing.T) {
	out := &writes{}
	r := testWriter(out).Recorder()
	r.Add(DeliveriesSucceeded, 1, ActionType("http"))
	r.Add(DeliveryLatency, 125.5, ActionType("http"))
	r.Add(DeliveriesSucceeded, 1, ActionType("http"))
	r.Add(DeliveryLatency, 80, ActionType("http"))
	r.Add(DeliveriesFailed, 1, ActionType("sqs"))
	r.Add(DeliveriesRetried, 1, ActionType("sqs"))
	r.Add(DeliveriesFailed, 1)
	r.Add(DeliveriesExhausted, 1)
	r.Flush()
	got := bytes.Join(out.lines(), nil)
	path := filepath.Join("testdata", "deliver.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("lines differ from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
	for _, line := range out.lines() {
		decode(t, line)
	}
}

// TestLineShape decodes the line of each kind of metric as CloudWatch would and checks
// its directive, dimension values and values.
func TestLineShape(t *testing.T) {
	tests := []struct {
		name       string
		record     func(r *Recorder)
		dimensions [][]string
		dimValues  map[string]string
		units      map[string]string
		values     map[string][]float64
	}{
		{
			name: "counter by Stack only",
			record: func(r *Recorder) {
				r.Add(EventsPublished, 1)
				r.Add(EventsPublished, 2)
			},
			dimensions: [][]string{{"Stack"}},
			dimValues:  map[string]string{"Stack": "herald-test"},
			units:      map[string]string{EventsPublished: "Count"},
			values:     map[string][]float64{EventsPublished: {3}},
		},
		{
			name: "counter and distribution of the Router",
			record: func(r *Recorder) {
				r.Add(EventsRouted, 1)
				r.Add(TriggersMatched, 0)
				r.Add(EventsRouted, 1)
				r.Add(TriggersMatched, 2)
			},
			dimensions: [][]string{{"Stack"}},
			dimValues:  map[string]string{"Stack": "herald-test"},
			units:      map[string]string{EventsRouted: "Count", TriggersMatched: "Count"},
			values:     map[string][]float64{EventsRouted: {2}, TriggersMatched: {0, 2}},
		},
		{
			name: "a zero counter is written",
			record: func(r *Recorder) {
				r.Add(EventsRelayed, 0)
				r.Add(BridgeLag, 17)
			},
			dimensions: [][]string{{"Stack"}},
			dimValues:  map[string]string{"Stack": "herald-test"},
			units:      map[string]string{EventsRelayed: "Count", BridgeLag: "Count"},
			values:     map[string][]float64{EventsRelayed: {0}, BridgeLag: {17}},
		},
		{
			name: "latency by action type",
			record: func(r *Recorder) {
				r.Add(DeliveryLatency, 12.25, ActionType("nats"))
			},
			dimensions: [][]string{{"Stack"}, {"Stack", "ActionType"}},
			dimValues:  map[string]string{"Stack": "herald-test", "ActionType": "nats"},
			units:      map[string]string{DeliveryLatency: "Milliseconds"},
			values:     map[string][]float64{DeliveryLatency: {12.25}},
		},
		{
			name: "verdicts by verdict",
			record: func(r *Recorder) {
				r.Add(SyncVerdicts, 1, Verdict(VerdictDenied))
				r.Add(SyncVerdicts, 1, Verdict(VerdictDenied))
			},
			dimensions: [][]string{{"Stack"}, {"Stack", "Verdict"}},
			dimValues:  map[string]string{"Stack": "herald-test", "Verdict": "denied"},
			units:      map[string]string{SyncVerdicts: "Count"},
			values:     map[string][]float64{SyncVerdicts: {2}},
		},
		{
			name: "a name outside the catalog",
			record: func(r *Recorder) {
				r.Add("Other", 1)
				r.Add("Other", 1)
			},
			dimensions: [][]string{{"Stack"}},
			dimValues:  map[string]string{"Stack": "herald-test"},
			units:      map[string]string{"Other": "None"},
			values:     map[string][]float64{"Other": {1, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &writes{}
			r := testWriter(out).Recorder()
			tt.record(r)
			r.Flush()
			if n := len(out.lines()); n != 1 {
				t.Fatalf("%d lines, want 1", n)
			}
			l := decode(t, out.lines()[0])
			d := l.AWS.CloudWatchMetrics[0]
			if l.AWS.Timestamp != 1767225600123 || d.Namespace != "Herald" {
				t.Errorf("timestamp %d, namespace %q", l.AWS.Timestamp, d.Namespace)
			}
			if !slices.EqualFunc(d.Dimensions, tt.dimensions, slices.Equal) {
				t.Errorf("dimensions %v, want %v", d.Dimensions, tt.dimensions)
			}
			for name, want := range tt.dimValues {
				if got := l.str(t, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			units := map[string]string{}
			for _, m := range d.Metrics {
				units[m.Name] = m.Unit
			}
			if len(units) != len(tt.units) {
				t.Errorf("metrics %v, want %v", units, tt.units)
			}
			for name, unit := range tt.units {
				if units[name] != unit {
					t.Errorf("%s unit %q, want %q", name, units[name], unit)
				}
			}
			for name, want := range tt.values {
				if got := l.values(t, name); !slices.Equal(got, want) {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
			// Nothing but _aws, the dimensions and the metrics.
			if want := 1 + len(tt.dimValues) + len(tt.units); len(l.Members) != want {
				t.Errorf("%d members, want %d: %s", len(l.Members), want, out.lines()[0])
			}
		})
	}
}

// TestSplitting: a distribution with more than MaxValues values spans several lines,
// each holding at most MaxValues of it, in order; counters go in the first line only.
func TestSplitting(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		lines int
	}{
		{"one", 1, 1},
		{"exactly a line", MaxValues, 1},
		{"one more", MaxValues + 1, 2},
		{"two and a half", 2*MaxValues + MaxValues/2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &writes{}
			r := testWriter(out).Recorder()
			var want []float64
			for i := range tt.n {
				r.Add(TriggersMatched, float64(i))
				r.Add(EventsRouted, 1)
				want = append(want, float64(i))
			}
			r.Flush()
			lines := out.lines()
			if len(lines) != tt.lines {
				t.Fatalf("%d lines, want %d", len(lines), tt.lines)
			}
			var got []float64
			for i, line := range lines {
				l := decode(t, line)
				v := l.values(t, TriggersMatched)
				if len(v) == 0 || len(v) > MaxValues {
					t.Errorf("line %d holds %d values", i, len(v))
				}
				got = append(got, v...)
				routed := l.values(t, EventsRouted)
				names := len(l.AWS.CloudWatchMetrics[0].Metrics)
				switch {
				case i == 0 && (!slices.Equal(routed, []float64{float64(tt.n)}) || names != 2):
					t.Errorf("first line: EventsRouted %v, %d metrics declared", routed, names)
				case i > 0 && (routed != nil || names != 1):
					t.Errorf("line %d: EventsRouted %v, %d metrics declared; want only TriggersMatched", i, routed, names)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("values over the lines %v, want %v", got, want)
			}
		})
	}
}

// TestStringsEscaped: a dimension value JSON must escape comes back as it was.
func TestStringsEscaped(t *testing.T) {
	tests := []string{`quote"d`, `back\slash`, "new\nline", "tab\t\x01", "ünïcode", "bad\xffutf8"}
	for _, stack := range tests {
		t.Run(stack, func(t *testing.T) {
			out := &writes{}
			NewWriter(out, stack).Recorder().addFlush(EventsPublished, 1)
			l := decode(t, out.lines()[0])
			want := stack
			if stack == "bad\xffutf8" {
				want = "bad\ufffdutf8"
			}
			if got := l.str(t, "Stack"); got != want {
				t.Errorf("Stack %q, want %q", got, want)
			}
		})
	}
}

// addFlush records one value and flushes.
func (r *Recorder) addFlush(name string, v float64) {
	r.Add(name, v)
	r.Flush()
}
