package metrics

import (
	"cmp"
	"math"
	"slices"
	"sync"
)

// Dimension is a dimension besides Stack, with its value: it adds the dimension set
// [Stack, Name] to the metrics recorded with it.
type Dimension struct{ Name, Value string }

// ActionType is the ActionType dimension of a delivery metric.
func ActionType(t string) Dimension { return Dimension{DimActionType, t} }

// Verdict is the Verdict dimension of SyncVerdicts.
func Verdict(v string) Dimension { return Dimension{DimVerdict, v} }

// Recorder aggregates the metrics of one invocation (or one period of a daemon) until
// Flush writes them. It is safe for concurrent use; the zero value discards.
type Recorder struct {
	w      *Writer
	mu     sync.Mutex
	groups []group
}

// group is the metrics recorded with one dimension value (or with none): one EMF line,
// or more when a distribution holds more than MaxValues values.
type group struct {
	dim    Dimension // zero: Stack only
	series []series
}

// series is one metric's values in a group; a counter's single value is their sum.
type series struct {
	name   string
	unit   Unit
	kind   Kind
	values []float64
}

// Add records v for the metric name, by Stack and, when given, by Stack and dim (at
// most one). A counter adds v to its total; a distribution keeps v. A NaN or infinite
// value is dropped: JSON has no number for it.
func (r *Recorder) Add(name string, v float64, dim ...Dimension) {
	if len(dim) > 1 {
		panic("metrics: a metric takes at most one dimension besides Stack")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	var d Dimension
	if len(dim) == 1 {
		d = dim[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.group(d)
	for i := range g.series {
		if s := &g.series[i]; s.name == name {
			if s.kind == Counter {
				s.values[0] += v
			} else {
				s.values = append(s.values, v)
			}
			return
		}
	}
	unit, kind := None, Distribution
	if def, ok := definitions[name]; ok {
		unit, kind = def.Unit, def.Kind
	}
	g.series = append(g.series, series{name: name, unit: unit, kind: kind, values: []float64{v}})
}

// group returns the group of dimension d, made when missing. r.mu is held.
func (r *Recorder) group(d Dimension) *group {
	for i := range r.groups {
		if r.groups[i].dim == d {
			return &r.groups[i]
		}
	}
	r.groups = append(r.groups, group{dim: d})
	return &r.groups[len(r.groups)-1]
}

// Flush writes what was recorded since the last Flush as EMF lines, and empties the
// recorder for more. It writes nothing when nothing was recorded.
func (r *Recorder) Flush() {
	r.mu.Lock()
	groups := r.groups
	r.groups = nil
	r.mu.Unlock()
	if r.w == nil || len(groups) == 0 {
		return
	}
	ts := r.w.now().UnixMilli()
	// A fixed order, for readers and tests: Stack only first, then by dimension.
	slices.SortFunc(groups, func(a, b group) int {
		return cmp.Or(cmp.Compare(a.dim.Name, b.dim.Name), cmp.Compare(a.dim.Value, b.dim.Value))
	})
	var lines [][]byte
	for i := range groups {
		g := &groups[i]
		slices.SortFunc(g.series, func(a, b series) int { return cmp.Compare(a.name, b.name) })
		lines = appendLines(lines, ts, r.w.stack, g)
	}
	r.w.write(lines)
}
