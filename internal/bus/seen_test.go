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
		{"a domain nowhere", []string{"bililng.*"}, []int{0}},
		{"a wildcard domain is not looked up", []string{"*.InvoicePaid", "*.Nothing"}, nil},
		{"a star inside a part widens it", []string{"billing.Invoice*", "billing.Nothing*"}, nil},
		{"a star inside a part of a domain nowhere", []string{"nowhere.Thing*"}, []int{0}},
		{"everything", []string{"*"}, nil},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.UnknownEventTypes(t.Context(), js, tt.patterns, []string{"projects/p1"})
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
	if got, err := bus.UnknownEventTypes(t.Context(), js, []string{"job.JobFinished"}, []string{"projects/p1"}); err != nil || len(got) != 0 {
		t.Fatalf("catalog types: %v, %v", got, err)
	}
	if _, err := bus.UnknownEventTypes(t.Context(), js, []string{"job.JobFinishd"}, []string{"projects/p1"}); err == nil {
		t.Fatal("no error without the stream")
	}
}

// TestUnknownEventTypesInScope: the stream is looked at only under the caller's scopes,
// so a warning tells nothing of what others published; without scopes, and past the
// bound on lookups, patterns go unreported rather than guessed.
func TestUnknownEventTypesInScope(t *testing.T) {
	js, _, _ := newJetStream(t)
	ensure(t, js, testStreamOptions)
	e := &event.Event{Event: "billing.InvoicePaid", UUID: uuid.NewString(), Timestamp: time.Now(), Resource: &event.Resource{Type: "x", Path: "projects/p1/invoices/i1"}}
	if _, err := bus.Publish(t.Context(), js, e); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		patterns []string
		scopes   []string
		unknown  []int
	}{
		{"in scope", []string{"billing.InvoicePaid"}, []string{"projects/p1"}, nil},
		{"in a scope above it", []string{"billing.InvoicePaid"}, []string{"projects"}, nil},
		{"only another's scope has it", []string{"billing.InvoicePaid"}, []string{"projects/p2"}, []int{0}},
		{"in the second scope", []string{"billing.InvoicePaid"}, []string{"projects/p2", "projects/p1"}, nil},
		{"no scopes", []string{"billing.InvoicePaid", "nobody.Nothing"}, nil, nil},
		{"past the bound", []string{"a.A", "b.B", "c.C", "d.D", "e.E", "f.F", "g.G"}, []string{"projects/p1"}, []int{0, 1, 2, 3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := bus.UnknownEventTypes(t.Context(), js, tt.patterns, tt.scopes)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.unknown) {
				t.Errorf("UnknownEventTypes(%q, %q) = %v, want %v", tt.patterns, tt.scopes, got, tt.unknown)
			}
		})
	}
}
