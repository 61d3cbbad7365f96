package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldhq/herald/devstack/metricsview"
)

// TestMetricsPage: /metrics is the view's, every other path the API's.
func TestMetricsPage(t *testing.T) {
	view := metricsview.New()
	view.Line([]byte(`{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Herald","Dimensions":[["Stack"]],"Metrics":[{"Name":"EventsPublished","Unit":"Count"}]}]},"Stack":"herald-local","EventsPublished":2}`))
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("api")) })
	h := withMetricsPage(api, view)
	tests := []struct {
		path, want string
	}{
		{"/metrics", `"metric": "EventsPublished"`},
		{"/metrics?x=1", `"sum": 2`},
		{"/v1/metrics", "api"},
		{"/metrics/", "api"},
		{"/v1/events", "api"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("GET %s: %s, want it to contain %s", tt.path, rec.Body, tt.want)
			}
		})
	}
}
