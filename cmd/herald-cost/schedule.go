package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// scheduledFunctions returns the functions of t that a Schedule event invokes, with
// their rate, timeout and memory size, in the template's order.
func scheduledFunctions(t *template.Template) ([]Scheduled, error) {
	var out []Scheduled
	for _, fn := range t.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "Schedule" {
				continue
			}
			expr, _ := ev.Properties["Schedule"].(string)
			n, err := ratePerMonth(expr)
			if err != nil {
				return nil, fmt.Errorf("%s event %s: %w", fn.LogicalID, name, err)
			}
			out = append(out, Scheduled{
				Function: fn.LogicalID, Rate: expr, PerMonth: n,
				TimeoutSeconds: template.Int(fn.Properties["Timeout"], 3), MemoryMB: template.Int(fn.Properties["MemorySize"], 128),
			})
		}
	}
	return out, nil
}

// ratePerMonth is how many times a month (30 days) a rate expression fires:
// rate(1 minute) 43,200 times. Cron expressions are not read.
func ratePerMonth(expr string) (int64, error) {
	inner, ok := strings.CutPrefix(expr, "rate(")
	inner, closed := strings.CutSuffix(inner, ")")
	fields := strings.Fields(inner)
	if !ok || !closed || len(fields) != 2 {
		return 0, fmt.Errorf("schedule %q: want rate(<n> <unit>)", expr)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("schedule %q: %q is not a positive whole number", expr, fields[0])
	}
	minutes := map[string]int{"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 24 * 60, "days": 24 * 60}[fields[1]]
	if minutes == 0 {
		return 0, fmt.Errorf("schedule %q: unknown unit %q", expr, fields[1])
	}
	return int64(minutesPerMonth / (n * minutes)), nil
}
