package metrics

import "slices"

// Namespace is the CloudWatch namespace of every Herald metric.
const Namespace = "Herald"

// Unit is a CloudWatch unit.
type Unit string

// The units Herald's metrics use.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Percent      Unit = "Percent"
	None         Unit = "None" // a name missing from the catalog
)

// Dimension names. Every metric has Stack; ActionType and Verdict add a second
// dimension set to the metrics that have them.
const (
	DimStack      = "Stack"
	DimActionType = "ActionType"
	DimVerdict    = "Verdict"
)

// Metric names: the contract of the dashboards and alarms. See Catalog for what each
// means.
const (
	EventsPublished     = "EventsPublished"
	EventsRelayed       = "EventsRelayed"
	BridgeLag           = "BridgeLag"
	StreamFullness      = "StreamFullness"
	MessagesDropped     = "MessagesDropped"
	EventsRouted        = "EventsRouted"
	TriggersMatched     = "TriggersMatched"
	DeliveriesSucceeded = "DeliveriesSucceeded"
	DeliveriesFailed    = "DeliveriesFailed"
	DeliveriesRetried   = "DeliveriesRetried"
	DeliveriesExhausted = "DeliveriesExhausted"
	DeliveryLatency     = "DeliveryLatency"
	SyncVerdicts        = "SyncVerdicts"
)

// ActionTypes are the values of the ActionType dimension: the action types a trigger
// may have (as package actionspec lists them).
var ActionTypes = []string{"http", "sqs", "sns", "lambda", "nats", "javascript"}

// Values of the Verdict dimension. Approved and denied are the sync trigger's own
// answers (the delivery log's statuses of the same names); error is an action that could
// not answer (a timeout, a failed script, an answer that is not a decision), settled by
// its on_error setting.
const (
	VerdictApproved = "approved"
	VerdictDenied   = "denied"
	VerdictError    = "error"
)

// Verdicts lists the values of the Verdict dimension.
var Verdicts = []string{VerdictApproved, VerdictDenied, VerdictError}

// Kind says how a recorder aggregates a metric's values within one line.
type Kind int

const (
	// Counter values are added up: one value per line, read with the Sum statistic.
	Counter Kind = iota
	// Distribution values are each kept, so that CloudWatch's statistics (average,
	// percentiles) see every observation.
	Distribution
)

// String names the kind, as docs and the catalog's JSON say it.
func (k Kind) String() string {
	if k == Distribution {
		return "distribution"
	}
	return "counter"
}

// Definition is one metric of the catalog.
type Definition struct {
	Name string
	Unit Unit
	Kind Kind
	// Function is the logical id (template.yaml) of the function that emits it.
	Function string
	// DimensionSets are the dimension sets it is emitted with; the first is always
	// [Stack].
	DimensionSets [][]string
	// Statistic is the CloudWatch statistic the metric is meant to be read with.
	Statistic string
	// Description says what it counts or measures.
	Description string
}

var (
	stackOnly      = [][]string{{DimStack}}
	byActionType   = [][]string{{DimStack}, {DimStack, DimActionType}}
	byVerdict      = [][]string{{DimStack}, {DimStack, DimVerdict}}
	definitionList = []Definition{
		{EventsPublished, Count, Counter, "EventsApi", stackOnly, "Sum",
			"Events POST /v1/events accepted and stored on the stream (a duplicate of an event already there is not counted)."},
		{EventsRelayed, Count, Counter, "Bridge", stackOnly, "Sum",
			"Events the bridge published to the SNS topic."},
		{BridgeLag, Count, Distribution, "Bridge", stackOnly, "Maximum",
			"Messages on the HERALD_EVENTS stream the bridge has not acknowledged: the stream's last sequence minus the herald-bridge consumer's acknowledgement floor, measured at the end of each run (every few seconds in daemon mode)."},
		{StreamFullness, Percent, Distribution, "Bridge", stackOnly, "Maximum",
			"How full the HERALD_EVENTS stream is: its bytes as a percentage of its MaxBytes (StreamMaxBytes), measured with BridgeLag. At 100 the oldest events are being discarded before their shelf life."},
		{MessagesDropped, Count, Counter, "Bridge", stackOnly, "Sum",
			"Messages that exhausted a consumer's max_deliver, as JetStream's advisories tell; each is counted in its owner's MESSAGE_DROPPED notice."},
		{EventsRouted, Count, Counter, "Router", stackOnly, "Sum",
			"Events the Router matched against the triggers."},
		{TriggersMatched, Count, Distribution, "Router", stackOnly, "Average",
			"Triggers an event matched, one value per routed event."},
		{DeliveriesSucceeded, Count, Counter, "Deliver", byActionType, "Sum",
			"Delivery attempts whose action succeeded."},
		{DeliveriesFailed, Count, Counter, "Deliver", byActionType, "Sum",
			"Delivery attempts that failed, to be retried or given up."},
		{DeliveriesRetried, Count, Counter, "Deliver", byActionType, "Sum",
			"Retries scheduled after a failed attempt."},
		{DeliveriesExhausted, Count, Counter, "Deliver", byActionType, "Sum",
			"Deliveries given up: every attempt of the schedule failed, or one failed for good (410 Gone, an action that cannot succeed)."},
		{DeliveryLatency, Milliseconds, Distribution, "Deliver", byActionType, "p99",
			"From the event's timestamp to its successful delivery, one value per success."},
		{SyncVerdicts, Count, Counter, "EventsApi", byVerdict, "Sum",
			"Sync triggers' verdicts on events published with ?mode=sync, one per trigger and event."},
	}
	definitions = func() map[string]Definition {
		m := make(map[string]Definition, len(definitionList))
		for _, d := range definitionList {
			m[d.Name] = d
		}
		return m
	}()
)

// Catalog returns every metric Herald emits, in a fixed order: the contract the
// dashboards and alarms are built on. The slice is the caller's own.
func Catalog() []Definition {
	out := make([]Definition, len(definitionList))
	for i, d := range definitionList {
		d.DimensionSets = make([][]string, len(d.DimensionSets))
		for j, set := range definitionList[i].DimensionSets {
			d.DimensionSets[j] = slices.Clone(set)
		}
		out[i] = d
	}
	return out
}

// Lookup returns the definition of the metric name, and whether the catalog has it.
func Lookup(name string) (Definition, bool) {
	d, ok := definitions[name]
	return d, ok
}
