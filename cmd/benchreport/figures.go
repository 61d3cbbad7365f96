package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// A figure is one row of the table: a value a benchmark reports, the baseline measured
// in the same run, their ratio, and the goal it is held to.
//
// Benchmarks report a figure's value with b.ReportMetric under Unit, its baseline under
// "base-"+Unit and value ÷ baseline under "ratio" (or Ratio). A figure may instead take
// its baseline from another benchmark of the same run (BaseBench), and then the ratio
// is computed here.
type figure struct {
	// Title names the figure in the table. For a family (Bench ending in "/*") "%s"
	// stands for each sub-benchmark's name.
	Title string
	// Bench is the benchmark's full name without the -GOMAXPROCS suffix, e.g.
	// "BenchmarkInbox/list"; "BenchmarkColdStart/*" is one figure per sub-benchmark.
	Bench string
	// Pkg is the benchmark's package, relative to the module root.
	Pkg string
	// Unit is the value's metric; Kind says how to print it.
	Unit string
	Kind kind
	// BaseBench and BaseUnit, when set, take the baseline from that benchmark and
	// metric instead of "base-"+Unit of Bench.
	BaseBench, BaseUnit string
	// Ratio is the ratio's metric when it is not "ratio".
	Ratio string
	// Baseline says briefly what the baseline is.
	Baseline string
	// Goals must all hold for the goal to be met; none means no goal is set.
	Goals []goal
	// Extras are more metrics of the benchmark worth printing with the description.
	Extras []string
	// About says what the benchmark measures (Markdown, one paragraph).
	About string
}

// kind is how a figure's values print.
type kind int

const (
	rate    kind = iota // per second: 12,345 events/s
	millis              // 12.3 ms
	nanos               // 1,234 ns/event
	byteLen             // 10.2 MB
)

// goal is a bound on one of a figure's numbers.
type goal struct {
	// On is "value", "ratio", or another metric of the benchmark.
	On string
	// AtLeast selects ≥ Bound; otherwise the number must be ≤ Bound.
	AtLeast bool
	Bound   float64
	// Text is the goal as the table prints it.
	Text string
}

// met reports whether x satisfies g.
func (g goal) met(x float64) bool {
	if g.AtLeast {
		return x >= g.Bound
	}
	return x <= g.Bound
}

// figures are the table's rows, in order. The goals are the project's performance
// goals; keep them in step with the notes in BENCHMARKS.md.
var figures = slices.Concat([]figure{
	{
		Title: "Bridge: NATS JetStream → SNS", Bench: "BenchmarkBridge", Pkg: "internal/bridge",
		Unit: "events/s", Kind: rate, Baseline: "plain concurrent PublishBatch loop",
		Goals: []goal{{On: "ratio", AtLeast: true, Bound: 0.9, Text: "ratio ≥ 0.9"}},
		About: "Each iteration moves 5,000 events (~600 B, seven message attributes) from " +
			"HERALD_EVENTS to one fauxqs topic with one raw-delivery SQS subscription: time from `Run` " +
			"starting until all are acknowledged. Baseline: the same 5,000 messages sent by 16 goroutines " +
			"calling `PublishBatch` with 10 entries each (the bridge's concurrency and batch size) to the same " +
			"topic, in the same iteration: the fastest any relay could go against that endpoint.",
	},
	{
		Title: "Consumers: fetch + acknowledge", Bench: "BenchmarkFetchAck", Pkg: "functions/consumers",
		Unit: "msgs/s", Kind: rate, Baseline: "raw JetStream FetchNoWait + Ack",
		Goals:  []goal{{On: "ratio", AtLeast: true, Bound: 0.7, Text: "ratio ≥ 0.7"}},
		Extras: []string{"raw-acksync-msgs/s", "fetch-p50-ms", "fetch-p99-ms"},
		About: "2,000 events per iteration in batches of 100 through the ConsumersApi handler: " +
			"GET …/batch with claims, the permission re-check and 100 signed replies, then POST " +
			"/v1/acknowledge with VerifyAll and server-confirmed acks; only the time inside the handler " +
			"counts. Baseline: `FetchNoWait(100)` with fire-and-forget `Ack` over the same events. " +
			"`raw-acksync-msgs/s` is the same raw loop confirming each ack with `DoubleAck`, the " +
			"guarantee the handler's 200 gives.",
	},
	{
		Title: "Consumers: fetch + acknowledge, filtered", Bench: "BenchmarkFetchAck", Pkg: "functions/consumers",
		Unit: "filtered-msgs/s", Kind: rate, BaseBench: "BenchmarkFetchAck", BaseUnit: "base-msgs/s",
		Baseline: "raw JetStream FetchNoWait + Ack",
		Extras:   []string{"filtered-fetch-p50-ms"},
		About: "The same events and run, through a consumer whose filter " +
			"(`{\"data.metadata.title\": {\"prefix\": \"Final\"}}`) matches half of them: Herald " +
			"acknowledges and hides the other half, and each batch pulls on until it holds 100 matching " +
			"events. The rate counts every event the consumer got through, shown or hidden, in the " +
			"handler's time; baseline: the raw loop of the unfiltered figure, over the same events.",
	},
	{
		Title: "Inbox: list a page", Bench: "BenchmarkInbox/list", Pkg: "internal/inbox",
		Unit: "ms/call", Kind: millis, Baseline: "partition query with a filter",
		Goals:  []goal{{On: "items-read/call", Bound: 20, Text: "items read ≤ page (20)"}},
		Extras: []string{"items-read/call", "base-items-read/call"},
		About: "The default listing (a page of 20 unacknowledged, newest first) of a user with 10,000 " +
			"notifications of which 20 are unacknowledged, against dynalite. Baseline, called in the same " +
			"iterations: querying the user's partition with a filter on `acknowledged_at`, all the table's " +
			"key allows. The goal is that items read follow the page, not the history.",
	},
	{
		Title: "Inbox: count unacknowledged", Bench: "BenchmarkInbox/count", Pkg: "internal/inbox",
		Unit: "ms/call", Kind: millis, Baseline: "partition query with a filter",
		Goals:  []goal{{On: "items-read/call", Bound: 20, Text: "items read ≤ unacknowledged (20)"}},
		Extras: []string{"items-read/call", "base-items-read/call"},
		About:  "The unacknowledged count of the same user; baseline as for the list, counting.",
	},
	{
		Title: "Matcher, 1k triggers", Bench: "BenchmarkMatch/1k", Pkg: "internal/match",
		Unit: "events/s", Kind: rate, Baseline: "naive Reference matcher",
		Extras: []string{"ns/event", "matches/event", "build-s"},
		About: "Raw event JSON (~1 KB) to matched trigger ids (`Event.Parse` reused, `AppendMatch`) " +
			"over triggers of mixed shapes (exact, wildcard, prefix, regex, numeric, `$or`) made with a " +
			"fixed seed; events match a few each. Baseline: the naive `Reference` (every trigger evaluated " +
			"for every event) on the same events, for about a second. One core.",
	},
	{
		Title: "Matcher, 10k triggers", Bench: "BenchmarkMatch/10k", Pkg: "internal/match",
		Unit: "events/s", Kind: rate, Baseline: "naive Reference matcher",
		Extras: []string{"ns/event", "matches/event", "build-s"},
		About:  "As for 1k, with 10,000 triggers.",
	},
	{
		Title: "Matcher, 100k triggers", Bench: "BenchmarkMatch/100k", Pkg: "internal/match",
		Unit: "events/s", Kind: rate, Baseline: "naive Reference matcher",
		Goals: []goal{
			{On: "value", AtLeast: true, Bound: 200_000, Text: "≥ 200,000 events/s"},
			{On: "ratio", AtLeast: true, Bound: 100, Text: "ratio ≥ 100"},
		},
		Extras: []string{"ns/event", "matches/event", "build-s"},
		About:  "As for 1k, with 100,000 triggers.",
	},
	{
		Title: "Matcher scaling: time per event, 100k ÷ 1k triggers", Bench: "BenchmarkMatch/100k", Pkg: "internal/match",
		Unit: "ns/event", Kind: nanos, BaseBench: "BenchmarkMatch/1k", BaseUnit: "ns/event",
		Baseline: "the same at 1k triggers",
		Goals:    []goal{{On: "ratio", Bound: 1.5, Text: "ratio ≤ 1.5"}},
		About: "The indexed matcher's time per event at 100k triggers against 1k, both from the run " +
			"above: the cost must follow the triggers that could match, not all triggers.",
	},
},
	slices.Concat(
		matcherShape("projects", "Project-scoped",
			"triggers each scoped to one of 5,000 project path prefixes (`resource.path` prefix), a third with a `job.*`-style type wildcard, half with a `resource.type` wildcard (`itemsvc.*`), some with a `data.jobType` any-of or a `data.metadata.title` prefix."),
		matcherShape("wildcard", "Wildcards",
			"wildcard event types (`job.*`, `*`), `resource.type` wildcards and, as the one selective condition, a `resource.id` wildcard (`r123-*`)."),
		matcherShape("anyof", "Any-of lists",
			"any-of lists on every condition: three job types, two resource types, three user ids."),
		matcherShape("hotpath", "Hot path",
			"every trigger under one path prefix (`projects/hot/`), told apart by a `resource.id`."),
	),
	[]figure{
		{
			Title: "Matcher event parse, new Event", Bench: "BenchmarkParseEvent/new", Pkg: "internal/match",
			Unit: "events/s", Kind: rate, Baseline: "encoding/json Unmarshal into a map",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`match.ParseEvent` of a typical event (~1 KB) from the matcher's fixed-seed world: every " +
				"member at its dotted path, strings unescaped, numbers parsed. Baseline: `json.Unmarshal` of " +
				"the same bytes into a `map[string]any`, the generic way to reach any member. Blocks of 100 " +
				"calls of each alternate.",
		},
		{
			Title: "Matcher event parse, reused Event", Bench: "BenchmarkParseEvent/reused", Pkg: "internal/match",
			Unit: "events/s", Kind: rate, Baseline: "encoding/json Unmarshal into a map",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "As with a new Event, parsing into one `match.Event` reused for every event (`Event.Parse`), " +
				"as the Router does.",
		},
		{
			Title: "Webhook send, sequential", Bench: "BenchmarkSend/sequential", Pkg: "internal/webhook",
			Unit: "deliveries/s", Kind: rate, Baseline: "plain net/http POST",
			About: "`webhook.Send` (Standard Webhooks signing, the dial-time address guard, headers, " +
				"bounded response read) of a 1 KiB body to a local `httptest` receiver, with keep-alive. " +
				"Baseline: a plain `net/http` client POSTing the same body to the same receiver, one of each " +
				"per iteration.",
		},
		{
			Title: "Webhook send, parallel", Bench: "BenchmarkSend/parallel", Pkg: "internal/webhook",
			Unit: "deliveries/s", Kind: rate, Baseline: "plain net/http POST",
			About: "As sequential, with rounds of 64 deliveries from GOMAXPROCS goroutines, alternating " +
				"`Send` rounds and plain rounds.",
		},
		{
			Title: "Deliver: webhook deliveries", Bench: "BenchmarkDeliver", Pkg: "functions/deliver",
			Unit: "deliveries/s", Kind: rate, Baseline: "plain net/http loop, 10 at a time",
			Goals: []goal{{On: "ratio", AtLeast: true, Bound: 0.8, Text: "ratio ≥ 0.8"}},
			About: "200 tasks per iteration through the Deliver handler in batches of 10 run ten at a time " +
				"(as Handle does): reading the delivery record and the trigger, signing, the guarded send to a " +
				"local receiver, and logging the attempt, against dynalite. Baseline: a plain `net/http` loop " +
				"with the same concurrency posting the same bodies to the same receiver, in the same iteration.",
		},
		{
			Title: "JavaScript action, sequential", Bench: "BenchmarkRun", Pkg: "internal/script",
			Unit: "runs/s", Kind: rate, Baseline: "the same handle in Go",
			Extras: []string{"empty-runs/s", "allocs/run"},
			About: "`Script.Run` of a small `handle` that derives one event from a ~1 KiB event, each run on a " +
				"sandboxed runtime reused from the script's pool with a fresh global scope, as javascript actions run. Baseline: the same handle written in Go, " +
				"with `encoding/json` in and out, alternating with the script run by run. `empty-runs/s` is a " +
				"script returning at once, in the same iterations: the fixed cost of a runtime and of loading " +
				"the event.",
		},
		{
			Title: "JavaScript action, parallel", Bench: "BenchmarkRunParallel", Pkg: "internal/script",
			Unit: "runs/s", Kind: rate, Baseline: "the same handle in Go",
			Extras: []string{"empty-runs/s"},
			About: "As sequential, with rounds of 64 runs from GOMAXPROCS goroutines, rotating script, Go and " +
				"empty-script rounds.",
		},
		{
			Title: "Event decode + validate", Bench: "BenchmarkDecodeValidate", Pkg: "internal/event",
			Unit: "events/s", Kind: rate, Baseline: "encoding/json Unmarshal into a plain struct",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`event.Decode`, `Validate` and `Subject` of a typical event (~1 KB, unknown fields kept). " +
				"Baseline: `json.Unmarshal` of the same bytes into a struct with the envelope's fields and JSON " +
				"names but none of its methods, which neither validates nor keeps unknown fields. Blocks of 100 " +
				"calls of each alternate.",
		},
		{
			Title: "Event contract check", Bench: "BenchmarkCheck", Pkg: "internal/event/contract",
			Unit: "events/s", Kind: rate, Baseline: "Decode + Validate without the contract",
			Goals:  []goal{{On: "ratio", AtLeast: true, Bound: 0.4, Text: "ratio ≥ 0.4"}},
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "What the catalog's contracts add to accepting an event in EventsApi: `event.Decode`, " +
				"`Validate` and `contract.Check` of a typical `resource.ResourceUpdated` (~1 KB, its " +
				"`resource.before` and `resource.after` checked against the type's JSON Schema, compiled " +
				"before the timing starts). Baseline: `Decode` and `Validate` alone, what publishing did " +
				"before, alternating in blocks of 100. The goal keeps the check below one and a half times " +
				"the envelope's own cost; the JetStream publish that follows costs far more.",
		},
		{
			Title: "Event encode", Bench: "BenchmarkMarshalJSON", Pkg: "internal/event",
			Unit: "events/s", Kind: rate, Baseline: "json.Marshal of a plain struct",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`Event.MarshalJSON` of the typical event. Baseline: `json.Marshal` of the same fields in " +
				"the plain struct, alternating in blocks of 100.",
		},
		{
			Title: "Event subject parse", Bench: "BenchmarkParseSubject", Pkg: "internal/event",
			Unit: "subjects/s", Kind: rate, Baseline: "unchecked split with strings.Cut",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`event.ParseSubject` of a subject with an eight-segment path. Baseline: the same split " +
				"(`strings.Cut`, `strings.ReplaceAll`) with no checks; the ratio is the cost of validating the " +
				"event type and path.",
		},
		{
			Title: "Metrics of a Deliver batch", Bench: "BenchmarkDeliverBatch", Pkg: "internal/metrics",
			Unit: "batches/s", Kind: rate, Baseline: "ten slog JSON lines",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "Ten deliveries recorded (`DeliveriesSucceeded`, `DeliveryLatency`, three action types) and " +
				"one flush of EMF lines, as a Deliver invocation of a full batch writes them. Baseline: the ten " +
				"slog JSON lines of the same deliveries, which Deliver writes anyway; alternating in blocks of 100.",
		},
		{
			Title: "Reply sign", Bench: "BenchmarkSign", Pkg: "internal/reply",
			Unit: "replies/s", Kind: rate, Baseline: "crypto/hmac keyed per call",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`Keyring.Sign` of a v2 ack subject: a random salt and HMAC-SHA256 from a pooled keyed state. " +
				"Baseline: the same salt, text and encodings with a fresh `hmac.New(sha256.New, key)` per call, " +
				"alternating in blocks of 100.",
		},
		{
			Title: "Reply verify", Bench: "BenchmarkVerify", Pkg: "internal/reply",
			Unit: "replies/s", Kind: rate, Baseline: "crypto/hmac keyed per call + hmac.Equal",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`Keyring.Verify` of a good reply (field checks, strict base64, constant-time compare). " +
				"Baseline: base64-decoding the MAC, recomputing it with a fresh `crypto/hmac` state and " +
				"`hmac.Equal`, alternating in blocks of 100.",
		},
		{
			Title: "Reply VerifyAll, 1000 replies", Bench: "BenchmarkVerifyAll1000", Pkg: "internal/reply",
			Unit: "requests/s", Kind: rate, Baseline: "plain HMAC check of each reply",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`reply.VerifyAll` of an acknowledge request of 1,000 replies: each verified and its ack " +
				"subject parsed and checked against the stream and consumer. Baseline: the plain check of " +
				"Reply verify over the same 1,000 replies, alternating request by request.",
		},
		{
			Title: "Ack subject parse", Bench: "BenchmarkParseAckSubject", Pkg: "internal/reply",
			Unit: "subjects/s", Kind: rate, Baseline: "nats.go Msg.Metadata",
			Extras: []string{"allocs/call", "base-allocs/call"},
			About: "`reply.ParseAckSubject` of a v2 JetStream ack subject, stricter than nats.go. Baseline: " +
				"nats.go's own reading of the same subject, `Msg.Metadata`, alternating in blocks of 100.",
		},
		{
			Title: "lambdalocal cold start", Bench: "BenchmarkColdStart", Pkg: "devstack/lambdalocal",
			Unit: "start-ms", Kind: millis, Baseline: "the same binary started and exiting in its init",
			Extras: []string{"init-ms"},
			About: "`Function.Warm` on a fresh function running lambdalocal's test function: process start and " +
				"the aws-lambda-go runtime's init up to its first GET /next. Baseline, alternating with it: the " +
				"same binary started with `os/exec` and exiting in its init, what starting the process costs " +
				"with nothing of the Runtime API around it. `init-ms` is the part from process start to the " +
				"first GET /next.",
		},
		{
			Title: "lambdalocal warm invoke, sequential", Bench: "BenchmarkInvokeWarm", Pkg: "devstack/lambdalocal",
			Unit: "invocations/s", Kind: rate, Baseline: "plain HTTP POST to a local echo server",
			About: "One invocation of a small echo payload on a warm instance: the hand-over through GET " +
				"/next, the handler decoding and answering, the response POST and reading it. Baseline, " +
				"alternating call by call: one keep-alive `net/http` POST of the same payload to an in-process " +
				"server that decodes it and answers its data, as the handler does.",
		},
		{
			Title: "lambdalocal warm invoke, parallel", Bench: "BenchmarkInvokeWarmParallel", Pkg: "devstack/lambdalocal",
			Unit: "invocations/s", Kind: rate, Baseline: "plain HTTP POST to a local echo server",
			About: "As sequential, with four warm instances and rounds of 64 invocations from four goroutines, " +
				"alternating with rounds of plain POSTs over four connections.",
		},
		{
			Title: "End to end on herald-local, p50", Bench: "BenchmarkEndToEnd", Pkg: "test/e2e",
			Unit: "p50-ms", Kind: millis, Ratio: "p50-ratio", Baseline: "raw NATS → SNS → SQS → SQS → HTTP relay",
			About: "herald-local as `make run` starts it, a trigger with a webhook to a local receiver, and " +
				"events published one at a time with `POST /v1/events`, each timed until its webhook arrives " +
				"(EventsApi → NATS → bridge → SNS → route queue → Router → deliveries queue → Deliver → " +
				"receiver). Baseline, alternating with Herald's events: the same transports with nothing of " +
				"Herald between them — a JetStream publish on the stack's NATS, a plain loop relaying it to an " +
				"SNS topic on the stack's fauxqs, raw delivery to an SQS queue, a plain loop moving it to a " +
				"second queue, and one POSTing it to a receiver. The ratio is what Herald adds: the API and " +
				"authorizer, Lambda runtime hand-overs, matching, DynamoDB, signing.",
		},
		{
			Title: "End to end on herald-local, p99", Bench: "BenchmarkEndToEnd", Pkg: "test/e2e",
			Unit: "p99-ms", Kind: millis, Ratio: "p99-ratio", Baseline: "raw NATS → SNS → SQS → SQS → HTTP relay",
			About: "As p50.",
		},
		{
			Title: "Binary size, %s", Bench: "BenchmarkBinarySize/*", Pkg: "cmd/herald-local",
			Unit: "bytes", Kind: byteLen, Baseline: "minimal aws-lambda-go handler",
			Goals: []goal{{On: "value", Bound: 15e6, Text: "< 15 MB"}},
			About: "Each function built as `make build` builds it (linux/arm64, `CGO_ENABLED=0 -trimpath " +
				"-tags lambda.norpc -ldflags=\"-s -w\"`). Baseline: the smallest aws-lambda-go handler " +
				"(`cmd/benchreport/testdata/minimal`, `make build-bench-baseline`) built with the same flags " +
				"in the same run.",
		},
		{
			Title: "Cold start, %s", Bench: "BenchmarkColdStart/*", Pkg: "cmd/herald-local",
			Unit: "init-ms", Kind: millis, Baseline: "minimal aws-lambda-go handler",
			Goals:  []goal{{On: "value", Bound: 50, Text: "< 50 ms"}},
			Extras: []string{"first-answer-ms"},
			About: "Median init time, as Lambda reports Init Duration: from starting the function's binary " +
				"(built for this machine, as herald-local runs it) under `devstack/lambdalocal` to its first " +
				"request for an invocation, with the local stack's environment (NATS, dynalite, fauxqs) in the " +
				"same process. `first-answer-ms` adds the first invocation, a cheap sample event from " +
				"`events/`. Baseline: the minimal handler started the same way, with the same environment and " +
				"payload, in the same iteration. The local stack's own services run meanwhile, as they do " +
				"under `make run`.",
		},
	})

// row is a figure as measured.
type row struct {
	fig         figure
	title       string
	value, base float64
	ratio       float64
	res         Result
	missing     bool
}

// goalText is the row's goals as printed, or "—" without one.
func (r row) goalText() string {
	if len(r.fig.Goals) == 0 {
		return "—"
	}
	var s []string
	for _, g := range r.fig.Goals {
		s = append(s, g.Text)
	}
	return strings.Join(s, "; ")
}

// met is "yes", "no", or "—" when no goal is set or nothing was measured.
func (r row) met() string {
	if len(r.fig.Goals) == 0 || r.missing {
		return "—"
	}
	for _, g := range r.fig.Goals {
		x, ok := r.number(g.On)
		if !ok || !g.met(x) {
			return "no"
		}
	}
	return "yes"
}

// number returns the value, the ratio, or another metric of the row's benchmark.
func (r row) number(name string) (float64, bool) {
	switch name {
	case "value":
		return r.value, true
	case "ratio":
		return r.ratio, true
	}
	v, ok := r.res.Metrics[name]
	return v, ok
}

// rows measures every figure against out; families expand to one row per
// sub-benchmark, sorted by name. Figures with nothing in out are marked missing.
// Benchmarks are looked up by package and name, since two packages may have
// benchmarks of the same name.
func rows(out *Output) []row {
	var rs []row
	for _, f := range figures {
		if family, ok := strings.CutSuffix(f.Bench, "/*"); ok {
			var subs []string
			seen := map[string]bool{}
			for _, res := range out.Results {
				if shortPkg(res.Pkg) != f.Pkg {
					continue
				}
				if sub, ok := strings.CutPrefix(res.Name, family+"/"); ok && !seen[sub] {
					seen[sub] = true
					subs = append(subs, sub)
				}
			}
			sort.Strings(subs)
			if len(subs) == 0 {
				rs = append(rs, row{fig: f, title: fmt.Sprintf(f.Title, "every function"), missing: true})
			}
			for _, sub := range subs {
				g := f
				g.Bench = family + "/" + sub
				rs = append(rs, measure(g, out, fmt.Sprintf(f.Title, sub)))
			}
			continue
		}
		rs = append(rs, measure(f, out, f.Title))
	}
	return rs
}

// measure reads f's numbers from out.
func measure(f figure, out *Output, title string) row {
	r := row{fig: f, title: title}
	res, ok := out.FindIn(f.Pkg, f.Bench)
	if !ok {
		r.missing = true
		return r
	}
	r.res = res
	var hasValue, hasBase bool
	r.value, hasValue = res.Metrics[f.Unit]
	if f.BaseBench != "" {
		if b, ok := out.FindIn(f.Pkg, f.BaseBench); ok {
			r.base, hasBase = b.Metrics[f.BaseUnit]
		}
	} else {
		r.base, hasBase = res.Metrics["base-"+f.Unit]
	}
	if !hasValue || !hasBase {
		r.missing = true
		return r
	}
	ratioName := f.Ratio
	if ratioName == "" {
		ratioName = "ratio"
	}
	if v, ok := res.Metrics[ratioName]; ok && f.BaseBench == "" {
		r.ratio = v
	} else if r.base != 0 {
		r.ratio = r.value / r.base
	}
	return r
}

// unfigured returns the results of out that no figure reads, in order: benchmarks
// without a figure in figures, and so without a baseline in the table.
func unfigured(out *Output) []Result {
	type key struct{ pkg, name string }
	used := map[key]bool{}
	for _, r := range rows(out) {
		used[key{r.fig.Pkg, r.fig.Bench}] = true
		if r.fig.BaseBench != "" {
			used[key{r.fig.Pkg, r.fig.BaseBench}] = true
		}
	}
	var left []Result
	for _, res := range out.Results {
		if !used[key{shortPkg(res.Pkg), res.Name}] {
			left = append(left, res)
		}
	}
	return left
}

// matcherShape returns the figures of one shape of BenchmarkMatchShapes (key, as the
// benchmark names it): its time per event at 10k and at 100k triggers, each against
// 1k in the same run. what says how its triggers are made.
func matcherShape(key, title, what string) []figure {
	base := "BenchmarkMatchShapes/" + key + "-1k"
	return []figure{{
		Title: "Matcher shape: " + title + ", time per event, 10k ÷ 1k triggers", Bench: "BenchmarkMatchShapes/" + key + "-10k", Pkg: "internal/match",
		Unit: "ns/event", Kind: nanos, BaseBench: base, BaseUnit: "ns/event",
		Baseline: "the same shape at 1k triggers",
		Extras:   []string{"events/s", "candidates/event", "entries/event", "build-s", "heap-MB"},
		About:    "The shape below at 10k triggers against 1k, in the same run.",
	}, {
		Title: "Matcher shape: " + title + ", time per event, 100k ÷ 1k triggers", Bench: "BenchmarkMatchShapes/" + key + "-100k", Pkg: "internal/match",
		Unit: "ns/event", Kind: nanos, BaseBench: base, BaseUnit: "ns/event",
		Baseline: "the same shape at 1k triggers",
		Goals: []goal{
			{On: "ratio", Bound: 1.5, Text: "ratio ≤ 1.5"},
			{On: "events/s", AtLeast: true, Bound: 200_000, Text: "≥ 200,000 events/s"},
		},
		Extras: []string{"events/s", "candidates/event", "entries/event", "matches/event", "build-s", "heap-MB"},
		About: "Raw event JSON (~700 B) to matched trigger ids at 100k triggers against 1k, in the same run: " +
			what + " Events are drawn from what the triggers match (one in four from none in particular), so " +
			"they match one or two at every size; candidates are the triggers evaluated in full per event, " +
			"entries the index entries reached.",
	}}
}
