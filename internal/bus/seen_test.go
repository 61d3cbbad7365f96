package bus_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
)

// TestUnknownEventTypes: a pattern is known when the catalog has a type it matches or
// the stream an event of such a type; the others are reported, by index.
func TestUnknownEventTypes(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	for _, typ := range []string{"billing.InvoicePaid", "my-svc.ThingHappened"} {
		e := &event.Event{Event: typ, UUID: uuid.NewString(), Timestamp: time.Now(), Resource: &event.Resource{Type: "x", Path: "projects/p1/x"}}
		if _, err := bus.Publish(t.Context(), js, e); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		patterns []string
		unknown  []int
	}{
		{"catalog types", []string{"job.JobFinished", "quota.QuotaWarning"}, nil},
		{"a misspelt type", []string{"job.JobFinished", "job.JobFinishd"}, []int{1}},
		{"types on the stream", []string{"billing.InvoicePaid", "my-svc.ThingHappened"}, nil},
		{"a type of a domain on the stream", []string{"billing.InvoiceVoided"}, []int{0}},
		{"a domain on the stream", []string{"billing.*"}, nil},
		{"a domain nowhere", []string{"bililng.*", "*.InvoicePaid", "*.Nothing"}, []int{0, 2}},
		{"a star inside a part widens it", []string{"billing.Invoice*", "billing.Nothing*"}, nil},
		{"a star inside a part of a domain nowhere", []string{"nowhere.Thing*"}, []int{0}},
		{"everything", []string{"*"}, nil},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.UnknownEventTypes(t.Context(), js, tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.unknown) {
				t.Errorf("UnknownEventTypes(%q) = %v, want %v", tt.patterns, got, tt.unknown)
			}
		})
	}
}

// TestUnknownEventTypesWithoutStream: without the stream, only the catalog answers; a
// pattern it does not know makes an error rather than a warning nobody can trust.
func TestUnknownEventTypesWithoutStream(t *testing.T) {
	js, _, _ := newJetStream(t)
	if got, err := bus.UnknownEventTypes(t.Context(), js, []string{"job.JobFinished"}); err != nil || len(got) != 0 {
		t.Fatalf("catalog types: %v, %v", got, err)
	}
	if _, err := bus.UnknownEventTypes(t.Context(), js, []string{"job.JobFinishd"}); err == nil {
		t.Fatal("no error without the stream")
	}
}
