package main

import (
	"fmt"
	"slices"
	"strings"
)

// Drivers returns a sentence for each of the n costliest lines of r: its share of the
// cost per million events, what the measurement says drives it, and what would cut it.
func Drivers(r Report, n int) []string {
	lines := slices.Clone(r.Lines)
	slices.SortStableFunc(lines, func(a, b Line) int {
		switch {
		case a.USD > b.USD:
			return -1
		case a.USD < b.USD:
			return 1
		}
		return 0
	})
	var out []string
	for _, l := range lines[:min(n, len(lines))] {
		if r.Total <= 0 {
			break
		}
		out = append(out, fmt.Sprintf("%s %s: $%s per million events (%.0f%%). %s",
			l.Service, l.Item, money(l.USD), 100*l.USD/r.Total, driver(l, float64(r.Events))))
	}
	return out
}

// driver says what the measurement shows about l, over events, and what would cut it.
func driver(l Line, events float64) string {
	perEvent := func(x float64) float64 { return x / events }
	each := func(x, of float64) float64 {
		if of == 0 {
			return 0
		}
		return x / of
	}
	switch {
	case l.Service == "DynamoDB" && l.Unit == "WRU":
		return fmt.Sprintf("%s writes per event at %s units each: a write costs a unit per KB of the whole item "+
			"(the larger of old and new), so fewer writes per event, and smaller items (the event left on the "+
			"stream rather than copied into the record), would cut it.",
			number2(perEvent(l.Calls)), number2(each(l.Measured, l.Calls)))
	case l.Service == "DynamoDB" && l.Unit == "RRU":
		return fmt.Sprintf("%s reads per event at %s units each: eventually consistent reads cost half, "+
			"and reads a warm instance can cache (triggers) need not be made per event.",
			number2(perEvent(l.Calls)), number2(each(l.Measured, l.Calls)))
	case l.Service == "Lambda" && l.Unit == "GB-s":
		return fmt.Sprintf("%s ms per invocation at %d MB, %s events per invocation: fuller batches "+
			"(a batching window), less waiting per invocation, or a smaller MemorySize would cut it. "+
			"Durations measured against the local emulators run longer than on AWS.",
			number0(each(l.Measured/float64(l.MemoryMB)*1024*1000, l.Calls)), l.MemoryMB, number2(each(events, l.Calls)))
	case l.Service == "Lambda":
		return fmt.Sprintf("%s invocations per event: fuller batches (a batching window) would cut it.", number3(perEvent(l.Measured)))
	case l.Service == "SQS" && strings.HasSuffix(l.Item, " SendMessage"):
		return fmt.Sprintf("%s requests per event, one message each: SendMessageBatch carries up to 10 messages a request.",
			number2(perEvent(l.Measured)))
	case l.Service == "SQS":
		return fmt.Sprintf("%s requests per event, %s messages each: fuller batches (a batching window, "+
			"up to 10 messages a request) would cut it.", number2(perEvent(l.Measured)), number2(each(l.Messages, l.Calls)))
	case l.Service == "SNS":
		return fmt.Sprintf("%s publishes per event, %s events each: PublishBatch carries up to 10.",
			number2(perEvent(l.Measured)), number2(each(l.Messages, l.Calls)))
	case l.Service == "API Gateway":
		return fmt.Sprintf("%s requests per event: larger batches (publishing up to 100 events, fetching up to 1,000) would cut it.",
			number3(perEvent(l.Measured)))
	case l.Service == "CloudWatch Logs":
		return fmt.Sprintf("%s bytes logged per event: fewer lines per event, or a higher LogLevel, would cut it.",
			number0(perEvent(l.Measured*1e9)))
	}
	return ""
}
