package main

import (
	"slices"

	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/internal/metrics"
)

// monitoringOf counts what CloudWatch bills monthly for a stack of t: every series the
// functions can emit (a metric by Stack alone, and once per value of a further
// dimension: each action type, each verdict), and t's dashboards and alarms.
func monitoringOf(t *template.Template) Monitoring {
	var m Monitoring
	for _, d := range metrics.Catalog() {
		for _, set := range d.DimensionSets {
			switch {
			case slices.Contains(set, metrics.DimActionType):
				m.Metrics += len(metrics.ActionTypes)
			case slices.Contains(set, metrics.DimVerdict):
				m.Metrics += len(metrics.Verdicts)
			default:
				m.Metrics++
			}
		}
	}
	for _, id := range t.LogicalIDs() {
		switch t.Resources[id].Type {
		case "AWS::CloudWatch::Dashboard":
			m.Dashboards++
		case "AWS::CloudWatch::Alarm":
			m.Alarms++
		}
	}
	return m
}
