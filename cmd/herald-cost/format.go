package main

import (
	"math"
	"strconv"
	"strings"
)

// money formats an amount of dollars: four decimals under a dollar, two above.
func money(usd float64) string {
	if usd < 1 {
		return strconv.FormatFloat(usd, 'f', 4, 64)
	}
	return thousands(strconv.FormatFloat(usd, 'f', 2, 64))
}

// quantity formats a count: whole with thousands separators from 100 up or when it is
// whole, else with enough decimals to show it.
func quantity(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 100 || x == math.Trunc(x):
		return number0(x)
	case x >= 1:
		return number2(x)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

func number0(x float64) string { return thousands(strconv.FormatFloat(x, 'f', 0, 64)) }
func number2(x float64) string { return thousands(strconv.FormatFloat(x, 'f', 2, 64)) }
func number3(x float64) string { return thousands(strconv.FormatFloat(x, 'f', 3, 64)) }

// thousands puts commas between the thousands of a formatted number's whole part.
func thousands(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if frac != "" {
		out += "." + frac
	}
	return out
}
