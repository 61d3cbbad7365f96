package match_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/match"
)

// TestTestsAndRequiresPrefix checks what a filter says of the event type: whether it
// tests it, and whether it needs the type to begin with "system.". A filter said to need
// the prefix must match no event whose type lacks it, which the events below try; one
// said not to need it is tried on them too, to show the table exercises both answers.
func TestTestsAndRequiresPrefix(t *testing.T) {
	types := []string{"system.Announcement", "system.Other", "resource.ResourceCreated", "systemx.A", "SYSTEM.Announcement", "job.system"}
	tests := []struct {
		name, filter  string
		tests, prefix bool
	}{
		{"no filter", `{}`, false, false},
		{"another path only", `{"resource.type":"itemsvc.*"}`, false, false},
		{"an exact type", `{"event":"system.Announcement"}`, true, true},
		{"a wildcard within the domain", `{"event":"system.*"}`, true, true},
		{"a wildcard over the domain", `{"event":"sys*"}`, true, false},
		{"a wildcard of any domain", `{"event":"*.Announcement"}`, true, false},
		{"a literal star is still literal", `{"event":"system.\\*"}`, true, true},
		{"exact", `{"event":{"exact":"system.Announcement"}}`, true, true},
		{"prefix", `{"event":{"prefix":"system."}}`, true, true},
		{"prefix too short", `{"event":{"prefix":"system"}}`, true, false},
		{"wildcard operator", `{"event":{"wildcard":"system.A*"}}`, true, true},
		{"anchored regex", `{"event":{"regex":"^system\\.A"}}`, true, true},
		{"unanchored regex", `{"event":{"regex":"system\\."}}`, true, false},
		{"case-insensitive regex", `{"event":{"regex":"(?i)^system\\."}}`, true, false},
		{"ignore case", `{"event":{"equals-ignore-case":"system.Announcement"}}`, true, false},
		{"anything-but", `{"event":{"anything-but":"resource.ResourceCreated"}}`, true, false},
		{"suffix", `{"event":{"suffix":".Announcement"}}`, true, false},
		{"exists", `{"event":{"exists":true}}`, true, false},
		{"missing or system", `{"event":["system.Announcement",{"exists":false}]}`, true, false},
		{"all alternatives system", `{"event":["system.Announcement",{"prefix":"system.O"}]}`, true, true},
		{"one alternative elsewhere", `{"event":["system.Announcement","resource.ResourceCreated"]}`, true, false},
		{"every $or branch", `{"$or":[{"event":"system.Announcement"},{"event":"system.Other","data.x":1}]}`, true, true},
		{"one $or branch without it", `{"$or":[{"event":"system.Announcement"},{"data.x":1}]}`, false, false},
		{"one $or branch elsewhere", `{"$or":[{"event":"system.Announcement"},{"event":"job.system"}]}`, true, false},
		{"nested $or", `{"$or":[{"$or":[{"event":"system.A"},{"event":"system.B"}]},{"event":"system.C"}]}`, true, true},
		{"top level beside an $or", `{"event":"system.*","$or":[{"event":"job.*"},{"data.x":1}]}`, true, true},
		{"a member under event", `{"event.x":"system.A"}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := compile(t, tt.filter)
			if got := f.Tests("event"); got != tt.tests {
				t.Errorf("Tests(event) = %v, want %v", got, tt.tests)
			}
			got := f.RequiresPrefix("event", "system.")
			if got != tt.prefix {
				t.Errorf("RequiresPrefix(event, system.) = %v, want %v", got, tt.prefix)
			}
			if !got {
				return
			}
			for _, typ := range types {
				ev := parse(t, `{"event":"`+typ+`","data":{"x":1}}`)
				if f.Match(ev) && !strings.HasPrefix(typ, "system.") {
					t.Errorf("said to need system.*, yet matches %s", typ)
				}
			}
		})
	}
	var none *match.Filter
	if none.Tests("event") || none.RequiresPrefix("event", "") {
		t.Error("the nil filter tests nothing and requires nothing")
	}
}
