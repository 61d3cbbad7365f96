package metrics

import (
	"strconv"
	"unicode/utf8"
)

// MaxValues is the most values one metric may have in one EMF line; a distribution
// with more is split over several lines.
const MaxValues = 100

// appendLines appends g's EMF lines to lines: one, or more when a distribution holds
// more than MaxValues values (each further line carries only the metrics with values
// left). ts is the lines' timestamp in Unix milliseconds.
func appendLines(lines [][]byte, ts int64, stack string, g *group) [][]byte {
	for part := 0; ; part++ {
		lo := part * MaxValues
		var in []*series
		for i := range g.series {
			if len(g.series[i].values) > lo {
				in = append(in, &g.series[i])
			}
		}
		if len(in) == 0 {
			return lines
		}
		lines = append(lines, encodeLine(ts, stack, g.dim, in, lo))
	}
}

// encodeLine returns one EMF line (newline-terminated) of the metrics in, with their
// values from index lo, at most MaxValues of each:
//
//	{"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":"Herald","Dimensions":[["Stack"],…],"Metrics":[{"Name":…,"Unit":…},…]}]},"Stack":…,…,"Name":value or [values],…}
//
// Hand-written rather than through encoding/json: the line's shape is fixed, and this
// runs at the end of every invocation of the hot functions.
func encodeLine(ts int64, stack string, dim Dimension, in []*series, lo int) []byte {
	b := make([]byte, 0, 256+64*len(in))
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, `,"CloudWatchMetrics":[{"Namespace":`...)
	b = appendString(b, Namespace)
	b = append(b, `,"Dimensions":[[`...)
	b = appendString(b, DimStack)
	if dim.Name != "" {
		b = append(b, `],[`...)
		b = appendString(b, DimStack)
		b = append(b, ',')
		b = appendString(b, dim.Name)
	}
	b = append(b, `]],"Metrics":[`...)
	for i, s := range in {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendString(b, s.name)
		b = append(b, `,"Unit":`...)
		b = appendString(b, string(s.unit))
		b = append(b, '}')
	}
	b = append(b, `]}]},`...)
	b = appendString(b, DimStack)
	b = append(b, ':')
	b = appendString(b, stack)
	if dim.Name != "" {
		b = append(b, ',')
		b = appendString(b, dim.Name)
		b = append(b, ':')
		b = appendString(b, dim.Value)
	}
	for _, s := range in {
		b = append(b, ',')
		b = appendString(b, s.name)
		b = append(b, ':')
		vals := s.values[lo:min(len(s.values), lo+MaxValues)]
		if len(vals) == 1 {
			b = appendNumber(b, vals[0])
			continue
		}
		b = append(b, '[')
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendNumber(b, v)
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}

// appendNumber appends v as a JSON number, in its shortest exact form.
func appendNumber(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendString appends s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
