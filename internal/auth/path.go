package auth

import (
	"iter"
	"strings"
)

// maxPathLen bounds a resource path so that a grant cannot be used to smuggle
// arbitrary amounts of data through the authorizer context.
const maxPathLen = 1024

// validPath reports whether p is a resource path: one or more "/"-separated segments,
// each made of ASCII letters, digits and "_", "~", ":", "-". Empty segments (a leading,
// trailing or doubled "/") are not allowed, so every path has one spelling and a grant
// cannot be widened or narrowed by writing it differently.
func validPath(p string) bool {
	if p == "" || len(p) > maxPathLen {
		return false
	}
	segLen := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '/':
			if segLen == 0 {
				return false
			}
			segLen = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '_', c == '~', c == ':', c == '-':
		default:
			return false
		}
		segLen++
	}
	return segLen > 0
}

// ancestors yields p and then each of its ancestor paths, nearest first: "a/b/c",
// "a/b", "a". Cutting only at "/" is what makes coverage segment-wise: "projects/p10"
// has no ancestor "projects/p1".
func ancestors(p string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			if !yield(p) {
				return
			}
			i := strings.LastIndexByte(p, '/')
			if i <= 0 {
				return
			}
			p = p[:i]
		}
	}
}
