package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/heraldhq/herald/devstack/template"
)

func TestRatePerMonth(t *testing.T) {
	tests := []struct {
		expr    string
		want    int64
		wantErr bool
	}{
		{"rate(1 minute)", 43_200, false},
		{"rate(5 minutes)", 8_640, false},
		{"rate(1 hour)", 720, false},
		{"rate(2 hours)", 360, false},
		{"rate(1 day)", 30, false},
		{"cron(0 12 * * ? *)", 0, true},
		{"rate(0 minutes)", 0, true},
		{"rate(1 fortnight)", 0, true},
		{"rate(1 minute", 0, true},
	}
	for _, tt := range tests {
		got, err := ratePerMonth(tt.expr)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ratePerMonth(%q) = %d, %v; want %d, error %v", tt.expr, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestScheduledFunctions checks what template.yaml schedules: the Bridge every minute
// and the Janitor every hour, with their timeouts and memory sizes.
func TestScheduledFunctions(t *testing.T) {
	// Tests run in the package's folder.
	tmpl, err := template.Load(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := scheduledFunctions(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	want := []Scheduled{
		{Function: "Bridge", Rate: "rate(1 minute)", PerMonth: 43_200, TimeoutSeconds: 60, MemoryMB: 512},
		{Function: "Janitor", Rate: "rate(1 hour)", PerMonth: 720, TimeoutSeconds: 60, MemoryMB: 256},
	}
	if !slices.Equal(got, want) {
		t.Errorf("scheduled functions %+v, want %+v", got, want)
	}
}
