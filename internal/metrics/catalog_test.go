package metrics

import (
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/actionspec"
	"github.com/heraldhq/herald/internal/delivery"
)

// names are the exported metric names, each of which the catalog must define.
var names = []string{
	EventsPublished, EventsRelayed, BridgeLag, StreamFullness, MessagesDropped, EventsRouted, TriggersMatched,
	DeliveriesSucceeded, DeliveriesFailed, DeliveriesRetried, DeliveriesExhausted, DeliveryLatency,
	SyncVerdicts,
}

func TestCatalogDefinesEveryName(t *testing.T) {
	cat := Catalog()
	if len(cat) != len(names) {
		t.Errorf("the catalog has %d metrics, the package exports %d names", len(cat), len(names))
	}
	seen := map[string]bool{}
	for _, d := range cat {
		if seen[d.Name] {
			t.Errorf("%s defined twice", d.Name)
		}
		seen[d.Name] = true
		if _, ok := Lookup(d.Name); !ok {
			t.Errorf("Lookup(%s) finds nothing", d.Name)
		}
		if d.Unit != Count && d.Unit != Milliseconds && d.Unit != Percent {
			t.Errorf("%s: unit %q", d.Name, d.Unit)
		}
		if len(d.DimensionSets) == 0 || !slices.Equal(d.DimensionSets[0], []string{DimStack}) {
			t.Errorf("%s: first dimension set %v, want [Stack]", d.Name, d.DimensionSets)
		}
		for _, set := range d.DimensionSets[1:] {
			if len(set) != 2 || set[0] != DimStack || (set[1] != DimActionType && set[1] != DimVerdict) {
				t.Errorf("%s: dimension set %v", d.Name, set)
			}
		}
		if d.Function == "" || d.Statistic == "" || d.Description == "" {
			t.Errorf("%s: incomplete definition %+v", d.Name, d)
		}
	}
	for _, n := range names {
		if !seen[n] {
			t.Errorf("%s is not in the catalog", n)
		}
	}
	if _, ok := Lookup("Nothing"); ok {
		t.Error("Lookup finds a metric that does not exist")
	}
}

// TestCatalogIsACopy: a caller changing what Catalog returned changes nothing else.
func TestCatalogIsACopy(t *testing.T) {
	c := Catalog()
	c[0].Name = "changed"
	c[len(c)-1].DimensionSets[1][1] = "changed"
	again := Catalog()
	if again[0].Name == "changed" || again[len(again)-1].DimensionSets[1][1] == "changed" {
		t.Error("Catalog hands out its own definitions")
	}
}

// TestDimensionValuesMatchTheCode: the values the catalog documents are the ones the
// code uses.
func TestDimensionValuesMatchTheCode(t *testing.T) {
	if !slices.Equal(ActionTypes, actionspec.Types) {
		t.Errorf("ActionTypes %v, actionspec.Types %v", ActionTypes, actionspec.Types)
	}
	if VerdictApproved != delivery.StatusApproved || VerdictDenied != delivery.StatusDenied {
		t.Errorf("verdicts %q/%q, delivery statuses %q/%q", VerdictApproved, VerdictDenied, delivery.StatusApproved, delivery.StatusDenied)
	}
}
