package main

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/devstack/workload"
)

// driversShown is how many of the costliest lines the notes on what drives the cost
// cover.
const driversShown = 4

// runInfo describes a measured run, for the report's headings.
type runInfo struct {
	Date   time.Time
	Config workload.Config
	Result workload.Result
	Prices Prices
}

// workloadText describes the workload in a sentence.
func (ri runInfo) workloadText() string {
	c := ri.Config
	publish := fmt.Sprintf("published %d a request", c.PublishBatch)
	if c.PublishBatch == 1 {
		publish = "published one a request"
	}
	return fmt.Sprintf("%s events of about %d KB, %s; one trigger whose webhook every event matches; "+
		"one consumer fetching %d a batch (waiting up to %s) and acknowledging each batch",
		number0(float64(c.Events)), workload.EventSize/1024, publish, c.FetchBatch, c.FetchWait)
}

// pricesText says which prices were used.
func (ri runInfo) pricesText() string {
	return fmt.Sprintf("AWS list prices (%s, read %s), free tiers left out", strings.Join(ri.Prices.Regions(), ", "), ri.Prices.LastRead())
}

// WriteText prints r as the command's answer.
func WriteText(w io.Writer, r Report, ri runInfo) {
	fmt.Fprintf(w, "Herald's cost per million events, at %s.\n", ri.pricesText())
	fmt.Fprintf(w, "Workload: %s. Measured on herald-local in %s.\n\n", ri.workloadText(), ri.Result.Took.Round(time.Second))
	t := table{right: []bool{false, false, true, true, false, true}}
	t.add("service", "item", "measured", "per 1M events", "unit", "USD per 1M events")
	for _, l := range r.Lines {
		t.add(l.Service, l.Item, quantity(l.Measured), quantity(l.Quantity), l.Unit, money(l.USD))
	}
	t.add("Herald", "total", "", "", "", money(r.Total))
	t.write(w)

	fmt.Fprintf(w, "\nBy service, USD per million events:")
	for _, t := range r.ServiceTotals() {
		fmt.Fprintf(w, " %s %s;", t.Service, money(t.USD))
	}
	fmt.Fprintf(w, " total %s.\n", money(r.Total))
	fmt.Fprintf(w, "EventBridge + API destinations, the same workload: %s per million events", money(r.EventBridgeTotal))
	for _, l := range r.EventBridge {
		fmt.Fprintf(w, "; %s %s (%s %s)", l.Item, money(l.USD), quantity(l.Quantity), l.Unit)
	}
	fmt.Fprintf(w, ".\n\nFixed monthly costs, whatever the events:\n\n")
	t = table{right: []bool{false, false, true, false, true}}
	t.add("service", "item", "per month", "unit", "USD per month")
	for _, l := range r.Fixed {
		t.add(l.Service, l.Item, quantity(l.Quantity), l.Unit, money(l.USD))
	}
	t.add("", "total", "", "", money(r.FixedTotal))
	t.write(w)
	fmt.Fprintf(w, "\nWhat drives it, and what would cut it:\n")
	for _, d := range Drivers(r, driversShown) {
		fmt.Fprintf(w, "  - %s\n", d)
	}
}

// table lays out rows in columns, each aligned left or right.
type table struct {
	right []bool // by column
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	widths := make([]int, len(t.right))
	for _, row := range t.rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range t.rows {
		var b strings.Builder
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// Markers around the part of BENCHMARKS.md that make cost writes.
const (
	sectionBegin = "<!-- herald-cost: begin (written by make cost, cmd/herald-cost; edit there, not here) -->"
	sectionEnd   = "<!-- herald-cost: end -->"
)

// Markdown renders r as the "Cost per million events" section of BENCHMARKS.md, between
// its markers.
func Markdown(r Report, ri runInfo) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("%s\n## Cost per million events\n\n", sectionBegin)
	p("Measured %s by `make cost` (cmd/herald-cost) on herald-local, which counts every billable call the stack makes "+
		"(see [docs/cost.md](docs/cost.md)). Workload: %s. Priced at %s, from "+
		"[cmd/herald-cost/prices.json](cmd/herald-cost/prices.json).\n\n",
		ri.Date.UTC().Format(time.DateOnly), ri.workloadText(), ri.pricesText())
	p("| | USD per million events |\n|---|---:|\n")
	for _, t := range r.ServiceTotals() {
		p("| %s | %s |\n", t.Service, money(t.USD))
	}
	p("| **Herald** | **%s** |\n", money(r.Total))
	var eb []string
	for _, l := range r.EventBridge {
		eb = append(eb, fmt.Sprintf("%s %s", l.Item, money(l.USD)))
	}
	p("| EventBridge + API destinations (%s) | %s |\n\n", strings.Join(eb, ", "), money(r.EventBridgeTotal))
	p("Herald costs %.1f times as much per event as EventBridge, whose figure covers only the webhook half of "+
		"the workload: the consumer's fetches and acknowledgements, and a delivery log to query, have no "+
		"counterpart there.\n\n", r.Total/r.EventBridgeTotal)
	p("What drives it, and what would cut it:\n\n")
	for _, d := range Drivers(r, driversShown) {
		p("- %s\n", d)
	}
	p("\nFixed monthly costs, whatever the events: **$%s a month**.\n\n", money(r.FixedTotal))
	p("| service | item | per month | unit | USD per month |\n|---|---|---:|---|---:|\n")
	for _, l := range r.Fixed {
		p("| %s | %s | %s | %s | %s |\n", l.Service, l.Item, quantity(l.Quantity), l.Unit, money(l.USD))
	}
	p("\nEvery line of the cost per million events:\n\n")
	p("| service | item | measured | per million events | unit | USD per million events |\n|---|---|---:|---:|---|---:|\n")
	for _, l := range r.Lines {
		p("| %s | %s | %s | %s | %s | %s |\n", l.Service, l.Item, quantity(l.Measured), quantity(l.Quantity), l.Unit, money(l.USD))
	}
	p("%s\n", sectionEnd)
	return b.String()
}

// benchNotesEnd is the end of the hand-written part of BENCHMARKS.md, which make bench
// (cmd/benchreport) keeps as it is: a section placed before it survives make bench.
const benchNotesEnd = "<!-- benchreport: notes end -->"

// UpdateSection returns doc with its cost section replaced by section (which carries
// its markers); a doc without one gets it at the end of the part make bench keeps, or
// at its end.
func UpdateSection(doc, section string) string {
	if before, rest, ok := strings.Cut(doc, sectionBegin); ok {
		if _, after, ok := strings.Cut(rest, sectionEnd); ok {
			return before + strings.TrimSuffix(section, "\n") + after
		}
	}
	if before, after, ok := strings.Cut(doc, benchNotesEnd); ok {
		return strings.TrimRight(before, "\n") + "\n\n" + section + benchNotesEnd + after
	}
	return strings.TrimRight(doc, "\n") + "\n\n" + section
}
