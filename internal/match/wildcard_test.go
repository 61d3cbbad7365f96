package match

import (
	"slices"
	"testing"
)

func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern string
		segs    []string
		stars   int
		match   []string
		nomatch []string
	}{
		{"abc", []string{"abc"}, 0, []string{"abc"}, []string{"ab", "abcd", ""}},
		{"*", []string{"", ""}, 1, []string{"", "x", "**"}, nil},
		{"a**b", []string{"a", "b"}, 2, []string{"ab", "axxb"}, []string{"a", "ba"}},
		{`a\*b`, []string{"a*b"}, 0, []string{"a*b"}, []string{"axb", `a\*b`}},
		{`a\\*`, []string{`a\`, ""}, 1, []string{`a\`, `a\bc`}, []string{"a"}},
		{`a\b\`, []string{`a\b\`}, 0, []string{`a\b\`}, nil},
		{`*.*`, []string{"", ".", ""}, 2, []string{".", "a.b", "a.b.c"}, []string{"ab"}},
		{`job.Job*`, []string{"job.Job", ""}, 1, []string{"job.Job", "job.JobFinished"}, []string{"job.Jo", "xjob.Job"}},
		{`*aa*aa*`, []string{"", "aa", "aa", ""}, 3, []string{"aaaa", "xaaxaax"}, []string{"aaa"}},
	}
	for _, tt := range tests {
		w, stars := parseWildcard(tt.pattern)
		if !slices.Equal(w.segs, tt.segs) || stars != tt.stars {
			t.Errorf("parseWildcard(%q) = %q, %d; want %q, %d", tt.pattern, w.segs, stars, tt.segs, tt.stars)
		}
		for _, s := range tt.match {
			if !w.match([]byte(s)) {
				t.Errorf("%q does not match %q", tt.pattern, s)
			}
		}
		for _, s := range tt.nomatch {
			if w.match([]byte(s)) {
				t.Errorf("%q matches %q", tt.pattern, s)
			}
		}
	}
}
