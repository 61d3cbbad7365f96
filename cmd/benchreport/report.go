package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Markers around the hand-written part of BENCHMARKS.md, which the generator keeps as
// it is.
const (
	notesBegin = "<!-- benchreport: notes begin (hand-written, kept by make bench) -->"
	notesEnd   = "<!-- benchreport: notes end -->"
)

// Machine describes where the benchmarks ran.
type Machine struct {
	CPU       string
	Cores     int
	MemoryGiB float64
	OS        string // e.g. "linux/amd64, Debian GNU/Linux 12 (bookworm)"
	Go        string
	Date      time.Time
	// Took is how long the benchmarks ran; zero when the output was read from a file.
	Took time.Duration
}

// Notes returns the hand-written part of an existing BENCHMARKS.md, markers excluded,
// or "" when it has none.
func Notes(doc string) string {
	_, rest, ok := strings.Cut(doc, notesBegin)
	if !ok {
		return ""
	}
	notes, _, ok := strings.Cut(rest, notesEnd)
	if !ok {
		return ""
	}
	return strings.Trim(notes, "\n")
}

// Render writes BENCHMARKS.md: the machine, the figures table, what each figure
// measures, any benchmarks without a figure, and notes.
func Render(out *Output, m Machine, notes string) string {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	p("# Benchmarks\n\n")
	p("<!-- Written by `make bench` (cmd/benchreport). Edit only between the notes markers below;\n")
	p("     figures, goals and descriptions live in cmd/benchreport/figures.go. -->\n\n")
	took := ""
	if m.Took > 0 {
		took = fmt.Sprintf(" `make bench` ran its benchmarks in %s.", m.Took.Round(time.Second))
	}
	p("Measured %s on %s, %d cores, %s GiB memory, %s, %s.%s\n\n",
		m.Date.UTC().Format("2006-01-02"), m.CPU, m.Cores, strconv.FormatFloat(m.MemoryGiB, 'f', 1, 64), m.OS, m.Go, took)
	p("Every figure has a baseline measured in the same run — in the same process and, where\n")
	p("it can be, the same iterations — and ratio = figure ÷ baseline. Inputs come from fixed\n")
	p("seeds or fixed shapes, and each benchmark warms up before it is timed. Tests never\n")
	p("assert timings; these figures come from `go test -bench`, run by `make bench`.\n\n")

	rs := rows(out)
	p("## Figures\n\n")
	p("| figure | value | baseline (same run) | ratio | goal | met |\n")
	p("|---|---|---|---|---|---|\n")
	for _, r := range rs {
		if r.missing {
			p("| %s | not measured | — | — | %s | — |\n", r.title, r.goalText())
			continue
		}
		p("| %s | %s | %s (%s) | %s | %s | %s |\n", r.title, format(r.fig.Kind, r.fig.Unit, r.value),
			format(r.fig.Kind, baseUnit(r.fig), r.base), r.fig.Baseline, formatRatio(r.ratio), r.goalText(), r.met())
	}

	p("\n## What each figure measures\n\n")
	seen := map[string]bool{}
	for _, r := range rs {
		key := r.fig.Title + r.fig.Pkg
		if seen[key] {
			continue
		}
		seen[key] = true
		title := strings.ReplaceAll(r.fig.Title, "%s", "each function")
		bench, _, _ := strings.Cut(r.fig.Bench, "/")
		p("- **%s** — `%s` (`%s`). %s", title, bench, r.fig.Pkg, r.fig.About)
		if len(r.fig.Extras) > 0 && !r.missing {
			var extras []string
			for _, e := range r.fig.Extras {
				if v, ok := r.res.Metrics[e]; ok {
					extras = append(extras, fmt.Sprintf("%s %s", e, formatNumber(v)))
				}
			}
			if len(extras) > 0 {
				p(" In this run: %s.", strings.Join(extras, ", "))
			}
		}
		p("\n")
	}

	// Every benchmark should be a figure; one that is not (make bench refuses to write
	// the file then, unless -partial) is listed here, without a baseline.
	if left := unfigured(out); len(left) > 0 {
		p("\n## Benchmarks without a figure\n\n")
		p("These have no entry in cmd/benchreport/figures.go, so no baseline or goal: add one.\n\n")
		p("| benchmark | package | time/op | B/op | allocs/op | reported |\n")
		p("|---|---|---|---|---|---|\n")
		for _, res := range left {
			var extra []string
			for unit, v := range res.Metrics {
				switch unit {
				case "ns/op", "B/op", "allocs/op":
				default:
					extra = append(extra, fmt.Sprintf("%s %s", formatNumber(v), unit))
				}
			}
			sort.Strings(extra)
			p("| `%s` | `%s` | %s | %s | %s | %s |\n", res.Name, shortPkg(res.Pkg), formatDuration(res.Metrics["ns/op"]),
				optional(res.Metrics, "B/op"), optional(res.Metrics, "allocs/op"), dash(strings.Join(extra, ", ")))
		}
	}

	p("\n%s\n", notesBegin)
	if notes != "" {
		p("%s\n", notes)
	}
	p("%s\n", notesEnd)
	return w.String()
}

// baseUnit is the unit of f's baseline.
func baseUnit(f figure) string {
	if f.BaseUnit != "" {
		return f.BaseUnit
	}
	return f.Unit
}

// format prints a value of the given kind and unit.
func format(k kind, unit string, v float64) string {
	switch k {
	case millis:
		return formatNumber(v) + " ms"
	case byteLen:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + " MB"
	default:
		return formatNumber(v) + " " + unit
	}
}

// formatNumber prints v with three significant digits, and whole numbers with
// thousands separators from 1,000 on.
func formatNumber(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1000:
		return thousands(int64(math.Round(v)))
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a == 0:
		return "0"
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// formatRatio prints a ratio with two decimals, or fewer for large ones.
func formatRatio(r float64) string {
	if r >= 100 || r < 0.01 {
		return formatNumber(r)
	}
	if r >= 10 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

// thousands prints n with commas between groups of three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatDuration prints nanoseconds in the largest unit that keeps them ≥ 1.
func formatDuration(ns float64) string {
	switch {
	case ns >= 1e9:
		return formatNumber(ns/1e9) + " s"
	case ns >= 1e6:
		return formatNumber(ns/1e6) + " ms"
	case ns >= 1e3:
		return formatNumber(ns/1e3) + " µs"
	default:
		return formatNumber(ns) + " ns"
	}
}

func optional(m map[string]float64, unit string) string {
	if v, ok := m[unit]; ok {
		return thousands(int64(math.Round(v)))
	}
	return "—"
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// shortPkg is an import path relative to the module.
func shortPkg(pkg string) string {
	return strings.TrimPrefix(pkg, modulePath+"/")
}

// modulePath is the module the benchmarks belong to.
const modulePath = "github.com/heraldhq/herald"
