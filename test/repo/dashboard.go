package repo

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// A DashboardMetric is a metric a dashboard widget shows: its namespace, name and the
// names of the dimensions it is shown by.
type DashboardMetric struct {
	Widget     string
	Namespace  string
	Name       string
	Dimensions []string // sorted
}

// subVar matches a ${...} reference of Fn::Sub.
var subVar = regexp.MustCompile(`\$\{[^}]*\}`)

// searchExpr reads a SEARCH expression's schema and metric name:
// SEARCH('{Herald,Stack,ActionType} Stack="…" MetricName="DeliveriesFailed"', …).
var searchExpr = regexp.MustCompile(`SEARCH\('\{([^}]*)\}[^']*MetricName="([^"]+)"`)

// DashboardMetrics returns the metrics the widgets of the AWS::CloudWatch::Dashboard
// resource id show, from its DashboardBody (a string, or Fn::Sub of one): metric arrays
// ([namespace, name, dimension, value, …, {options}], with "." repeating the entry
// above) and SEARCH expressions.
func DashboardMetrics(tmpl *template.Template, id string) ([]DashboardMetric, error) {
	r, ok := tmpl.Resources[id]
	if !ok || r.Type != "AWS::CloudWatch::Dashboard" {
		return nil, fmt.Errorf("%s: not a dashboard of the template", id)
	}
	body, ok := r.Properties["DashboardBody"].(string)
	if !ok {
		m, _ := r.Properties["DashboardBody"].(map[string]any)
		if body, ok = m["Fn::Sub"].(string); !ok {
			return nil, fmt.Errorf("%s: DashboardBody is neither a string nor Fn::Sub of one", id)
		}
	}
	// References become placeholders: what they resolve to does not change which
	// metrics the widgets show.
	body = subVar.ReplaceAllString(body, "ref")
	var doc struct {
		Widgets []struct {
			Properties struct {
				Title   string  `json:"title"`
				Metrics [][]any `json:"metrics"`
			} `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return nil, fmt.Errorf("%s: DashboardBody: %w", id, err)
	}
	var out []DashboardMetric
	for _, w := range doc.Widgets {
		var prev []string
		for _, entry := range w.Properties.Metrics {
			if len(entry) == 1 {
				opts, _ := entry[0].(map[string]any)
				expr, _ := opts["expression"].(string)
				m := searchExpr.FindStringSubmatch(expr)
				if m == nil {
					return nil, fmt.Errorf("widget %q: expression %q is not a SEARCH of one metric", w.Properties.Title, expr)
				}
				schema := strings.Split(m[1], ",")
				dims := append([]string(nil), schema[1:]...)
				sort.Strings(dims)
				out = append(out, DashboardMetric{Widget: w.Properties.Title, Namespace: schema[0], Name: m[2], Dimensions: dims})
				continue
			}
			var parts []string
			for i, x := range entry {
				s, ok := x.(string)
				if !ok {
					break // the options object ends the array
				}
				if s == "." && i < len(prev) {
					s = prev[i]
				}
				parts = append(parts, s)
			}
			prev = parts
			if len(parts) < 2 || len(parts)%2 != 0 {
				return nil, fmt.Errorf("widget %q: metric %v: want namespace, name and dimension pairs", w.Properties.Title, entry)
			}
			var dims []string
			for i := 2; i < len(parts); i += 2 {
				dims = append(dims, parts[i])
			}
			sort.Strings(dims)
			out = append(out, DashboardMetric{Widget: w.Properties.Title, Namespace: parts[0], Name: parts[1], Dimensions: dims})
		}
	}
	return out, nil
}
