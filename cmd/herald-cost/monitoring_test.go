package main

import (
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

// TestMonitoringOf counts the series of the catalog by hand: 13 metrics by Stack; the
// five delivery metrics once per action type (6); SyncVerdicts once per verdict (3).
func TestMonitoringOf(t *testing.T) {
	tmpl, err := template.Parse([]byte(`
Resources:
  Board:
    Type: AWS::CloudWatch::Dashboard
  A:
    Type: AWS::CloudWatch::Alarm
  B:
    Type: AWS::CloudWatch::Alarm
  Queue:
    Type: AWS::SQS::Queue
`))
	if err != nil {
		t.Fatal(err)
	}
	got := monitoringOf(tmpl)
	want := Monitoring{Metrics: 13 + 5*6 + 3, Dashboards: 1, Alarms: 2}
	if got != want {
		t.Errorf("monitoringOf = %+v, want %+v", got, want)
	}
}
