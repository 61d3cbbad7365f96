package inbox

import (
	"slices"
	"testing"
)

// TestMarks: positions added in any order make ascending, joined ranges, written and
// read back alike; above forgets what a floor settles.
func TestMarks(t *testing.T) {
	tests := []struct {
		name  string
		add   []uint64
		want  string
		floor uint64
		above string
	}{
		{name: "none", want: "", above: ""},
		{name: "one", add: []uint64{7}, want: "7", above: "7"},
		{name: "a run", add: []uint64{3, 4, 5}, want: "3-5", above: "3-5"},
		{name: "out of order, joined", add: []uint64{5, 3, 4, 9, 8, 1}, want: "1,3-5,8-9", floor: 3, above: "4-5,8-9"},
		{name: "a gap filled", add: []uint64{1, 3, 2}, want: "1-3", floor: 1, above: "2-3"},
		{name: "repeats", add: []uint64{4, 4, 5, 4}, want: "4-5", floor: 5, above: ""},
		{name: "floor between ranges", add: []uint64{1, 2, 10}, want: "1-2,10", floor: 5, above: "10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m marks
			for _, x := range tt.add {
				m.add(x)
			}
			if got := m.String(); got != tt.want {
				t.Fatalf("marks %q, want %q", got, tt.want)
			}
			if back := parseMarks(m.String()); !slices.Equal(back, m) {
				t.Errorf("%q reads back as %v, want %v", m.String(), back, m)
			}
			for _, x := range tt.add {
				if !m.has(x) {
					t.Errorf("%q has not %d", tt.want, x)
				}
			}
			for _, x := range []uint64{0, 2, 6, 11} {
				if m.has(x) != slices.Contains(tt.add, x) {
					t.Errorf("%q has %d: %v", tt.want, x, m.has(x))
				}
			}
			if got := m.above(tt.floor).String(); got != tt.above {
				t.Errorf("above %d: %q, want %q", tt.floor, got, tt.above)
			}
		})
	}
}

// TestMarksBounded: a memory of more ranges than maxSpans keeps the highest.
func TestMarksBounded(t *testing.T) {
	var m marks
	for i := range uint64(maxSpans + 10) {
		m.add(2 * (i + 1)) // never adjacent: a range each
	}
	kept := m.above(0)
	if len(kept) != maxSpans || kept[0].lo != 2*11 || kept[len(kept)-1].lo != 2*(maxSpans+10) {
		t.Fatalf("kept %d ranges from %d to %d, want the highest %d", len(kept), kept[0].lo, kept[len(kept)-1].lo, maxSpans)
	}
}

// TestParseMarksRefusesOthers: text that String would not write reads as no marks.
func TestParseMarksRefusesOthers(t *testing.T) {
	for _, s := range []string{"x", "1-", "5-3", "3,2", "1-3,3", "1-3,4", "1,,2", "-1"} {
		if m := parseMarks(s); m != nil {
			t.Errorf("parseMarks(%q) = %v, want none", s, m)
		}
	}
}
