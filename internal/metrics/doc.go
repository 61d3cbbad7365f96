// Package metrics writes Herald's CloudWatch metrics in the Embedded Metric Format (EMF):
// JSON lines on the function's stdout, which Lambda sends to CloudWatch Logs, which turns
// them into metrics in the namespace "Herald". No API call, no client, no added latency.
//
// Every metric has the dimension Stack (the stack's name, from HERALD_STACK_NAME); some are
// also emitted by a second dimension set, [Stack, ActionType] or [Stack, Verdict].
// [Catalog] lists every metric, its unit and its dimension sets: the contract the
// dashboards and alarms are built on.
//
// A function aggregates what one invocation observed in a [Recorder] and writes it with
// [Recorder.Flush] at the end, as a few lines however many events the invocation
// handled: counters are added up, distributions (latencies, matches per event) keep each
// value, up to [MaxValues] per line.
//
//	rec := h.Metrics.Recorder()
//	defer rec.Flush()
//	rec.Add(metrics.DeliveriesSucceeded, 1, metrics.ActionType("http"))
//
// A nil *Writer hands out recorders that write nothing, for handlers built without one.
package metrics
