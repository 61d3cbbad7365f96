package inbox

import (
	"slices"
	"strconv"
	"strings"
)

// marks is a set of positions (stream sequences), kept as ascending, disjoint and
// non-adjacent ranges: the happenings a tally has counted, so that none counts twice.
// The positions one tally counts mostly run together (one consumer's drops in a flood),
// so a few ranges hold thousands of them.
type marks []span

// span is the positions lo to hi, both included.
type span struct{ lo, hi uint64 }

// maxSpans bounds the ranges a tally remembers, and so its item's size (about 15 bytes a
// range, far within DynamoDB's 400 KB). Past it the lowest are forgotten: those whose
// source has most likely long acknowledged them.
const maxSpans = 2048

// parseMarks reads what String wrote. Anything else reads as no marks: a tally whose
// memory is unreadable goes on counting rather than failing every addition.
func parseMarks(s string) marks {
	var m marks
	if s == "" {
		return nil
	}
	for part := range strings.SplitSeq(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		lo, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return nil
		}
		hi := lo
		if isRange {
			if hi, err = strconv.ParseUint(b, 10, 64); err != nil || hi < lo {
				return nil
			}
		}
		if n := len(m); n > 0 && lo <= m[n-1].hi+1 {
			return nil // not ascending and disjoint: not String's
		}
		m = append(m, span{lo, hi})
	}
	return m
}

// String writes m as "lo-hi" and "x" ranges, comma-separated.
func (m marks) String() string {
	var b strings.Builder
	for i, s := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(s.lo, 10))
		if s.hi != s.lo {
			b.WriteByte('-')
			b.WriteString(strconv.FormatUint(s.hi, 10))
		}
	}
	return b.String()
}

// find returns the index of the first range that ends at or after x.
func (m marks) find(x uint64) int {
	i, _ := slices.BinarySearchFunc(m, x, func(s span, x uint64) int {
		if s.hi < x {
			return -1
		}
		return 1
	})
	return i
}

// has reports whether x is in m.
func (m marks) has(x uint64) bool {
	i := m.find(x)
	return i < len(m) && m[i].lo <= x
}

// add puts x in m, joining the ranges it touches.
func (m *marks) add(x uint64) {
	s := *m
	i := s.find(x)
	if i < len(s) && s[i].lo <= x {
		return
	}
	joinsLeft := i > 0 && s[i-1].hi+1 == x
	joinsRight := i < len(s) && x+1 == s[i].lo
	switch {
	case joinsLeft && joinsRight:
		s[i-1].hi = s[i].hi
		s = slices.Delete(s, i, i+1)
	case joinsLeft:
		s[i-1].hi = x
	case joinsRight:
		s[i].lo = x
	default:
		s = slices.Insert(s, i, span{x, x})
	}
	*m = s
}

// above returns m without the positions at or below floor, and at most maxSpans of the
// highest ranges.
func (m marks) above(floor uint64) marks {
	i := m.find(floor + 1)
	out := slices.Clone(m[i:])
	if len(out) > 0 && out[0].lo <= floor {
		out[0].lo = floor + 1
	}
	if len(out) > maxSpans {
		out = out[len(out)-maxSpans:]
	}
	return out
}
