package script_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/script"
	"github.com/heraldhq/herald/test/baseline"
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

// benchHandle derives one event from a finished job; nativeHandle is the same in Go.
const benchHandle = `
	function handle(event) {
		if (event.data.status !== "FINISHED") return null;
		return {
			event: "job.JobReported",
			resource: event.resource,
			data: {items: event.data.items.length, title: event.data.metadata.title.toUpperCase()},
		};
	}`

// nativeHandle is benchHandle written in Go, with encoding/json on the way in and out as
// the script has JSON.parse and its result's serialisation: the baseline of a
// javascript action.
func nativeHandle(event json.RawMessage) (json.RawMessage, error) {
	var in struct {
		Resource json.RawMessage `json:"resource"`
		Data     struct {
			Status   string            `json:"status"`
			Items    []json.RawMessage `json:"items"`
			Metadata struct {
				Title string `json:"title"`
			} `json:"metadata"`
		} `json:"data"`
	}
	if err := json.Unmarshal(event, &in); err != nil {
		return nil, err
	}
	if in.Data.Status != "FINISHED" {
		return json.RawMessage("null"), nil
	}
	type data struct {
		Items int    `json:"items"`
		Title string `json:"title"`
	}
	return json.Marshal(struct {
		Event    string          `json:"event"`
		Resource json.RawMessage `json:"resource"`
		Data     data            `json:"data"`
	}{"job.JobReported", in.Resource, data{len(in.Data.Items), strings.ToUpper(in.Data.Metadata.Title)}})
}

// runners returns the three things BenchmarkRun and BenchmarkRunParallel compare: the
// script, its Go equivalent, and a script that returns at once (the fixed cost of a
// run on a reused runtime, with its fresh global scope, and of loading the event). It checks that the script and the Go
// function agree.
func runners(b *testing.B) (run, native, empty func() error) {
	s, err := script.Compile(benchHandle, script.Handle)
	if err != nil {
		b.Fatal(err)
	}
	e, err := script.Compile(`function handle(event) { return null }`, script.Handle)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	got, err := s.Run(ctx, benchEvent)
	if err != nil {
		b.Fatal(err)
	}
	want, err := nativeHandle(benchEvent)
	if err != nil {
		b.Fatal(err)
	}
	if !sameJSON(got, want) {
		b.Fatalf("the script returned %s, the Go function %s", got, want)
	}
	run = func() error { _, err := s.Run(ctx, benchEvent); return err }
	native = func() error { _, err := nativeHandle(benchEvent); return err }
	empty = func() error { _, err := e.Run(ctx, benchEvent); return err }
	return run, native, empty
}

// BenchmarkRun runs the handle, each run isolated on a pooled runtime as javascript actions are,
// alternating with the same handle written in Go and with an empty script: the figure
// is the cost of a javascript action per event.
func BenchmarkRun(b *testing.B) {
	run, native, empty := runners(b)
	allocs := testing.AllocsPerRun(20, func() { run() })
	report(b, baseline.Compare(b, 1, baseline.Sequential(b, 1), run, native, empty))
	b.ReportMetric(allocs, "allocs/run")
}

// BenchmarkRunParallel is BenchmarkRun on every processor at once: each iteration is a
// round of parallelRound runs from GOMAXPROCS goroutines of each of the three.
func BenchmarkRunParallel(b *testing.B) {
	run, native, empty := runners(b)
	workers := runtime.GOMAXPROCS(0)
	report(b, baseline.Compare(b, parallelRound, baseline.Parallel(b, parallelRound, workers), run, native, empty))
}

// parallelRound is how many runs one round of BenchmarkRunParallel makes.
const parallelRound = 64

// report reports the rates compare returned for the script, its Go equivalent and the
// empty script.
func report(b *testing.B, rates []float64) {
	baseline.Report(b, "runs/s", rates[0], rates[1])
	b.ReportMetric(rates[2], "empty-runs/s")
}
