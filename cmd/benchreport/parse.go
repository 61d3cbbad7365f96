package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Result is one benchmark line of `go test -bench` output.
type Result struct {
	Pkg        string             // the import path from the preceding "pkg:" line
	Name       string             // the full name, without the -GOMAXPROCS suffix
	Iterations int64              // b.N
	Metrics    map[string]float64 // value by unit: ns/op, B/op, allocs/op and b.ReportMetric's
}

// Output is what Parse read: the results in order, and the configuration lines
// (goos, goarch, cpu, pkg …) as last seen.
type Output struct {
	Results []Result
	Config  map[string]string
}

// Find returns the result of the benchmark named name (without the -GOMAXPROCS suffix),
// the last one when the output has several.
func (o *Output) Find(name string) (Result, bool) {
	for i := len(o.Results) - 1; i >= 0; i-- {
		if o.Results[i].Name == name {
			return o.Results[i], true
		}
	}
	return Result{}, false
}

// FindIn is Find for the benchmark of the package pkg, given relative to the module
// ("internal/match").
func (o *Output) FindIn(pkg, name string) (Result, bool) {
	for i := len(o.Results) - 1; i >= 0; i-- {
		if r := o.Results[i]; r.Name == name && shortPkg(r.Pkg) == pkg {
			return r, true
		}
	}
	return Result{}, false
}

var (
	// configLine is a "key: value" line of the benchmark format (goos, cpu, pkg …).
	configLine = regexp.MustCompile(`^([a-z][^:\s]*): (.*)$`)
	// procsSuffix is the -GOMAXPROCS suffix the testing package adds to names when
	// GOMAXPROCS is not 1.
	procsSuffix = regexp.MustCompile(`-\d+$`)
)

// Parse reads the standard benchmark format (https://go.dev/design/14313-benchmark-format):
// "Benchmark<Name>-<procs> <iterations> <value> <unit> …" lines and "key: value"
// configuration lines; everything else (PASS, ok, logs) is skipped. A benchmark that
// printed between its name and its figures splits its line in two; the figures are
// joined back to the name.
func Parse(r io.Reader) (*Output, error) {
	out := &Output{Config: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	pending := "" // a benchmark name whose figures have not come yet
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case strings.HasPrefix(line, "Benchmark"):
			name := procsSuffix.ReplaceAllString(fields[0], "")
			if res, ok := parseFigures(fields[1:]); ok {
				res.Name, res.Pkg = name, out.Config["pkg"]
				out.Results = append(out.Results, res)
				pending = ""
			} else {
				pending = name
			}
		case pending != "" && (line[0] == ' ' || line[0] == '\t'):
			if res, ok := parseFigures(fields); ok {
				res.Name, res.Pkg = pending, out.Config["pkg"]
				out.Results = append(out.Results, res)
				pending = ""
			}
		default:
			if m := configLine.FindStringSubmatch(line); m != nil {
				out.Config[m[1]] = strings.TrimSpace(m[2])
			}
		}
	}
	return out, sc.Err()
}

// parseFigures reads "<iterations> <value> <unit> …".
func parseFigures(fields []string) (Result, bool) {
	if len(fields) < 3 || len(fields)%2 != 1 {
		return Result{}, false
	}
	n, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return Result{}, false
	}
	res := Result{Iterations: n, Metrics: map[string]float64{}}
	for i := 1; i < len(fields); i += 2 {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil {
			return Result{}, false
		}
		res.Metrics[fields[i+1]] = v
	}
	return res, true
}
