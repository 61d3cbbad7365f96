package match

import "encoding/json"

// Explanation says why a filter matches an event or not, shaped for a dry-run answer:
//
//	{"matched": false, "explain": [{"field": "data.jobType", "path": "data.jobType",
//	  "operator": "equals", "operand": "PROXY", "found": ["TRANSCODE"], "matched": false}]}
type Explanation struct {
	Matched bool   `json:"matched"`
	Steps   []Step `json:"explain"`
}

// Step is one condition of a filter and how it fared. Conditions come in the order of
// their keys in each filter object, those of an "$or" after the "$or" itself, and
// every condition is evaluated even after one has failed.
type Step struct {
	// Field is the condition's place in the filter: "data.jobType", "$or[1].event", or
	// "$or" for the "$or" itself.
	Field string `json:"field"`
	// Path is the event path the condition tests; empty for an "$or".
	Path string `json:"path,omitempty"`
	// Operator is "equals" (a bare string without wildcards, number, boolean or null),
	// "any-of" (an array), "$or", or the operator or "wildcard" of the condition.
	Operator string `json:"operator"`
	// Operand is the condition's value as written in the filter; empty for an "$or".
	Operand json.RawMessage `json:"operand,omitempty"`
	// Found is what the event holds at Path: its values, with arrays replaced by
	// their elements (an empty array stays "[]"). It is null when the path is missing.
	Found []json.RawMessage `json:"found"`
	// Matched reports whether the condition holds.
	Matched bool `json:"matched"`
}

// Explain evaluates f on ev like Match, and reports every condition.
func (f *Filter) Explain(ev *Event) Explanation {
	steps := []Step{}
	if f == nil {
		return Explanation{Matched: true, Steps: steps}
	}
	ok := f.root.explain(ev, &steps)
	return Explanation{Matched: ok, Steps: steps}
}

func (n *node) explain(ev *Event, steps *[]Step) bool {
	ok := true
	for i := range n.conds {
		c := &n.conds[i]
		h := ev.find(c.path, c.hash)
		m := c.matchAt(ev, h)
		*steps = append(*steps, Step{
			Field:    c.field,
			Path:     c.path,
			Operator: c.operator,
			Operand:  c.operand,
			Found:    ev.found(h),
			Matched:  m,
		})
		ok = ok && m
	}
	for i := range n.ors {
		o := &n.ors[i]
		at := len(*steps)
		*steps = append(*steps, Step{Field: o.field, Operator: "$or"})
		hit := false
		for _, b := range o.branches {
			if b.explain(ev, steps) {
				hit = true
			}
		}
		(*steps)[at].Matched = hit
		ok = ok && hit
	}
	return ok
}
