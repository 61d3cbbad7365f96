// Command herald-cost measures what Herald costs on AWS per million events: it starts
// herald-local, drives a fixed workload through it (devstack/workload: events published
// in batches, one trigger whose webhook every event matches, one consumer fetching and
// acknowledging them), takes the difference of the stack's own counters of billable
// calls over it (devstack/meter, GET /local/usage), and prices them at the AWS list
// prices of prices.json, beside the same workload on EventBridge with an API destination.
// Scheduled functions (the Bridge, the Janitor) are priced apart, as a fixed monthly cost.
// `make cost` runs it; docs/cost.md says how it counts and where it falls short.
//
// Usage:
//
//	herald-cost [-events N] [-herald-local BIN] [-functions DIR] [-md BENCHMARKS.md] …
//
// With -md it also writes its figures into that file's "Cost per million events"
// section, which `make bench` keeps.
package main
