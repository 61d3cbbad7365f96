package main

import (
	"flag"
	"os"
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
