package metricsview

import (
	"bytes"
	"encoding/json"
)

// Datum is the values of one metric by one dimension set, from one EMF line.
type Datum struct {
	Namespace  string
	Metric     string
	Unit       string
	Dimensions map[string]string // the set's dimensions, with the line's values
	Values     []float64
}

// emf is the part of an EMF line that says what its members mean.
type emf struct {
	AWS *struct {
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	} `json:"_aws"`
}

// Parse reads line as CloudWatch Logs reads an EMF line, and returns its data and true;
// false when line is not an EMF line. A metric whose member is missing or not a number
// (or array of numbers), or a dimension set whose value is missing or not a string, is
// left out.
func Parse(line []byte) ([]Datum, bool) {
	line = bytes.TrimSpace(line)
	// Most lines are log lines: tell them apart without decoding them.
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"_aws"`)) {
		return nil, false
	}
	var head emf
	if json.Unmarshal(line, &head) != nil || head.AWS == nil || len(head.AWS.CloudWatchMetrics) == 0 {
		return nil, false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(line, &members) != nil {
		return nil, false
	}
	var out []Datum
	for _, d := range head.AWS.CloudWatchMetrics {
		for _, m := range d.Metrics {
			values, ok := numbers(members[m.Name])
			if !ok {
				continue
			}
			unit := m.Unit
			if unit == "" {
				unit = "None"
			}
			for _, set := range d.Dimensions {
				dims, ok := dimensionValues(members, set)
				if !ok {
					continue
				}
				out = append(out, Datum{Namespace: d.Namespace, Metric: m.Name, Unit: unit, Dimensions: dims, Values: values})
			}
		}
	}
	return out, true
}

// numbers reads a metric's member: a number or an array of numbers.
func numbers(raw json.RawMessage) ([]float64, bool) {
	if raw == nil {
		return nil, false
	}
	var one float64
	if json.Unmarshal(raw, &one) == nil {
		return []float64{one}, true
	}
	var many []float64
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 {
		return nil, false
	}
	return many, true
}

// dimensionValues returns the values of the dimensions of set, each a string member.
func dimensionValues(members map[string]json.RawMessage, set []string) (map[string]string, bool) {
	dims := make(map[string]string, len(set))
	for _, name := range set {
		var v string
		if json.Unmarshal(members[name], &v) != nil || v == "" {
			return nil, false
		}
		dims[name] = v
	}
	return dims, true
}
