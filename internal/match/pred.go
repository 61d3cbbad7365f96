package match

import (
	"net/netip"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// op is what a predicate tests.
type op uint8

const (
	opEquals      op = iota // lit equals the value
	opWildcard              // wild matches a string
	opPrefix                // lit.s begins a string
	opSuffix                // lit.s ends a string
	opRegex                 // re matches a string
	opIgnoreCase            // lit.s equals a string under simple case folding
	opAnythingBut           // the value equals none of but
	opNumeric               // a number satisfies cmp
	opCIDR                  // a string is an address inside cidr
	opExists                // the path is present (lit is true) or absent (false)
)

// literal is a scalar in a filter.
type literal struct {
	kind kind // kString, kNumber, kTrue, kFalse or kNull
	s    string
	n    float64
}

// equal reports whether the value v, whose text is b, equals l.
func (l *literal) equal(v *value, b []byte) bool {
	switch l.kind {
	case kString:
		return v.kind == kString && string(b) == l.s
	case kNumber:
		return v.kind == kNumber && v.num == l.n
	}
	return v.kind == l.kind
}

// comparison is one half of a numeric condition.
type comparison struct {
	n  float64
	op string // <, <=, =, >, >=
}

func (c comparison) holds(x float64) bool {
	switch c.op {
	case "<":
		return x < c.n
	case "<=":
		return x <= c.n
	case "=":
		return x == c.n
	case ">":
		return x > c.n
	}
	return x >= c.n
}

// pred is one alternative of a condition, tested against one scalar value at a time
// (except opExists, which the condition handles itself). It is kept small, with what
// only some operators need behind ext, as a filter may hold many and a matcher many
// filters.
type pred struct {
	op  op
	lit literal // opEquals; the string of opPrefix, opSuffix, opIgnoreCase; opExists
	ext any     // *wildcard, *regexp.Regexp, []literal (anything-but), []comparison or netip.Prefix
}

// test reports whether the scalar v, whose text is b, satisfies p.
func (p *pred) test(v *value, b []byte) bool {
	switch p.op {
	case opEquals:
		return p.lit.equal(v, b)
	case opWildcard:
		return v.kind == kString && p.ext.(*wildcard).match(b)
	case opPrefix:
		return v.kind == kString && hasPrefix(b, p.lit.s)
	case opSuffix:
		return v.kind == kString && hasSuffix(b, p.lit.s)
	case opRegex:
		return v.kind == kString && p.ext.(*regexp.Regexp).Match(b)
	case opIgnoreCase:
		return v.kind == kString && equalFold(b, p.lit.s)
	case opAnythingBut:
		for _, l := range p.ext.([]literal) {
			if l.equal(v, b) {
				return false
			}
		}
		return true
	case opNumeric:
		if v.kind != kNumber {
			return false
		}
		for _, c := range p.ext.([]comparison) {
			if !c.holds(v.num) {
				return false
			}
		}
		return true
	case opCIDR:
		if v.kind != kString {
			return false
		}
		a, err := netip.ParseAddr(string(b))
		if err != nil {
			return false
		}
		prefix := p.ext.(netip.Prefix)
		if prefix.Addr().Is4() {
			a = a.Unmap()
		}
		return prefix.Contains(a)
	}
	return false
}

// equalFold is strings.EqualFold for a byte slice and a string: both are read as
// UTF-8 (an invalid byte as U+FFFD) and compared rune by rune under simple case
// folding.
func equalFold(b []byte, s string) bool {
	for len(b) > 0 && len(s) > 0 {
		var r, t rune
		if b[0] < utf8.RuneSelf {
			r, b = rune(b[0]), b[1:]
		} else {
			var n int
			r, n = utf8.DecodeRune(b)
			b = b[n:]
		}
		if s[0] < utf8.RuneSelf {
			t, s = rune(s[0]), s[1:]
		} else {
			var n int
			t, n = utf8.DecodeRuneInString(s)
			s = s[n:]
		}
		if r == t {
			continue
		}
		if t < r {
			r, t = t, r
		}
		// r < t: t must be in r's fold orbit, which SimpleFold walks upwards.
		if t < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' && t == r+'a'-'A' {
				continue
			}
			return false
		}
		f := unicode.SimpleFold(r)
		for f != r && f < t {
			f = unicode.SimpleFold(f)
		}
		if f != t {
			return false
		}
	}
	return len(b) == len(s)
}
