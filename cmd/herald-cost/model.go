package main

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/heraldhq/herald/devstack/meter"
)

// Month is the month the fixed costs are priced over: 30 days.
const (
	minutesPerMonth = 30 * 24 * 60
	perMillion      = 1e6
)

// How Lambda's SQS event source mappings poll a queue when it is idle, as AWS
// describes them: five pollers, each a 20-second long poll at a time. An estimate: the
// local stack's mappings poll differently, and it is not measured.
const (
	idlePollers        = 5
	idlePollsPerMinute = 3
)

// Inputs are what the model prices: a workload and what the stack did for it.
type Inputs struct {
	// Events is how many events the workload published; Deliveries how many webhook
	// deliveries they made (what EventBridge's API destinations would invoke).
	Events, Deliveries int64
	// Usage is what the stack's meter counted over the workload.
	Usage meter.Usage
	// Scheduled are the functions that run on a schedule: priced per month, at their
	// full timeout, and left out of the per-event cost.
	Scheduled []Scheduled
	// PolledQueues is how many queues feed a function through an event source mapping,
	// which polls them whether or not events flow.
	PolledQueues int
	// Monitoring is what the stack keeps in CloudWatch whatever the traffic.
	Monitoring Monitoring
}

// Monitoring counts what CloudWatch bills by the month: the custom metrics the functions
// emit (each name and set of dimension values one metric), dashboards and alarms.
type Monitoring struct {
	Metrics, Dashboards, Alarms int
}

// Scheduled is a function invoked on a schedule.
type Scheduled struct {
	Function       string
	Rate           string // as the template says it, "rate(1 minute)"
	PerMonth       int64  // invocations a month
	TimeoutSeconds int
	MemoryMB       int
}

// Line is one priced quantity.
type Line struct {
	Service string // "API Gateway", "Lambda", "SQS", "SNS", "DynamoDB", "CloudWatch Logs", "EventBridge"
	Item    string // the route, function, queue and operation, table, …
	Unit    string // what Quantity counts: "requests", "GB-s", "WRU", …
	// Measured is the quantity over the workload; Quantity the same per million events,
	// or for a fixed cost per month.
	Measured, Quantity float64
	// USD is Quantity priced: per million events, or per month.
	USD float64
	// Calls and Messages, where they apply, are the measured calls behind the line and
	// the messages they carried, for the notes on what drives the cost.
	Calls, Messages float64
	// MemoryMB is a Lambda function's memory size.
	MemoryMB int
}

// Report is the model's answer.
type Report struct {
	Events int64
	// Lines are the per-event costs, by service in a fixed order, then by cost.
	Lines []Line
	// Total is the cost per million events.
	Total float64
	// Fixed are the monthly costs that do not grow with events; FixedTotal their sum.
	Fixed      []Line
	FixedTotal float64
	// EventBridge prices the same workload on EventBridge with an API destination;
	// EventBridgeTotal is its cost per million events.
	EventBridge      []Line
	EventBridgeTotal float64
}

// serviceOrder is the order of services in a report.
var serviceOrder = []string{"API Gateway", "Lambda", "SQS", "SNS", "DynamoDB", "CloudWatch Logs"}

// Estimate prices in at p. It is pure: everything it needs is in its arguments.
func Estimate(in Inputs, p Prices) (Report, error) {
	if in.Events <= 0 {
		return Report{}, errors.New("estimate: no events")
	}
	for _, key := range modelPrices {
		if _, ok := p[key]; !ok {
			return Report{}, fmt.Errorf("estimate: no price %s", key)
		}
	}
	scale := perMillion / float64(in.Events)
	r := Report{Events: in.Events}
	line := func(service, item, unit string, measured float64, price string, c meter.Counter) {
		if measured == 0 {
			return
		}
		q := measured * scale
		r.Lines = append(r.Lines, Line{Service: service, Item: item, Unit: unit, Measured: measured, Quantity: q,
			USD: q * p[price].Each(), Calls: float64(c.Requests), Messages: float64(c.Messages), MemoryMB: c.MemoryMB})
	}
	scheduled := map[string]bool{}
	for _, s := range in.Scheduled {
		scheduled[s.Function] = true
	}
	var logBytes float64
	for _, c := range in.Usage.Counters {
		switch c.Service {
		case meter.APIGateway:
			line("API Gateway", c.Resource, "requests", float64(c.Billed), priceAPIRequests, c)
		case meter.Lambda:
			if scheduled[c.Resource] {
				continue // priced per month
			}
			line("Lambda", c.Resource+" invocations", "requests", float64(c.Requests), priceLambdaRequests, c)
			line("Lambda", fmt.Sprintf("%s duration (%d MB)", c.Resource, c.MemoryMB), "GB-s", c.GBSeconds(), priceLambdaGBSeconds, c)
		case meter.SQS:
			// Empty receives are what the pollers make whether or not events flow: the
			// fixed idle polling below prices them.
			c.Requests -= c.Empty
			c.Billed -= c.Empty
			line("SQS", c.Resource+" "+c.Operation, "requests", float64(c.Billed), priceSQSRequests, c)
		case meter.SNS:
			line("SNS", c.Resource+" "+c.Operation, "requests", float64(c.Billed), priceSNSPublishes, c)
		case meter.Logs:
			logBytes += float64(c.Bytes)
		}
	}
	// DynamoDB by table, reads and writes apart; Calls counts the calls behind each.
	type units struct{ reads, writes meter.Counter }
	tables := map[string]*units{}
	for _, c := range in.Usage.Counters {
		if c.Service != meter.DynamoDB {
			continue
		}
		t := tables[c.Resource]
		if t == nil {
			t = &units{}
			tables[c.Resource] = t
		}
		if c.ReadUnits > 0 {
			t.reads.Requests += c.Requests
			t.reads.ReadUnits += c.ReadUnits
		}
		if c.WriteUnits > 0 {
			t.writes.Requests += c.Requests
			t.writes.WriteUnits += c.WriteUnits
		}
	}
	for name, t := range tables {
		line("DynamoDB", name+" writes", "WRU", t.writes.WriteUnits, priceDynamoDBWrite, t.writes)
		line("DynamoDB", name+" reads", "RRU", t.reads.ReadUnits, priceDynamoDBRead, t.reads)
	}
	line("CloudWatch Logs", "function logs", "GB", logBytes/1e9, priceLogsIngestionGB, meter.Counter{})
	slices.SortFunc(r.Lines, func(a, b Line) int {
		return cmp.Or(cmp.Compare(slices.Index(serviceOrder, a.Service), slices.Index(serviceOrder, b.Service)),
			cmp.Compare(b.USD, a.USD), cmp.Compare(a.Item, b.Item))
	})
	for _, l := range r.Lines {
		r.Total += l.USD
	}

	fixed := func(item, unit string, q float64, price string) {
		r.Fixed = append(r.Fixed, Line{Service: "Lambda", Item: item, Unit: unit, Quantity: q, USD: q * p[price].Each()})
	}
	for _, s := range in.Scheduled {
		fixed(fmt.Sprintf("%s invocations, %s", s.Function, s.Rate), "requests", float64(s.PerMonth), priceLambdaRequests)
		fixed(fmt.Sprintf("%s duration, each its whole %d s timeout at %d MB", s.Function, s.TimeoutSeconds, s.MemoryMB), "GB-s",
			float64(s.PerMonth)*float64(s.TimeoutSeconds)*float64(s.MemoryMB)/1024, priceLambdaGBSeconds)
	}
	if in.PolledQueues > 0 {
		polls := float64(in.PolledQueues * idlePollers * idlePollsPerMinute * minutesPerMonth)
		r.Fixed = append(r.Fixed, Line{Service: "SQS",
			Item: fmt.Sprintf("idle polls of %d queues' event source mappings (estimate: %d pollers, 20 s long polls)", in.PolledQueues, idlePollers),
			Unit: "requests", Quantity: polls, USD: polls * p[priceSQSRequests].Each()})
	}
	monitoring := func(item, unit string, n int, price string) {
		if n > 0 {
			r.Fixed = append(r.Fixed, Line{Service: "CloudWatch", Item: item, Unit: unit, Quantity: float64(n), USD: float64(n) * p[price].Each()})
		}
	}
	monitoring("custom metrics the functions emit (EMF)", "metrics", in.Monitoring.Metrics, priceMetrics)
	monitoring("the stack's dashboard", "dashboards", in.Monitoring.Dashboards, priceDashboards)
	monitoring("the stack's alarms", "alarms", in.Monitoring.Alarms, priceAlarms)
	for _, l := range r.Fixed {
		r.FixedTotal += l.USD
	}

	eb := func(item, unit string, measured float64, price string) {
		q := measured * scale
		r.EventBridge = append(r.EventBridge, Line{Service: "EventBridge", Item: item, Unit: unit, Measured: measured, Quantity: q, USD: q * p[price].Each()})
	}
	eb("custom events put", "events", float64(in.Events), priceEventBridgePut)
	eb("API destination invocations", "invocations", float64(in.Deliveries), priceEventBridgeAPIDs)
	for _, l := range r.EventBridge {
		r.EventBridgeTotal += l.USD
	}
	return r, nil
}

// ServiceTotals returns the cost per million events of each service of r, in the
// report's order.
func (r Report) ServiceTotals() []Line {
	var out []Line
	for _, s := range serviceOrder {
		t := Line{Service: s}
		for _, l := range r.Lines {
			if l.Service == s {
				t.USD += l.USD
			}
		}
		if t.USD > 0 {
			out = append(out, t)
		}
	}
	return out
}
