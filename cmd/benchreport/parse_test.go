package main

import (
	"os"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	f, err := os.Open("testdata/bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Config["cpu"]; got != "Example CPU @ 2.0GHz" {
		t.Errorf("cpu %q", got)
	}
	if out.Config["goos"] != "linux" || out.Config["goarch"] != "amd64" {
		t.Errorf("goos/goarch %v", out.Config)
	}
	bridge, ok := out.Find("BenchmarkBridge")
	if !ok {
		t.Fatal("BenchmarkBridge not found (the -2 suffix must go)")
	}
	if bridge.Pkg != modulePath+"/internal/bridge" || bridge.Iterations != 3 {
		t.Errorf("bridge %+v", bridge)
	}
	if bridge.Metrics["events/s"] != 2667 || bridge.Metrics["base-events/s"] != 3085 || bridge.Metrics["ratio"] != 0.8644 {
		t.Errorf("bridge metrics %v", bridge.Metrics)
	}
	if m, _ := out.Find("BenchmarkMatch/100k"); m.Metrics["allocs/op"] != 0 || m.Metrics["B/op"] != 1 {
		t.Errorf("match 100k metrics %v", m.Metrics)
	}
	// Figures printed on a line of their own, after a log line, belong to the name
	// before.
	cs, ok := out.Find("BenchmarkColdStart/EventsApi")
	if !ok || cs.Metrics["init-ms"] != 182.2 || cs.Pkg != modulePath+"/cmd/herald-local" {
		t.Errorf("split line: %+v, %v", cs, ok)
	}
}

func TestParseSkipsWhatIsNotABenchmark(t *testing.T) {
	out, err := Parse(strings.NewReader("PASS\nok  \tpkg\t1.2s\nBenchmarkOdd-2 \t not a number ns/op\nBenchmarkHalf-2\t 5\t 1.0\n--- FAIL: BenchmarkX\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Results) != 0 {
		t.Fatalf("results %+v", out.Results)
	}
}

func TestPlanRunsEveryBenchmarkOnce(t *testing.T) {
	local := modulePath + "/cmd/herald-local"
	e2e := modulePath + "/test/e2e"
	other := modulePath + "/internal/event"
	got, err := planRuns([]string{other, e2e, local}, map[string][]string{
		other: {"BenchmarkDecodeValidate", "BenchmarkParseSubject"},
		e2e:   {"BenchmarkEndToEnd"},
		local: {"BenchmarkBinarySize", "BenchmarkColdStart", "BenchmarkNew"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range got {
		lines = append(lines, shortPkg(r.Pkg)+" "+r.Bench+" "+r.Benchtime)
	}
	want := []string{
		"internal/event . 1s",
		"test/e2e ^BenchmarkEndToEnd$ 200x",
		"cmd/herald-local ^BenchmarkBinarySize$ 1x",
		"cmd/herald-local ^BenchmarkColdStart$ 10x",
		"cmd/herald-local ^(BenchmarkNew)$ 1s",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("runs:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
