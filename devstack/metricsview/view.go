package metricsview

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Keep is how many of a series' latest values its percentiles are computed from.
const Keep = 10_000

// View keeps running totals of the metrics of the EMF lines it is given. It is safe for
// concurrent use.
type View struct {
	mu     sync.Mutex
	lines  int
	series map[string]*series // by seriesKey
}

// New returns an empty View.
func New() *View { return &View{series: map[string]*series{}} }

// series is the running totals of one metric by one dimension set.
type series struct {
	Series
	recent []float64 // the latest values, at most Keep, as a ring
	next   int       // where the ring's next value goes once full
}

// Series is one metric by one dimension set, with the dimension values of its lines.
type Series struct {
	Namespace  string            `json:"namespace"`
	Metric     string            `json:"metric"`
	Unit       string            `json:"unit"`
	Dimensions map[string]string `json:"dimensions"`
	Samples    int               `json:"samples"` // values received
	Sum        float64           `json:"sum"`
	Min        float64           `json:"min"`
	Max        float64           `json:"max"`
	P50        float64           `json:"p50"` // of the latest Keep values
	P99        float64           `json:"p99"`
}

// Snapshot is the View at one moment: the page herald-local serves.
type Snapshot struct {
	// Lines is how many EMF lines were read.
	Lines int `json:"lines"`
	// Metrics holds every series, by metric name, then by fewer dimensions, then by
	// their values.
	Metrics []Series `json:"metrics"`
}

// Line reads one line of a function's output, and adds its values when it is an EMF
// line; it reports whether it was one.
func (v *View) Line(line []byte) bool {
	data, ok := Parse(line)
	if !ok {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lines++
	for _, d := range data {
		key := seriesKey(d.Namespace, d.Metric, d.Dimensions)
		s := v.series[key]
		if s == nil {
			s = &series{Series: Series{Namespace: d.Namespace, Metric: d.Metric, Unit: d.Unit, Dimensions: d.Dimensions, Min: math.Inf(1), Max: math.Inf(-1)}}
			v.series[key] = s
		}
		for _, x := range d.Values {
			s.add(x)
		}
	}
	return true
}

// seriesKey names a series by its namespace, metric and dimension values.
func seriesKey(namespace, metric string, dims map[string]string) string {
	var b strings.Builder
	b.WriteString(namespace + "\x00" + metric)
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		b.WriteString("\x00" + k + "=" + dims[k])
	}
	return b.String()
}

func (s *series) add(x float64) {
	s.Samples++
	s.Sum += x
	s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	if len(s.recent) < Keep {
		s.recent = append(s.recent, x)
		return
	}
	s.recent[s.next] = x
	s.next = (s.next + 1) % Keep
}

// Snapshot returns the totals so far.
func (v *View) Snapshot() Snapshot {
	v.mu.Lock()
	defer v.mu.Unlock()
	snap := Snapshot{Lines: v.lines, Metrics: make([]Series, 0, len(v.series))}
	for _, s := range v.series {
		out := s.Series
		out.Dimensions = maps.Clone(s.Dimensions)
		sorted := slices.Sorted(slices.Values(s.recent))
		out.P50, out.P99 = percentile(sorted, 0.50), percentile(sorted, 0.99)
		snap.Metrics = append(snap.Metrics, out)
	}
	slices.SortFunc(snap.Metrics, func(a, b Series) int {
		return cmp.Or(cmp.Compare(a.Metric, b.Metric), cmp.Compare(len(a.Dimensions), len(b.Dimensions)),
			cmp.Compare(seriesKey(a.Namespace, "", a.Dimensions), seriesKey(b.Namespace, "", b.Dimensions)))
	})
	return snap
}

// percentile returns the nearest-rank p-th percentile of sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

// Find returns the series of metric whose dimensions are exactly dims.
func (s Snapshot) Find(metric string, dims map[string]string) (Series, bool) {
	for _, m := range s.Metrics {
		if m.Metric == metric && maps.Equal(m.Dimensions, dims) {
			return m, true
		}
	}
	return Series{}, false
}

// ServeHTTP answers GET with the Snapshot as JSON.
func (v *View) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v.Snapshot())
}
