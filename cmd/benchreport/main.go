// Command benchreport runs every benchmark of the module and writes BENCHMARKS.md: a
// table of the project's performance figures, each with the baseline measured in the
// same run, their ratio and the goal it is held to, and a description of the machine.
// `make bench` runs it.
//
// Usage:
//
//	benchreport [-o BENCHMARKS.md] [-raw FILE] [-in FILE|-] [-partial]
//
// Without -in it runs `go test -bench` package by package, one at a time (see plan), and
// parses the output; with -in it parses saved output instead ("-" for standard input).
// The part of the existing file between the notes markers is kept as it is. The file is
// not written when a figure is missing from the output, or a benchmark has no figure,
// unless -partial is given.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	outPath := flag.String("o", "BENCHMARKS.md", "the file to write")
	rawPath := flag.String("raw", "", "also save the raw go test output to this file")
	inPath := flag.String("in", "", "parse this saved go test -bench output (- for standard input) instead of running the benchmarks")
	partial := flag.Bool("partial", false, "write the file even when figures are missing")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var raw []byte
	var took time.Duration
	var runErr error
	switch *inPath {
	case "":
		start := time.Now()
		raw, runErr = runAll(ctx, os.Stderr)
		took = time.Since(start)
	case "-":
		var err error
		if raw, err = io.ReadAll(os.Stdin); err != nil {
			return err
		}
	default:
		var err error
		if raw, err = os.ReadFile(*inPath); err != nil {
			return err
		}
	}
	if *rawPath != "" {
		if err := os.WriteFile(*rawPath, raw, 0o644); err != nil {
			return err
		}
	}
	out, err := Parse(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	var missing []string
	for _, r := range rows(out) {
		if r.missing {
			missing = append(missing, r.title)
		}
	}
	for _, res := range unfigured(out) {
		missing = append(missing, fmt.Sprintf("%s in %s (not in figures.go)", res.Name, shortPkg(res.Pkg)))
	}
	if len(missing) > 0 && !*partial {
		return errors.Join(runErr, fmt.Errorf("%s not written: no figures for %s", *outPath, strings.Join(missing, "; ")))
	}
	old, err := os.ReadFile(*outPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	m := describeMachine(out, time.Now())
	m.Took = took
	if err := os.WriteFile(*outPath, []byte(Render(out, m, Notes(string(old)))), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchreport: wrote %s\n", *outPath)
	return runErr
}

// run is one `go test -bench` invocation.
type run struct {
	Pkg       string // import path
	Bench     string // the -bench regular expression
	Benchtime string // the -benchtime: a duration, or a count as "20x"
}

// plan says how to run the benchmarks that need more than the default (-benchtime 1s):
// those whose iterations take seconds get fixed counts, enough for stable figures and
// few enough that `make bench` stays within minutes on two cores. A package's benchmarks
// that no entry selects run with the default.
var plan = []run{
	{modulePath + "/internal/bridge", ".", "3x"},
	{modulePath + "/functions/consumers", ".", "5x"},
	{modulePath + "/functions/deliver", ".", "5x"},
	{modulePath + "/internal/inbox", ".", "20x"},
	{modulePath + "/test/e2e", "^BenchmarkEndToEnd$", "200x"},
	{modulePath + "/cmd/herald-local", "^BenchmarkBinarySize$", "1x"},
	{modulePath + "/cmd/herald-local", "^BenchmarkColdStart$", "10x"},
}

// defaultBenchtime is the -benchtime of benchmarks the plan does not name.
const defaultBenchtime = "1s"

// benchFunc finds benchmark functions in a test file.
var benchFunc = regexp.MustCompile(`(?m)^func (Benchmark\w*)\(\w+ \*testing\.B\)`)

// runs lists the module's benchmarks by package (go list, then the test files) and
// returns the invocations that run each of them exactly once.
func runs(ctx context.Context) ([]run, error) {
	cmd := exec.CommandContext(ctx, goCmd(), "list", "-f", `{{.ImportPath}}|{{.Dir}}|{{join .TestGoFiles ","}},{{join .XTestGoFiles ","}}`, "./...")
	cmd.Stderr = os.Stderr
	listing, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	benchmarks := map[string][]string{}
	var pkgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(listing)), "\n") {
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			continue
		}
		for _, file := range strings.Split(parts[2], ",") {
			if file == "" {
				continue
			}
			src, err := os.ReadFile(filepath.Join(parts[1], file))
			if err != nil {
				return nil, err
			}
			for _, m := range benchFunc.FindAllStringSubmatch(string(src), -1) {
				if len(benchmarks[parts[0]]) == 0 {
					pkgs = append(pkgs, parts[0])
				}
				benchmarks[parts[0]] = append(benchmarks[parts[0]], m[1])
			}
		}
	}
	return planRuns(pkgs, benchmarks)
}

// planRuns returns the plan's runs for pkgs, in order, and a default run for the
// benchmarks (by package) the plan leaves out.
func planRuns(pkgs []string, benchmarks map[string][]string) ([]run, error) {
	var out []run
	for _, pkg := range pkgs {
		var left []string
		planned := false
		for _, name := range benchmarks[pkg] {
			covered := false
			for _, r := range plan {
				if r.Pkg != pkg {
					continue
				}
				re, err := regexp.Compile(r.Bench)
				if err != nil {
					return nil, fmt.Errorf("plan for %s: %w", pkg, err)
				}
				planned = true
				covered = covered || re.MatchString(name)
			}
			if !covered {
				left = append(left, name)
			}
		}
		if planned {
			for _, r := range plan {
				if r.Pkg == pkg {
					out = append(out, r)
				}
			}
		}
		if len(left) > 0 {
			bench := "."
			if planned {
				bench = "^(" + strings.Join(left, "|") + ")$"
			}
			out = append(out, run{pkg, bench, defaultBenchtime})
		}
	}
	return out, nil
}

// runAll runs every benchmark, one package at a time so that no two compete for the
// cores, copying the output to progress as it comes, and returns the output. A failed
// run is reported in the error; the others still run.
func runAll(ctx context.Context, progress io.Writer) ([]byte, error) {
	rs, err := runs(ctx)
	if err != nil {
		return nil, err
	}
	var all bytes.Buffer
	var errs []error
	for _, r := range rs {
		args := []string{"test", "-run", "^$", "-bench", r.Bench, "-benchtime", r.Benchtime, "-benchmem", "-count", "1", "-timeout", "15m", r.Pkg}
		fmt.Fprintf(progress, "benchreport: go %s\n", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, goCmd(), args...)
		w := io.MultiWriter(&all, progress)
		cmd.Stdout, cmd.Stderr = w, w
		if err := cmd.Run(); err != nil {
			errs = append(errs, fmt.Errorf("go test -bench %s %s: %w", r.Bench, r.Pkg, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return all.Bytes(), errors.Join(errs...)
}

// goCmd is the go command to run: $GO, as the Makefile passes it, or go.
func goCmd() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}
