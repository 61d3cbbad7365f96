package contract_test

import (
	"os"
	"testing"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
	"github.com/heraldhq/herald/test/baseline"
)

// typical is the event benchmark's typical event: about 1 KB, of a catalog type, and
// meeting its contract.
var typical = func() []byte {
	b, err := os.ReadFile("../testdata/typical.json")
	if err != nil {
		panic(err)
	}
	return b
}()

// BenchmarkCheck measures what the contract adds to accepting an event: Decode,
// Validate and Check of a typical catalog event, against Decode and Validate alone,
// which is what EventsApi did before contracts.
func BenchmarkCheck(b *testing.B) {
	if n := len(typical); n < 900 || n > 1400 {
		b.Fatalf("typical event is %d bytes, want about 1 KB", n)
	}
	envelope := func() (*event.Event, error) {
		e, err := event.Decode(typical)
		if err != nil {
			return nil, err
		}
		return e, e.Validate()
	}
	checked := func() error {
		e, err := envelope()
		if err != nil {
			return err
		}
		return contract.Check(e)
	}
	plain := func() error {
		_, err := envelope()
		return err
	}
	baseline.Alternate(b, "events/s", 100, checked, plain)
}
