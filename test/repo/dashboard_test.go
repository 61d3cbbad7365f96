package repo

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/metrics"
)

// TestDashboardShowsEmittedMetrics checks that the dashboard's widgets show only metrics
// of the Herald namespace that the code emits (internal/metrics' catalog), by dimension
// sets they are emitted with, and that every metric of the catalog is on it.
func TestDashboardShowsEmittedMetrics(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	shown, err := DashboardMetrics(tmpl, "Dashboard")
	if err != nil {
		t.Fatal(err)
	}
	onDashboard := map[string]bool{}
	for _, m := range shown {
		if m.Namespace != metrics.Namespace {
			continue
		}
		def, ok := metrics.Lookup(m.Name)
		if !ok {
			t.Errorf("widget %q shows %s/%s, which no code emits", m.Widget, m.Namespace, m.Name)
			continue
		}
		if !slices.ContainsFunc(def.DimensionSets, func(set []string) bool {
			set = slices.Clone(set)
			sort.Strings(set)
			return slices.Equal(set, m.Dimensions)
		}) {
			t.Errorf("widget %q shows %s by %v; it is emitted by %v", m.Widget, m.Name, m.Dimensions, def.DimensionSets)
		}
		onDashboard[m.Name] = true
	}
	for _, def := range metrics.Catalog() {
		if !onDashboard[def.Name] {
			t.Errorf("%s is emitted but not on the dashboard", def.Name)
		}
	}
}

// TestAlarmsOnEmittedMetrics checks that every alarm on a Herald metric names one the
// code emits, with its Stack dimension.
func TestAlarmsOnEmittedMetrics(t *testing.T) {
	tmpl, _ := repoTemplate(t)
	n := 0
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != "AWS::CloudWatch::Alarm" || r.Properties["Namespace"] != metrics.Namespace {
			continue
		}
		n++
		name, _ := r.Properties["MetricName"].(string)
		if _, ok := metrics.Lookup(name); !ok {
			t.Errorf("%s: alarms on %s, which no code emits", id, name)
		}
		dims, _ := r.Properties["Dimensions"].([]any)
		var names []string
		for _, d := range dims {
			dm, _ := d.(map[string]any)
			s, _ := dm["Name"].(string)
			names = append(names, s)
		}
		if strings.Join(names, ",") != metrics.DimStack {
			t.Errorf("%s: dimensions %v, want [%s]", id, names, metrics.DimStack)
		}
	}
	if n == 0 {
		t.Error("no alarm on a Herald metric: the Bridge's lag alarm is missing")
	}
}

// TestDashboardMetricsReadsEveryForm checks the reader on the forms a dashboard body
// takes: explicit arrays, "." repeats, options objects and SEARCH expressions.
func TestDashboardMetricsReadsEveryForm(t *testing.T) {
	tmpl, err := template.Parse([]byte(`
Resources:
  Dashboard:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub |
        {"widgets": [{"type": "metric", "properties": {"title": "w", "metrics": [
          ["Herald", "A", "Stack", "${AWS::StackName}"],
          [".", "B", ".", ".", {"stat": "p99"}],
          [{"expression": "SEARCH('{Herald,Stack,ActionType} Stack=\"${AWS::StackName}\" MetricName=\"C\"', 'Sum', 60)", "id": "c"}],
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "${Queue.QueueName}"]
        ]}}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := DashboardMetrics(tmpl, "Dashboard")
	if err != nil {
		t.Fatal(err)
	}
	want := []DashboardMetric{
		{"w", "Herald", "A", []string{"Stack"}},
		{"w", "Herald", "B", []string{"Stack"}},
		{"w", "Herald", "C", []string{"ActionType", "Stack"}},
		{"w", "AWS/SQS", "ApproximateNumberOfMessagesVisible", []string{"QueueName"}},
	}
	if len(got) != len(want) {
		t.Fatalf("DashboardMetrics = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Namespace != want[i].Namespace || got[i].Name != want[i].Name || !slices.Equal(got[i].Dimensions, want[i].Dimensions) {
			t.Errorf("metric %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
