package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/devstack/emulator"
	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/template"
)

// benchBaseline is the Makefile target (build-bench-baseline) of the baseline function
// for binary sizes and cold starts: the smallest aws-lambda-go handler, built with the
// same flags as the functions.
const benchBaseline = "bench-baseline"

// coldStartSamples are the events each function's first invocation answers: cheap
// requests (a health check, a count, a request refused for its placeholder token) so
// that the figure is the start, not the work.
var coldStartSamples = map[string]string{
	"Authorizer":       "authorizer-httpapi-request.json",
	"EventsApi":        "events-httpapi-health.json",
	"ConsumersApi":     "consumers-httpapi-acknowledge.json",
	"Stream":           "stream-url-request.json",
	"NotificationsApi": "notifications-httpapi-count.json",
	"TriggersApi":      "triggers-httpapi-test.json",
	"Router":           "router-sqs-resource-created.json",
	"Inbox":            "inbox-sqs-permission-granted.json",
	"Deliver":          "deliver-sqs-task.json",
	"Janitor":          "janitor-schedule-tick.json",
}

// makeBuild runs `make build-<target>` into dir/<target>/bootstrap, for Lambda's
// platform as `make build` does, or for this machine's when host is set, and returns the
// binary's path.
func makeBuild(ctx context.Context, root, dir, target string, host bool) (string, error) {
	out := filepath.Join(dir, target)
	args := []string{"--no-print-directory", "-C", root, "build-" + target, "ARTIFACTS_DIR=" + out}
	if host {
		args = append(args, "LAMBDA_GOOS="+runtime.GOOS, "LAMBDA_GOARCH="+runtime.GOARCH)
	}
	cmd := exec.CommandContext(ctx, "make", args...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return "", &buildError{target, err, output.String()}
	}
	return filepath.Join(out, "bootstrap"), nil
}

type buildError struct {
	target string
	err    error
	output string
}

func (e *buildError) Error() string {
	return "make build-" + e.target + ": " + e.err.Error() + "\n" + e.output
}

// BenchmarkBinarySize reports the size of each function's binary, built as `make build`
// builds it (linux/arm64, -trimpath, -tags lambda.norpc, -ldflags="-s -w"), against the
// smallest aws-lambda-go handler built the same way in the same run: the ratio is what
// the function's own code and dependencies add. Sizes do not vary between runs; the
// loop only satisfies the benchmark framework.
func BenchmarkBinarySize(b *testing.B) {
	root, err := emulator.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, fn := range tmpl.Functions() {
		ids = append(ids, fn.LogicalID)
	}
	dir := b.TempDir()
	sizes := map[string]int64{}
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(runtime.NumCPU())
	results := make([]int64, len(ids)+1)
	for i, id := range append(slices.Clone(ids), benchBaseline) {
		g.Go(func() error {
			bin, err := makeBuild(ctx, root, dir, id, false)
			if err != nil {
				return err
			}
			st, err := os.Stat(bin)
			if err != nil {
				return err
			}
			results[i] = st.Size()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	for i, id := range ids {
		sizes[id] = results[i]
	}
	base := results[len(ids)]
	for _, id := range ids {
		b.Run(id, func(b *testing.B) {
			for b.Loop() {
			}
			b.ReportMetric(float64(sizes[id]), "bytes")
			b.ReportMetric(float64(base), "base-bytes")
			b.ReportMetric(float64(sizes[id])/float64(base), "ratio")
		})
	}
}

// BenchmarkColdStart measures, for each function the local stack runs under
// devstack/lambdalocal, the time from starting its binary to the answer of its first
// invocation (the runtime's init, the function's own: configuration, AWS clients, NATS
// connection, and one cheap request), against the smallest aws-lambda-go handler started
// the same way, with the same environment and payload, in the same iteration. The
// figures are medians over the iterations. Each start is a new process in a new
// lambdalocal.Function, as a Lambda cold start is a new execution environment.
func BenchmarkColdStart(b *testing.B) {
	root, err := emulator.RepoRoot()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts, _, err := parseOptions("herald-local", []string{"-api-port", "0", "-nats-port", "0", "-dynamodb-port", "0", "-sqs-port", "0", "-state", b.TempDir()}, root)
	if err != nil {
		b.Fatal(err)
	}
	// The stack runs in this process: the functions need its NATS, tables and queues,
	// and their configurations (environment, timeout) are the ones it starts them with.
	l, err := start(ctx, opts, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	baseline, err := makeBuild(ctx, root, opts.state, benchBaseline, true)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 0, len(l.configs))
	for id := range l.configs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		sample, ok := coldStartSamples[id]
		if !ok {
			b.Fatalf("no sample event for %s's cold start: add one to coldStartSamples", id)
		}
		payload, err := os.ReadFile(filepath.Join(root, "events", sample))
		if err != nil {
			b.Fatal(err)
		}
		cfg := l.configs[id]
		cfg.MaxInstances, cfg.Logs = 1, nil
		base := cfg
		base.Binary = baseline
		b.Run(id, func(b *testing.B) {
			// Warm-up: one start of each, so that both binaries are in the page cache.
			for _, c := range []lambdalocal.Config{cfg, base} {
				if _, _, err := coldStart(ctx, c, payload); err != nil {
					b.Fatal(err)
				}
			}
			var fnInit, blInit, fnAnswer []time.Duration
			for b.Loop() {
				init, answer, err := coldStart(ctx, cfg, payload)
				if err != nil {
					b.Fatal(err)
				}
				fnInit, fnAnswer = append(fnInit, init), append(fnAnswer, answer)
				if init, _, err = coldStart(ctx, base, payload); err != nil {
					b.Fatal(err)
				}
				blInit = append(blInit, init)
			}
			value, baseValue := median(fnInit), median(blInit)
			b.ReportMetric(ms(value), "init-ms")
			b.ReportMetric(ms(baseValue), "base-init-ms")
			b.ReportMetric(float64(value)/float64(baseValue), "ratio")
			b.ReportMetric(ms(median(fnAnswer)), "first-answer-ms")
		})
	}
}

// coldStart starts cfg's binary in a new Function and invokes it once with payload. It
// returns the cold start as Lambda reports its Init Duration (process start to the
// first request for an invocation, as lambdalocal records it) and the time until that
// first invocation was answered. An error the function returned is an answer; a failed
// init, a crash or a timeout is not.
func coldStart(ctx context.Context, cfg lambdalocal.Config, payload []byte) (init, answer time.Duration, err error) {
	f, err := lambdalocal.New(cfg)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	start := time.Now()
	resp, err := f.Invoke(ctx, payload)
	if err != nil {
		return 0, 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	answer = time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if e := resp.Err; e != nil {
		switch e.Type {
		case lambdalocal.ErrorTypeInit, lambdalocal.ErrorTypeExit, lambdalocal.ErrorTypeInvalidEntrypoint, lambdalocal.ErrorTypeTimeout:
			return 0, 0, e
		}
	}
	cs := f.ColdStarts()
	if len(cs) != 1 {
		return 0, 0, fmt.Errorf("%s: %d cold starts recorded, want 1", cfg.Name, len(cs))
	}
	return cs[0], answer, nil
}

// median returns the middle of ds (the upper middle for an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// ms is d in milliseconds, the unit of the latency figures.
func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
