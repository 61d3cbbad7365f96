package main

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/devstack/meter"
	"github.com/heraldhq/herald/devstack/workload"
)

// TestUpdateSection checks that the cost section replaces its earlier self, or else goes
// at the end of the part of BENCHMARKS.md that make bench keeps, or else at the end.
func TestUpdateSection(t *testing.T) {
	section := sectionBegin + "\nnew figures\n" + sectionEnd + "\n"
	tests := []struct {
		name, doc, want string
	}{
		{"replaces", "# B\n\n" + sectionBegin + "\nold figures\n" + sectionEnd + "\n\nkept\n",
			"# B\n\n" + sectionBegin + "\nnew figures\n" + sectionEnd + "\n\nkept\n"},
		{"inside the notes make bench keeps", "# B\n<!-- benchreport: notes begin -->\nnotes\n" + benchNotesEnd + "\n",
			"# B\n<!-- benchreport: notes begin -->\nnotes\n\n" + section + benchNotesEnd + "\n"},
		{"at the end", "# B\n\ntext\n", "# B\n\ntext\n\n" + section},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UpdateSection(tt.doc, section)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if again := UpdateSection(got, section); again != got {
				t.Errorf("a second update changed the document:\n%s", again)
			}
		})
	}
}

// TestDrivers checks that the notes cover the costliest lines, most costly first, with
// their share of the total.
func TestDrivers(t *testing.T) {
	r := Report{Events: 1000, Total: 4, Lines: []Line{
		{Service: "SQS", Item: "DeliveriesQueue SendMessage", Unit: "requests", Measured: 1000, USD: 0.4, Calls: 1000, Messages: 1000},
		{Service: "DynamoDB", Item: "DeliveriesTable writes", Unit: "WRU", Measured: 6000, USD: 3.5, Calls: 3000},
		{Service: "SNS", Item: "EventsTopic PublishBatch", Unit: "requests", Measured: 100, USD: 0.1, Calls: 100, Messages: 1000},
	}}
	got := Drivers(r, 2)
	if len(got) != 2 {
		t.Fatalf("Drivers = %q, want 2", got)
	}
	for i, want := range []string{
		"DynamoDB DeliveriesTable writes: $3.50 per million events (88%). 3.00 writes per event at 2.00 units each",
		"SQS DeliveriesQueue SendMessage: $0.4000 per million events (10%). 1.00 requests per event, one message each: SendMessageBatch",
	} {
		if !strings.HasPrefix(got[i], want) {
			t.Errorf("driver %d: %q, want it to start %q", i, got[i], want)
		}
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{money(0.04), "0.0400"},
		{money(17.2800864), "17.28"},
		{money(1234.5), "1,234.50"},
		{quantity(1_296_000), "1,296,000"},
		{quantity(3.364), "3.36"},
		{quantity(0.000163), "0.000163"},
		{quantity(0), "0"},
		{quantity(62), "62"},
		{thousands("-1234567.5"), "-1,234,567.5"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestMarkdown checks the section's frame and its headline figures.
func TestMarkdown(t *testing.T) {
	r, err := Estimate(Inputs{Events: 1000, Deliveries: 1000, Usage: meter.Usage{Counters: []meter.Counter{
		{Service: meter.DynamoDB, Resource: "DeliveriesTable", Operation: "PutItem", Requests: 1000, WriteUnits: 2000},
	}}}, testPrices())
	if err != nil {
		t.Fatal(err)
	}
	md := Markdown(r, runInfo{Date: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Prices: testPrices(),
		Config: workload.Config{Events: 1000, PublishBatch: 100, FetchBatch: 100, FetchWait: time.Second}})
	for _, want := range []string{
		sectionBegin + "\n## Cost per million events\n",
		"Measured 2026-12-07",
		"1,000 events of about 1 KB, published 100 a request",
		"| DynamoDB | 1.25 |",
		"| **Herald** | **1.25** |",
		"| EventBridge + API destinations (custom events put 1.00, API destination invocations 0.2000) | 1.20 |",
		"| DynamoDB | DeliveriesTable writes | 2,000 | 2,000,000 | WRU | 1.25 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the section lacks %q:\n%s", want, md)
		}
	}
	if !strings.HasSuffix(md, sectionEnd+"\n") {
		t.Errorf("the section does not end with its marker:\n%s", md)
	}
}
