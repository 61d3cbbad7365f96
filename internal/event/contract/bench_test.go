package contract_test

import (
	"testing"

	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/event/contract"
	"github.com/heraldhq/herald/test/baseline"
)

// typical is an event of about 1 KB of a catalog type, shaped like what resource
// services publish; it meets its contract.
var typical = []byte(`{
  "event": "resource.ResourceUpdated",
  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
  "timestamp": "2026-11-22T18:00:00.123Z",
  "requestId": "abe50236-cf30-435f-b7fc-c05cb8f0f320",
  "user": {"id": "00b82755-b5e6-4c8b-a4cf-66bb4f697f17"},
  "resource": {
    "type": "omapisvc.APIConfig",
    "id": "cfg-1",
    "path": "projects/p1/configs/cfg-1",
    "namespaces": ["X", "media"],
    "before": {"name": "old name", "description": "The configuration used by the ingest pipeline", "version": 3},
    "after": {"name": "new name", "description": "The configuration used by the ingest and transcode pipelines", "version": 4}
  },
  "recipients": ["00b82755-b5e6-4c8b-a4cf-66bb4f697f17", "5a0c2e8a-4f1b-4c8e-9d3a-1b2c3d4e5f60"],
  "notification": {"variant": "EVENT", "message": "Configuration cfg-1 was renamed", "refs": [{"type": "RESOURCE", "name": "config", "value": "projects/p1/configs/cfg-1"}]},
  "data": {"jobType": "TRANSCODE", "metadata": {"title": "Evening news", "duration": 1800, "tags": ["news", "evening", "live"]}},
  "source": "omapisvc",
  "_id": "pub-000123"
}`)

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
