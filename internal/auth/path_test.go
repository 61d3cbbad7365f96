package auth

import (
	"slices"
	"strings"
	"testing"
)

func TestValidPath(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"projects", true},
		{"projects/p1", true},
		{"projects/p1/c/x", true},
		{"a-b_c~d:e/F9", true},
		{"", false},
		{"/projects", false},
		{"projects/", false},
		{"projects//p1", false},
		{"projects/p 1", false},
		{"projects/p.1", false},
		{"projects/../p2", false},
		{"projects/*", false},
		{"projects/ü", false},
		{"projects\\p1", false},
		{strings.Repeat("a", maxPathLen), true},
		{strings.Repeat("a", maxPathLen+1), false},
	}
	for _, tt := range tests {
		if got := validPath(tt.p); got != tt.want {
			t.Errorf("validPath(%.40q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestAncestors(t *testing.T) {
	tests := []struct {
		p    string
		want []string
	}{
		{"a", []string{"a"}},
		{"a/b/c", []string{"a/b/c", "a/b", "a"}},
		{"projects/p10", []string{"projects/p10", "projects"}},
	}
	for _, tt := range tests {
		if got := slices.Collect(ancestors(tt.p)); !slices.Equal(got, tt.want) {
			t.Errorf("ancestors(%q) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
