package stacktest

import (
	"sort"
	"testing"
)

// CheckCovers fails t unless covered holds exactly want's keys: a suite that misses one
// of the template's routes (or queue consumers), or names one the template lacks, is
// out of date.
func CheckCovers(t testing.TB, suite string, want []string, covered map[string]bool) {
	t.Helper()
	var missing, extra []string
	wanted := map[string]bool{}
	for _, w := range want {
		wanted[w] = true
		if !covered[w] {
			missing = append(missing, w)
		}
	}
	for c := range covered {
		if !wanted[c] {
			extra = append(extra, c)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("the %s suite does not cover template.yaml:\n  not covered: %v\n  not in the template: %v", suite, missing, extra)
	}
}
