package meter

import (
	"cmp"
	"slices"
	"time"
)

// The services counters belong to.
const (
	APIGateway  = "apigateway" // HTTP API requests; Resource is the route
	FunctionURL = "lambda-url" // Function URL requests (billed as Lambda only); Resource is the function
	Lambda      = "lambda"     // invocations; Resource is the function
	SQS         = "sqs"        // Resource is the queue
	SNS         = "sns"        // Resource is the topic
	DynamoDB    = "dynamodb"   // Resource is the table
	Logs        = "logs"       // bytes logged; Resource is the function
)

// Counter sums one kind of call: a service's operation on one resource.
type Counter struct {
	Service   string `json:"service"`
	Resource  string `json:"resource"`  // a logical id, or a route for APIGateway
	Operation string `json:"operation"` // the API action; "Invoke", "Request" or "Ingest"
	Requests  int64  `json:"requests"`
	// Billed is the requests as the service bills them: one per 64 KiB chunk of payload
	// for SQS and SNS, per 512 KiB for API Gateway; zero for the others.
	Billed int64 `json:"billed,omitempty"`
	// Messages counts the SQS or SNS messages the calls carried: entries of a batch,
	// messages a receive returned.
	Messages int64 `json:"messages,omitempty"`
	// Empty counts the SQS receives that returned no message: what a poller makes
	// whether or not messages flow.
	Empty int64 `json:"empty,omitempty"`
	// ReadUnits and WriteUnits are DynamoDB's read and write request units.
	ReadUnits  float64 `json:"read_units,omitempty"`
	WriteUnits float64 `json:"write_units,omitempty"`
	// DurationMS is the invocations' measured duration; BilledMS the same, each
	// invocation rounded up to a whole millisecond, as Lambda bills it.
	DurationMS float64 `json:"duration_ms,omitempty"`
	BilledMS   int64   `json:"billed_ms,omitempty"`
	// MemoryMB is the function's memory size.
	MemoryMB int `json:"memory_mb,omitempty"`
	// Bytes is the payload carried: log bytes for Logs.
	Bytes int64 `json:"bytes,omitempty"`
}

// key identifies a counter.
type key struct{ service, resource, operation string }

func (c *Counter) key() key { return key{c.Service, c.Resource, c.Operation} }

// add adds d's sums to c.
func (c *Counter) add(d Counter) {
	c.Requests += d.Requests
	c.Billed += d.Billed
	c.Messages += d.Messages
	c.Empty += d.Empty
	c.ReadUnits += d.ReadUnits
	c.WriteUnits += d.WriteUnits
	c.DurationMS += d.DurationMS
	c.BilledMS += d.BilledMS
	c.Bytes += d.Bytes
	if d.MemoryMB != 0 {
		c.MemoryMB = d.MemoryMB
	}
}

// zero reports whether c counts nothing.
func (c Counter) zero() bool {
	return c.Requests == 0 && c.Billed == 0 && c.Messages == 0 && c.Empty == 0 && c.ReadUnits == 0 && c.WriteUnits == 0 &&
		c.DurationMS == 0 && c.BilledMS == 0 && c.Bytes == 0
}

// GBSeconds is the invocations' billed duration times the memory size, in GB-seconds
// (1 GB = 1024 MB, as Lambda counts).
func (c Counter) GBSeconds() float64 {
	return float64(c.BilledMS) / 1000 * float64(c.MemoryMB) / 1024
}

// Usage is a snapshot of every counter, as GET /local/usage answers it.
type Usage struct {
	// Taken is when the snapshot was taken.
	Taken time.Time `json:"taken"`
	// Counters are sorted by service, resource and operation.
	Counters []Counter `json:"counters"`
}

// Sub returns what u counts beyond before, an earlier snapshot of the same meter:
// counters that did not change are left out.
func (u Usage) Sub(before Usage) Usage {
	old := map[key]Counter{}
	for _, c := range before.Counters {
		old[c.key()] = c
	}
	out := Usage{Taken: u.Taken}
	for _, c := range u.Counters {
		b := old[c.key()]
		d := Counter{
			Service: c.Service, Resource: c.Resource, Operation: c.Operation,
			Requests: c.Requests - b.Requests, Billed: c.Billed - b.Billed, Messages: c.Messages - b.Messages, Empty: c.Empty - b.Empty,
			ReadUnits: c.ReadUnits - b.ReadUnits, WriteUnits: c.WriteUnits - b.WriteUnits,
			DurationMS: c.DurationMS - b.DurationMS, BilledMS: c.BilledMS - b.BilledMS,
			MemoryMB: c.MemoryMB, Bytes: c.Bytes - b.Bytes,
		}
		if !d.zero() {
			out.Counters = append(out.Counters, d)
		}
	}
	return out
}

// Sum adds up the counters of service, resource and operation; an empty resource or
// operation matches any. The sum's Service, Resource and Operation are the arguments.
func (u Usage) Sum(service, resource, operation string) Counter {
	sum := Counter{Service: service, Resource: resource, Operation: operation}
	for _, c := range u.Counters {
		if c.Service == service && (resource == "" || c.Resource == resource) && (operation == "" || c.Operation == operation) {
			sum.add(c)
		}
	}
	return sum
}

// sortCounters orders counters by service, resource and operation.
func sortCounters(cs []Counter) {
	slices.SortFunc(cs, func(a, b Counter) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Operation, b.Operation))
	})
}
