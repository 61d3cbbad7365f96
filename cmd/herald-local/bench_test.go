package main

import (
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/heraldhq/herald/shared/emulator"
	"github.com/heraldhq/herald/shared/lambdalocal"
)

func benchOptions(b *testing.B) options {
	root, err := emulator.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	return options{root: root, state: b.TempDir(), secret: DevSecret}
}

// BenchmarkStartup measures the time from start to ready — NATS, the emulators, the
// template provisioned, every function built (warm build cache) and warmed, the API
// listening — with fresh state each time. The baseline in the same run is starting the
// emulators alone, which no local stack can avoid.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	opts := benchOptions(b)
	// The first start fills the build cache; it is not measured.
	if l, err := start(ctx, opts, io.Discard); err != nil {
		b.Fatal(err)
	} else {
		l.Close()
	}
	var ready, emulators time.Duration
	for b.Loop() {
		t0 := time.Now()
		emu, err := emulator.Start(ctx, emulator.Options{Root: opts.root})
		if err != nil {
			b.Fatal(err)
		}
		emulators += time.Since(t0)
		emu.Close()

		opts.state = b.TempDir()
		l, err := start(ctx, opts, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		ready += l.ready
		l.Close()
	}
	b.ReportMetric(float64(ready.Milliseconds())/float64(b.N), "ready-ms")
	b.ReportMetric(float64(emulators.Milliseconds())/float64(b.N), "emulators-ms")
}

// BenchmarkColdStart measures each function's cold start — process start to its first
// GET /next, so init included (NATS connect, JWKS or secret set-up) — one at a time
// against a running stack. The baseline is a bare aws-lambda-go function doing nothing
// at init (lambdalocal's test function), started the same way in the same run.
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	l, err := start(ctx, benchOptions(b), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	configs := map[string]lambdalocal.Config{}
	for id, cfg := range l.configs {
		configs[id] = cfg
	}
	bare := filepath.Join(b.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bare, "./shared/lambdalocal/testdata/fn")
	build.Dir = l.opts.root
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the baseline function: %v\n%s", err, out)
	}
	configs["baseline"] = lambdalocal.Config{Name: "baseline", Binary: bare}
	ids := make([]string, 0, len(configs))
	for id := range configs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b.Run(id, func(b *testing.B) {
			var total time.Duration
			for b.Loop() {
				f, err := lambdalocal.New(configs[id])
				if err != nil {
					b.Fatal(err)
				}
				if err := f.Warm(ctx); err != nil {
					b.Fatal(err)
				}
				total += f.ColdStarts()[0]
				f.Close()
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "coldstart-ms")
		})
	}
}
