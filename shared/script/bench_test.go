package script_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald/shared/script"
)

// benchEvent is a typical event, a little under 1 KiB.
var benchEvent = json.RawMessage(`{
  "event": "job.JobFinished",
  "uuid": "8f2792c7-b01a-4493-ba5a-d0588a4aad8e",
  "timestamp": "2026-11-22T18:00:00.123Z",
  "resource": {"type": "jobsvc.Job", "id": "VX-1234", "path": "projects/p1/jobs/VX-1234"},
  "recipients": ["u1", "u2"],
  "data": {"jobType": "TRANSCODE", "status": "FINISHED", "items": ["VX-1", "VX-2", "VX-3"],
           "metadata": {"title": "Final cut", "size": 1234567, "tags": ["a", "b", "c"]}}
}`)

// BenchmarkRun runs a small handle that derives one event, each run in a fresh runtime:
// the figure is the cost of a javascript action per event.
func BenchmarkRun(b *testing.B) {
	s, err := script.Compile(`
		function handle(event) {
			if (event.data.status !== "FINISHED") return null;
			return {
				event: "job.JobReported",
				resource: event.resource,
				data: {items: event.data.items.length, title: event.data.metadata.title.toUpperCase()},
			};
		}`, script.Handle)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Run(ctx, benchEvent); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkRunParallel is BenchmarkRun on every processor at once.
func BenchmarkRunParallel(b *testing.B) {
	s, err := script.Compile(`function handle(event) { return {event: "job.JobReported", resource: event.resource} }`, script.Handle)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Run(ctx, benchEvent); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
