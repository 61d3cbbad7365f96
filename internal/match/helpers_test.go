package match_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
	"github.com/heraldhq/herald/internal/match"
)

// compile compiles a filter that the test expects to be valid.
func compile(t testing.TB, filter string) *match.Filter {
	t.Helper()
	f, err := match.Compile(json.RawMessage(filter))
	if err != nil {
		t.Fatalf("Compile(%s): %v", filter, err)
	}
	return f
}

// parse parses an event that the test expects to be valid.
func parse(t testing.TB, event string) *match.Event {
	t.Helper()
	ev, err := match.ParseEvent([]byte(event))
	if err != nil {
		t.Fatalf("ParseEvent(%s): %v", event, err)
	}
	return ev
}

// readEvent returns the event in testdata/events/<name>.json.
func readEvent(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// faultOf returns err as a *fault.Error, failing the test when it is not one.
func faultOf(t testing.TB, err error) *fault.Error {
	t.Helper()
	var fe *fault.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *fault.Error", err, err)
	}
	return fe
}

// sorted returns ids sorted, nil when empty, for comparing matches.
func sorted(ids []string) []string {
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// sameIDs reports whether a and b hold the same ids, each once.
func sameIDs(a, b []string) bool {
	return slices.Equal(sorted(a), sorted(b)) && !hasDuplicate(a)
}

func hasDuplicate(ids []string) bool {
	s := sorted(ids)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

// short abbreviates long test input for names and messages.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
