// Package metricsview shows, without AWS, the metrics the functions write in the
// CloudWatch Embedded Metric Format: it reads their output line by line, picks out the
// EMF lines (a JSON object whose _aws member has CloudWatchMetrics) as CloudWatch Logs
// would, and keeps a running total of each metric by each of its dimension sets, with the
// dimension values of the lines.
//
// [View.Line] takes one line of output; [View.ServeHTTP] answers with a [Snapshot] as
// JSON. herald-local feeds it every function's output and serves it at /metrics.
//
// Each series keeps its number of values, their sum, minimum and maximum, and the
// median and 99th percentile of its latest [Keep] values: a Count metric is read by its
// sum, a latency by its percentiles. A metric emitted by the sets [Stack] and [Stack,
// ActionType] is two series, as in CloudWatch: the first totals every action type.
//
// This is local-only code: nothing under internal/ or functions/ may import it.
package metricsview
