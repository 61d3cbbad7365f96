package consumer

import (
	"strings"
	"testing"
)

// overlap reports whether some concrete subject matches both subject filters a and b:
// token by token, "*" matches any one token and a trailing ">" one or more.
func overlap(a, b string) bool {
	x, y := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(x) && i < len(y); i++ {
		switch {
		case x[i] == ">" || y[i] == ">":
			// Each side still has a token here, and ">" takes it and all the rest.
			return true
		case x[i] == "*" || y[i] == "*" || x[i] == y[i]:
			continue
		default:
			return false
		}
	}
	return len(x) == len(y)
}

// matches reports whether the concrete subject matches the filter.
func matches(filter, subject string) bool { return overlap(filter, subject) }

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.b", "a.b.c", false},
		{"a.*", "a.b", true},
		{"a.*", "*.b", true},
		{"a.*", "b.*", false},
		{"a.*", "a.b.c", false},
		{"a.>", "a", false},
		{"a.>", "a.b", true},
		{"a.>", "a.b.c", true},
		{"a.>", "a.*.c.>", true},
		{"a.>", "b.>", false},
		{">", "x", true},
		{"a.b._", "a.b.>", true},
		{"a.b._", "a.>", true},
		{"a.b._", "a._", false},
		{"a._", "a._._", false},
		{"a._.>", "a._", false},
		{"a._.>", "a.>", true},
		{"*.*.p1.>", "d.N.p10._", false},
		{"*.*.p1.>", "d.N.p1._", true},
		{"d.*.p1._", "*.N.p1._", true},
	}
	for _, tt := range tests {
		if got := overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("overlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := overlap(tt.b, tt.a); got != tt.want {
			t.Errorf("overlap(%q, %q) = %v, want %v (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}
