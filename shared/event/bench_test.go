package event_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/shared/event"
)

// typical is an event of about 1 KB, shaped like what resource services publish.
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
  "notification": {"variant": "PERMISSION_GRANTED", "message": "Configuration cfg-1 was renamed", "refs": [{"type": "RESOURCE", "name": "config", "value": "projects/p1/configs/cfg-1"}]},
  "data": {"jobType": "TRANSCODE", "metadata": {"title": "Evening news", "duration": 1800, "tags": ["news", "evening", "live"]}},
  "source": "omapisvc",
  "_id": "pub-000123"
}`)

func BenchmarkDecodeValidate(b *testing.B) {
	if n := len(typical); n < 900 || n > 1400 {
		b.Fatalf("typical event is %d bytes, want about 1 KB", n)
	}
	b.SetBytes(int64(len(typical)))
	b.ReportAllocs()
	for b.Loop() {
		e, err := event.Decode(typical)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Validate(); err != nil {
			b.Fatal(err)
		}
		_ = e.Subject()
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	e, err := event.Decode(typical)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.MarshalJSON(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSubject(b *testing.B) {
	s := event.Subject("resource.ResourceCreated", strings.Repeat("seg/", 7)+"end")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := event.ParseSubject(s); err != nil {
			b.Fatal(err)
		}
	}
}
