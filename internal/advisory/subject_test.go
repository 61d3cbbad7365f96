package advisory

import "testing"

func TestSubjectMatches(t *testing.T) {
	tests := []struct {
		pattern, subject string
		want             bool
	}{
		{"herald.events.a.b", "herald.events.a.b", true},
		{"herald.events.a.b", "herald.events.a.c", false},
		{"herald.events.*.b", "herald.events.x.b", true},
		{"herald.events.*.b", "herald.events.x.y.b", false},
		{"herald.events.>", "herald.events.a", true},
		{"herald.events.>", "herald.events.a.b.c", true},
		{"herald.events.>", "herald.events", false},
		{"herald.events.a", "herald.events.a.b", false},
		{"herald.events.a.b", "herald.events.a", false},
		{"herald.*", "other.x", false},
	}
	for _, tt := range tests {
		if got := subjectMatches(tt.pattern, tt.subject); got != tt.want {
			t.Errorf("subjectMatches(%q, %q) = %t, want %t", tt.pattern, tt.subject, got, tt.want)
		}
	}
}
