package match

import (
	"bytes"
	"strings"
)

// wildcard is a compiled OMAPI wildcard pattern: the literal runs between its stars.
// A pattern without stars has one segment and matches only itself. Consecutive stars
// are merged, as they match the same strings as one.
type wildcard struct {
	segs []string
	mids [][]byte // segs[1:len(segs)-1], for bytes.Index
}

// parseWildcard compiles p, in which "*" matches any run of characters, `\*` is a
// literal star and `\\` a literal backslash; any other backslash stands for itself.
// stars is the number of unescaped stars as written, for the complexity limit.
func parseWildcard(p string) (w wildcard, stars int) {
	if !strings.ContainsAny(p, `*\`) {
		return wildcard{segs: []string{p}}, 0
	}
	var cur strings.Builder
	lastStar := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\'):
			i++
			cur.WriteByte(p[i])
			lastStar = false
		case c == '*':
			stars++
			if !lastStar {
				w.segs = append(w.segs, cur.String())
				cur.Reset()
			}
			lastStar = true
		default:
			cur.WriteByte(c)
			lastStar = false
		}
	}
	w.segs = append(w.segs, cur.String())
	for i := 1; i < len(w.segs)-1; i++ {
		w.mids = append(w.mids, []byte(w.segs[i]))
	}
	return w, stars
}

// literal reports whether the pattern has no wildcard, and so matches only segs[0].
func (w *wildcard) literal() bool { return len(w.segs) == 1 }

// match reports whether s matches the pattern. The first and last segments are
// anchored; the ones between are found leftmost-first, which is enough because a star
// can absorb whatever a later occurrence would have skipped. Time is linear in
// len(s) times the number of segments.
func (w *wildcard) match(s []byte) bool {
	segs := w.segs
	if len(segs) == 1 {
		return string(s) == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !hasPrefix(s, first) || !hasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range w.mids {
		k := bytes.Index(s, seg)
		if k < 0 {
			return false
		}
		s = s[k+len(seg):]
	}
	return true
}

func hasPrefix(s []byte, prefix string) bool {
	return len(s) >= len(prefix) && string(s[:len(prefix)]) == prefix
}

func hasSuffix(s []byte, suffix string) bool {
	return len(s) >= len(suffix) && string(s[len(s)-len(suffix):]) == suffix
}
