package main

import (
	"net/http"

	"github.com/heraldhq/herald/devstack/metricsview"
)

// metricsPath is where herald-local serves the totals of the functions' metrics: outside
// /v1/, the HTTP API's, and outside the Lambda API's prefix.
const metricsPath = "/metrics"

// withMetricsPage serves view at metricsPath beside next, which serves everything else.
func withMetricsPage(next http.Handler, view *metricsview.View) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == metricsPath {
			view.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
