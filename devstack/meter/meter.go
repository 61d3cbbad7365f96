package meter

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"sync"
	"time"
)

// Chunk sizes in which services bill a request's payload.
const (
	// MessageChunk is SQS's and SNS's: each 64 KiB of payload is one request.
	MessageChunk = 64 << 10
	// APIChunk is API Gateway's HTTP APIs': each 512 KiB is one request.
	APIChunk = 512 << 10
)

// Meter keeps the counters. Its methods are safe for concurrent use.
type Meter struct {
	names map[string]string

	mu       sync.Mutex
	counters map[key]*Counter
}

// New returns a Meter that counts resources under the logical ids names gives for their
// physical names (table, queue and topic names); a name it lacks is counted as it is.
func New(names map[string]string) *Meter {
	return &Meter{names: names, counters: map[key]*Counter{}}
}

// logical returns the logical id of a physical resource name.
func (m *Meter) logical(name string) string {
	if id, ok := m.names[name]; ok {
		return id
	}
	return name
}

// add counts d under its service, resource and operation.
func (m *Meter) add(d Counter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counters[d.key()]
	if c == nil {
		c = &Counter{Service: d.Service, Resource: d.Resource, Operation: d.Operation}
		m.counters[d.key()] = c
	}
	c.add(d)
}

// Invocation counts one invocation of function, of memoryMB, that lasted d.
func (m *Meter) Invocation(function string, memoryMB int, d time.Duration) {
	m.add(Counter{
		Service: Lambda, Resource: function, Operation: "Invoke", Requests: 1,
		DurationMS: float64(d) / float64(time.Millisecond),
		BilledMS:   int64(math.Ceil(float64(d) / float64(time.Millisecond))),
		MemoryMB:   memoryMB,
	})
}

// APIRequest counts one HTTP API request to route ("POST /v1/events", or "" when no
// route matched) with bodies of the given sizes.
func (m *Meter) APIRequest(route string, requestBytes, responseBytes int64) {
	if route == "" {
		route = "(no route)"
	}
	m.add(Counter{
		Service: APIGateway, Resource: route, Operation: "Request", Requests: 1,
		Billed: chunks(max(requestBytes, responseBytes), APIChunk), Bytes: requestBytes + responseBytes,
	})
}

// FunctionURLRequest counts one request to function's Function URL.
func (m *Meter) FunctionURLRequest(function string, requestBytes, responseBytes int64) {
	m.add(Counter{Service: FunctionURL, Resource: function, Operation: "Request", Requests: 1, Bytes: requestBytes + responseBytes})
}

// LogWriter returns a writer that passes everything on to w and counts its bytes as
// function's logs.
func (m *Meter) LogWriter(function string, w io.Writer) io.Writer {
	return &logWriter{m: m, function: function, w: w}
}

type logWriter struct {
	m        *Meter
	function string
	w        io.Writer
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.m.add(Counter{Service: Logs, Resource: l.function, Operation: "Ingest", Bytes: int64(len(p))})
	return l.w.Write(p)
}

// Usage returns a snapshot of every counter.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	u := Usage{Taken: time.Now().UTC(), Counters: make([]Counter, 0, len(m.counters))}
	for _, c := range m.counters {
		u.Counters = append(u.Counters, *c)
	}
	m.mu.Unlock()
	sortCounters(u.Counters)
	return u
}

// Handler serves GET: the Usage as JSON.
func (m *Meter) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "only GET", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(m.Usage())
	})
}

// chunks is how many chunks of size n bytes take, at least one.
func chunks(n int64, size int64) int64 {
	return max(1, (n+size-1)/size)
}
