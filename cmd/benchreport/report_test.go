package main

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/BENCHMARKS.golden.md")

func TestRenderGolden(t *testing.T) {
	f, err := os.Open("testdata/bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	m := Machine{CPU: out.Config["cpu"], Cores: 2, MemoryGiB: 23.4, OS: "linux/amd64 (Example Linux 1)", Go: "go1.26.0",
		Date: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC), Took: 7*time.Minute + 31*time.Second}
	got := Render(out, m, "## Notes\n\nKept as written.")
	const golden = "testdata/BENCHMARKS.golden.md"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("Render differs from %s (go test -run TestRenderGolden -update to accept):\n%s", golden, got)
	}
}

func TestNotesSurviveRendering(t *testing.T) {
	notes := "## Why\n\nHand-written | with a table\n\n| a | b |\n|---|---|"
	doc := Render(&Output{Config: map[string]string{}}, Machine{}, notes)
	if got := Notes(doc); got != notes {
		t.Fatalf("notes %q, want %q", got, notes)
	}
	if Notes("# no markers") != "" {
		t.Fatal("a document without markers has no notes")
	}
}

func TestRows(t *testing.T) {
	f, err := os.Open("testdata/bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]row{}
	for _, r := range rows(out) {
		byTitle[r.title] = r
	}
	for _, tt := range []struct {
		title        string
		value, ratio float64
		met          string
	}{
		{"Bridge: NATS JetStream → SNS", 2667, 0.8644, "no"},
		{"Inbox: list a page", 3.505, 0.02306, "yes"},
		{"Matcher, 100k triggers", 392203, 22525, "yes"},
		{"Matcher scaling: time per event, 100k ÷ 1k triggers", 2550, 2550.0 / 1694, "no"},
		{"Binary size, Authorizer", 6357154, 1.090, "yes"},
		{"Binary size, Deliver", 21889186, 3.753, "no"},
		{"Cold start, EventsApi", 182.2, 4.877, "no"},
		{"Webhook send, sequential", 11005, 0.7368, "—"},
		{"Reply verify", 756942, 1.571, "—"},
		// The same name as herald-local's cold starts, in another package.
		{"lambdalocal cold start", 27.61, 1.184, "—"},
	} {
		r, ok := byTitle[tt.title]
		if !ok || r.missing {
			t.Errorf("%s: not measured", tt.title)
			continue
		}
		if r.value != tt.value || r.ratio != tt.ratio || r.met() != tt.met {
			t.Errorf("%s: value %v ratio %v met %s; want %v %v %s", tt.title, r.value, r.ratio, r.met(), tt.value, tt.ratio, tt.met)
		}
	}
}

func TestBenchmarksWithoutAFigureAreListed(t *testing.T) {
	const pkg = modulePath + "/internal/event"
	out := &Output{Config: map[string]string{}, Results: []Result{
		{Pkg: pkg, Name: "BenchmarkDecodeValidate", Metrics: map[string]float64{"events/s": 2, "base-events/s": 1, "ratio": 2}},
		{Pkg: pkg, Name: "BenchmarkUnknown", Metrics: map[string]float64{"ns/op": 1500, "B/op": 10, "allocs/op": 1}},
		// A figure's benchmark, but in another package.
		{Pkg: modulePath + "/internal/reply", Name: "BenchmarkDecodeValidate", Metrics: map[string]float64{"ns/op": 1}},
	}}
	left := unfigured(out)
	if len(left) != 2 || left[0].Name != "BenchmarkUnknown" || shortPkg(left[1].Pkg) != "internal/reply" {
		t.Fatalf("unfigured %+v", left)
	}
	doc := Render(out, Machine{}, "")
	if !strings.Contains(doc, "## Benchmarks without a figure") || !strings.Contains(doc, "| `BenchmarkUnknown` | `internal/event` | 1.50 µs | 10 | 1 | — |") {
		t.Errorf("the benchmark without a figure is not listed:\n%s", doc)
	}

	// With every benchmark a figure, as in the golden output, there is no such section.
	f, err := os.Open("testdata/bench.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	full, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if left := unfigured(full); len(left) != 0 {
		t.Errorf("testdata/bench.txt has benchmarks without a figure: %+v", left)
	}
}

// TestEveryBenchmarkHasAFigure reads the module's test files: every benchmark function
// must be the benchmark of a figure in its package, so that it gets a baseline in
// BENCHMARKS.md, and every figure must name a benchmark that exists.
func TestEveryBenchmarkHasAFigure(t *testing.T) {
	root := filepath.Join("..", "..")
	found := map[string]bool{} // "pkg BenchmarkName"
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		for _, m := range benchFunc.FindAllStringSubmatch(string(src), -1) {
			found[filepath.ToSlash(dir)+" "+m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 {
		t.Fatal("no benchmarks found in the module")
	}
	figured := map[string]bool{}
	for _, f := range figures {
		name, _, _ := strings.Cut(f.Bench, "/")
		key := f.Pkg + " " + name
		figured[key] = true
		if !found[key] {
			t.Errorf("figure %q: no benchmark %s in %s", f.Title, name, f.Pkg)
		}
	}
	for key := range found {
		if !figured[key] {
			t.Errorf("benchmark %s has no figure in figures.go", key)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{format(rate, "events/s", 392203.4), "392,203 events/s"},
		{format(rate, "events/s", 17.41), "17.4 events/s"},
		{format(millis, "ms", 3.505), "3.50 ms"},
		{format(millis, "ms", 0.25), "0.25 ms"},
		{format(byteLen, "bytes", 21889186), "21.9 MB"},
		{formatRatio(0.8644), "0.86"},
		{formatRatio(22525), "22,525"},
		{formatRatio(27.59), "27.6"},
		{formatDuration(148.2), "148 ns"},
		{formatDuration(6312), "6.31 µs"},
		{thousands(-1234567), "-1,234,567"},
	} {
		if !strings.EqualFold(tt.got, tt.want) {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
